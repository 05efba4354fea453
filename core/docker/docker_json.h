// Parses the Docker API's JSON answers the engine reads: the container list,
// a container's inspect document, one /events object, and error bodies.
// Pure functions; a body of the wrong shape throws DockerJsonError saying
// what was wrong where (never crashes on any input). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace logcap {

class DockerJsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Labels = std::map<std::string, std::string>;

// One entry of GET /containers/json.
struct ContainerSummary {
  std::string id;
  std::string name;  // first of Names, without the leading '/'
  std::string state; // "running", "exited", ...
  Labels labels;
};

// The parts of GET /containers/{id}/json the engine needs.
struct ContainerInfo {
  std::string id;
  std::string name;  // without the leading '/'
  bool tty = false;  // Config.Tty: raw stream instead of multiplexed frames
  bool running = false;
  Labels labels;
};

// One object of GET /events.
struct ContainerEvent {
  std::string type;    // "container", "network", ...
  std::string action;  // "start", "die", "destroy", "rename", "exec_start: sh", ...
  std::string id;
  std::string name;    // Actor.Attributes.name (the NEW name for rename)
  std::int64_t time_nano = 0;
};

// Throws when the body is not a JSON array. An entry that cannot be used (not
// valid JSON on its own, e.g. a lone surrogate escape or invalid UTF-8; a
// field of the wrong type; an Id that is not IsContainerId) is left out, and
// why is appended to `skipped` (raw daemon text: escape it before logging).
std::vector<ContainerSummary> ParseContainerList(std::string_view body,
                                                 std::vector<std::string>* skipped = nullptr);
ContainerInfo ParseContainerInspect(std::string_view body);
// A container event ("Type":"container") whose id is not IsContainerId
// throws.
ContainerEvent ParseEvent(std::string_view line);

// The daemon's {"message": "..."} error text, or the body itself (trimmed,
// at most 200 bytes) when it is not that shape.
std::string ErrorMessageFromBody(std::string_view body);

}  // namespace logcap
