// One connection to a Prometheus HTTP API (libcurl easy handle, RAII, kept alive between requests): POSTs a form and returns the status and body.
// One PromHttp per thread; curl_global_init must have run.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "common/curl_handles.h"
#include "harness/fleet/prom_auth.h"

namespace leakbench::harness {

struct PromHttpAnswer {
  long status = 0;         // 0: no HTTP answer (see error)
  std::string body;
  std::string error;       // libcurl's reason when status is 0
  bool timed_out = false;  // the request ran out of time
};

class PromHttp {
 public:
  // Throws std::runtime_error when libcurl cannot make a handle.
  PromHttp(PromAuth auth, std::chrono::milliseconds timeout);

  // POST application/x-www-form-urlencoded `fields` (each value escaped) to `url`.
  PromHttpAnswer PostForm(const std::string& url, const std::vector<std::pair<std::string, std::string>>& fields);

 private:
  PromAuth auth_;
  std::chrono::milliseconds timeout_;
  CurlEasyPtr easy_;
};

}  // namespace leakbench::harness
