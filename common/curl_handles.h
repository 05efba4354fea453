// RAII owners for libcurl handles: one unique_ptr per handle kind, so that
// nothing leaks when a constructor throws half-way. The multi handle must
// outlive every easy handle added to it, and an easy handle is removed from
// its multi handle before it is cleaned up. Header-only; users link libcurl.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace leakbench {

struct CurlEasyCleanup {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct CurlMultiCleanup {
  void operator()(CURLM* multi) const noexcept { curl_multi_cleanup(multi); }
};
struct CurlSlistCleanup {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyCleanup>;
using CurlMultiPtr = std::unique_ptr<CURLM, CurlMultiCleanup>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistCleanup>;

}  // namespace leakbench
