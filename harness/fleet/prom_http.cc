#include "harness/fleet/prom_http.h"

#include <curl/curl.h>

#include <memory>
#include <stdexcept>

namespace leakbench::harness {
namespace prom_http {

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct CurlFree {
  void operator()(char* p) const noexcept { curl_free(p); }
};

std::string Escape(CURL* easy, const std::string& value) {
  std::unique_ptr<char, CurlFree> escaped(curl_easy_escape(easy, value.data(), static_cast<int>(value.size())));
  if (!escaped) throw std::runtime_error("curl_easy_escape failed (out of memory?)");
  return escaped.get();
}

}  // namespace prom_http

PromHttp::PromHttp(PromAuth auth, std::chrono::milliseconds timeout)
    : auth_(std::move(auth)), timeout_(timeout), easy_(curl_easy_init()) {
  if (!easy_) throw std::runtime_error("curl_easy_init failed (out of memory?)");
}

PromHttpAnswer PromHttp::PostForm(const std::string& url,
                                  const std::vector<std::pair<std::string, std::string>>& fields) {
  PromHttpAnswer answer;
  CURL* e = easy_.get();
  curl_easy_reset(e);
  std::string form;
  for (const auto& [key, value] : fields) {
    if (!form.empty()) form += '&';
    form += prom_http::Escape(e, key) + "=" + prom_http::Escape(e, value);
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  CurlSlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/x-www-form-urlencoded"));
  if (!headers) throw std::runtime_error("curl_slist_append failed (out of memory?)");
  std::string bearer;
  if (auth_.kind == PromAuth::Kind::kBearer) {
    bearer = "Authorization: Bearer " + auth_.secret;
    // Appending to a list keeps its head; NULL means nothing was appended.
    if (curl_slist_append(headers.get(), bearer.c_str()) == nullptr) {
      throw std::runtime_error("curl_slist_append failed (out of memory?)");
    }
  } else if (auth_.kind == PromAuth::Kind::kBasic) {
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(e, CURLOPT_USERPWD, auth_.secret.c_str());
  }
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &prom_http::Collect);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, form.c_str());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(form.size()));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it: matrices compress well
  const CURLcode code = curl_easy_perform(e);
  if (code != CURLE_OK) {
    answer.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    answer.error = std::string(curl_easy_strerror(code)) + (errbuf[0] != '\0' ? std::string(": ") + errbuf : "");
    answer.body.clear();
    return answer;
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

}  // namespace leakbench::harness
