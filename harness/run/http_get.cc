#include "harness/run/http_get.h"

#include <curl/curl.h>

#include <stdexcept>

#include "common/curl_handles.h"

namespace leakbench::harness {
namespace {

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

}  // namespace

HttpResult HttpCall(const std::string& method, const std::string& url, const std::string& unix_socket,
                    const std::string& body, std::chrono::milliseconds timeout) {
  HttpResult result;
  CurlEasyPtr easy(curl_easy_init());
  if (!easy) {
    result.error = "curl_easy_init failed";
    return result;
  }
  CurlSlistPtr headers;
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  if (!unix_socket.empty()) curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, unix_socket.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty()) {
    headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  const CURLcode code = curl_easy_perform(e);
  if (code != CURLE_OK) {
    result.error = std::string(curl_easy_strerror(code)) + (errbuf[0] != '\0' ? std::string(": ") + errbuf : "");
    return result;
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

nlohmann::json FakeControl(const std::string& control_socket, const std::string& method, const std::string& path,
                           const nlohmann::json& body) {
  const HttpResult r =
      HttpCall(method, "http://fake" + path, control_socket, body.is_null() ? std::string() : body.dump());
  if (!r.ok()) {
    throw std::runtime_error("fake-dockerd control " + method + " " + path + ": " +
                             (r.status == 0 ? r.error : "HTTP " + std::to_string(r.status) + " " + r.body));
  }
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("fake-dockerd control " + path + ": answer is not JSON");
  return j;
}

}  // namespace leakbench::harness
