// What a Docker Engine API request target asks for, as far as the counting
// proxy records it: the endpoint (logs, events, or the path itself), the
// container named in /containers/{ref}/..., and the follow flag with
// Docker's boolean rules (docs/docker-semantics.md, section 1). Pure.
#pragma once

#include <string>
#include <string_view>

namespace leakbench::proxy {

struct DockerRequest {
  std::string path;        // without the /vX.Y prefix and the query
  std::string endpoint;    // "logs", "events", else the path's last segment ("json", "_ping", ...)
  std::string container;   // /containers/{ref}/...: the ref as sent (percent-decoded); "" otherwise
  bool follow = false;     // logs: follow=<true by Docker's rules>
  bool timestamps = false;
};

DockerRequest ClassifyTarget(std::string_view target);

// Docker's query booleans: absent, "", 0, false, no, none are false; any
// other value is true.
bool DockerBool(std::string_view value);

}  // namespace leakbench::proxy
