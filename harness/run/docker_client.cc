#include "harness/run/docker_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>

#include "common/curl_handles.h"

namespace leakbench::harness {
namespace {

using json = nlohmann::json;

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::string Message(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  return body.substr(0, 300);
}

std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// What every request to the daemon sets: the API path over the Unix
// socket, the timeout, the error text and where the answer goes.
void SetUpRequest(CURL* e, const std::string& url, const std::string& socket, std::chrono::milliseconds timeout,
                  char* errbuf, std::string* body) {
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
}

}  // namespace

DockerClient::DockerClient(std::string host)
    : socket_(host.rfind("unix://", 0) == 0 ? host.substr(7) : std::move(host)) {}

DockerReply DockerClient::Call(const std::string& method, const std::string& path, const std::string& body,
                               const std::string& content_type, std::chrono::milliseconds timeout) const {
  DockerReply reply;
  CurlEasyPtr easy(curl_easy_init());
  if (!easy) throw DockerApiError("curl_easy_init failed", 0);
  CurlSlistPtr headers;
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* e = easy.get();
  const std::string url = "http://docker/v1.41" + path;
  SetUpRequest(e, url, socket_, timeout, errbuf, &reply.body);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || !body.empty()) {
    headers.reset(curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  const CURLcode code = curl_easy_perform(e);
  if (code != CURLE_OK) {
    throw DockerApiError(method + " " + path + " on " + socket_ + ": " + curl_easy_strerror(code) +
                             (errbuf[0] != '\0' ? std::string(": ") + errbuf : ""),
                         0);
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

DockerReply DockerClient::Expect(const std::string& method, const std::string& path, const std::string& body,
                                 std::vector<long> also_ok, std::chrono::milliseconds timeout) const {
  DockerReply r = Call(method, path, body, "application/json", timeout);
  const bool ok = (r.status >= 200 && r.status < 300) ||
                  std::find(also_ok.begin(), also_ok.end(), r.status) != also_ok.end();
  if (!ok) {
    throw DockerApiError(method + " " + path + ": HTTP " + std::to_string(r.status) + ": " + Message(r.body), r.status);
  }
  return r;
}

DockerReply DockerClient::PostFile(const std::string& path, const std::string& file, const std::string& content_type,
                                   std::chrono::milliseconds timeout) const {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(file.c_str(), "rb"));
  if (!f) throw DockerApiError("cannot open " + file + " to send it to the daemon", 0);
  std::fseek(f.get(), 0, SEEK_END);
  const long size = std::ftell(f.get());
  std::fseek(f.get(), 0, SEEK_SET);
  DockerReply reply;
  CurlEasyPtr easy(curl_easy_init());
  if (!easy) throw DockerApiError("curl_easy_init failed", 0);
  CurlSlistPtr headers(curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str()));
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* e = easy.get();
  const std::string url = "http://docker/v1.41" + path;
  SetUpRequest(e, url, socket_, timeout, errbuf, &reply.body);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_READDATA, f.get());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(size));
  const CURLcode code = curl_easy_perform(e);
  if (code != CURLE_OK) {
    throw DockerApiError("POST " + path + " (" + file + "): " + curl_easy_strerror(code) +
                             (errbuf[0] != '\0' ? std::string(": ") + errbuf : ""),
                         0);
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

bool DockerClient::Ping() const {
  try {
    const DockerReply r = Call("GET", "/_ping", "", "", std::chrono::seconds(2));
    return r.status == 200 && r.body == "OK";
  } catch (const DockerApiError&) {
    return false;
  }
}

json DockerClient::Json(const std::string& path) const {
  const DockerReply r = Expect("GET", path);
  json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) throw DockerApiError("GET " + path + ": the daemon's answer is not JSON", r.status);
  return j;
}

std::string DockerClient::CreateContainer(const std::string& name, const json& config) const {
  const DockerReply r = Expect("POST", "/containers/create?name=" + Escape(name), config.dump());
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("Id")) throw DockerApiError("POST /containers/create: no Id in " + r.body.substr(0, 200), r.status);
  return j["Id"].get<std::string>();
}

void DockerClient::Start(const std::string& id) const { Expect("POST", "/containers/" + id + "/start", "", {304}); }

void DockerClient::Stop(const std::string& id, int timeout_s) const {
  Expect("POST", "/containers/" + id + "/stop?t=" + std::to_string(timeout_s), "", {304},
         std::chrono::seconds(timeout_s + 30));
}

void DockerClient::Kill(const std::string& id, const std::string& signal) const {
  Expect("POST", "/containers/" + id + "/kill?signal=" + Escape(signal));
}

void DockerClient::Rename(const std::string& id, const std::string& name) const {
  Expect("POST", "/containers/" + id + "/rename?name=" + Escape(name));
}

void DockerClient::Remove(const std::string& id) const {
  Expect("DELETE", "/containers/" + id + "?force=1&v=1", "", {404}, std::chrono::seconds(60));
}

std::vector<std::string> DockerClient::ListByLabel(const std::string& key, const std::string& value) const {
  const json filters = {{"label", {key + "=" + value}}};
  const json list = Json("/containers/json?all=1&filters=" + Escape(filters.dump()));
  std::vector<std::string> ids;
  for (const json& c : list) ids.push_back(c.at("Id").get<std::string>());
  return ids;
}

std::string DockerClient::Logs(const std::string& id) const {
  return Expect("GET", "/containers/" + id + "/logs?stdout=1&stderr=1&timestamps=1&follow=0", "", {},
                std::chrono::seconds(120))
      .body;
}

}  // namespace leakbench::harness
