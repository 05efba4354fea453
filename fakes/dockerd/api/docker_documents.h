// The JSON documents dockerd returns for /version, /info, /containers/json
// and /containers/{id}/json, with dockerd's field names and order, filled
// from the fake's state. Pure functions of their inputs; thread-compatible.
#pragma once

#include <nlohmann/json.hpp>

#include "fakes/dockerd/api/daemon.h"
#include "fakes/dockerd/model/container.h"

namespace fakedocker {

nlohmann::ordered_json VersionDocument(const DaemonConfig& config);
nlohmann::ordered_json InfoDocument(const Daemon& daemon, const std::vector<std::shared_ptr<Container>>& all);
nlohmann::ordered_json ContainerSummary(const Container& c, UnixNanos now);
nlohmann::ordered_json ContainerInspect(const Container& c);

// Go's units.HumanDuration, as `docker ps` shows it: "Up 5 minutes".
std::string HumanDuration(int64_t seconds);

}  // namespace fakedocker
