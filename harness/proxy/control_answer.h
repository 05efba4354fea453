// The counting proxy's control API: the answer to one GET on its control
// socket (/truth, /streams?state=&limit=, /requests?limit=), in the JSON
// shapes of the fake's control API. Pure apart from reading the record.
#pragma once

#include <string>

#include "harness/proxy/proxy_record.h"

namespace leakbench::proxy {

struct ControlReply {
  int status = 200;
  std::string body;  // JSON
};

ControlReply AnswerControl(const ProxyRecord& record, const std::string& method, const std::string& target);

}  // namespace leakbench::proxy
