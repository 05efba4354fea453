// The image of a real-daemon run's containers, built offline by leakbench:
// a root file system with busybox-static (/bin/busybox, /bin/sh) and the
// static leakbench-emitter (/leakbench-emitter), tarred and imported
// (POST /images/create?fromSrc=-), tagged with a hash of both binaries so
// it is built once per daemon and reused. Main thread only.
#pragma once

#include <string>

#include "harness/run/docker_client.h"

namespace leakbench::harness {

inline constexpr const char* kWorkloadRepo = "leakbench/emitter";

// Returns the image reference ("leakbench/emitter:<hash>"), importing it
// when the daemon lacks it; `work_dir` holds the staged tree meanwhile.
// Throws std::runtime_error saying what is missing and what to do.
std::string EnsureWorkloadImage(const DockerClient& docker, const std::string& emitter, const std::string& busybox,
                                const std::string& work_dir);

}  // namespace leakbench::harness
