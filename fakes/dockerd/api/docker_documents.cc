#include "fakes/dockerd/api/docker_documents.h"

#include <sys/utsname.h>
#include <unistd.h>

namespace fakedocker {
namespace {

using OJ = nlohmann::ordered_json;

std::string KernelVersion() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

std::string Hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

OJ Labels(const Container& c) {
  OJ labels = OJ::object();
  for (const auto& [k, v] : c.spec().labels) labels[k] = v;
  return labels;
}

std::string StatusText(const Container& c, UnixNanos now) {
  switch (c.state()) {
    case ContainerState::kCreated: return "Created";
    case ContainerState::kRunning: return "Up " + HumanDuration((now - c.started_at()) / 1'000'000'000);
    case ContainerState::kRemoving: return "Removal In Progress";
    default:
      return "Exited (" + std::to_string(c.exit_code()) + ") " +
             HumanDuration((now - c.finished_at()) / 1'000'000'000) + " ago";
  }
}

std::string ImageId(const std::string& image) {
  // A stable fake digest per image name.
  uint64_t h = 1469598103934665603ULL;
  for (char ch : image) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (int i = 0; i < 64; ++i) {
    out.push_back(kHex[(h >> ((i % 16) * 4)) & 0xf]);
    if (i % 16 == 15) h = h * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  return out;
}

// The endpoint of a container on the "none" network, as dockerd lists it.
OJ NoneNetwork() {
  return OJ{{"IPAMConfig", nullptr}, {"Links", nullptr}, {"Aliases", nullptr}, {"NetworkID", ""},
            {"EndpointID", ""}, {"Gateway", ""}, {"IPAddress", ""}, {"IPPrefixLen", 0},
            {"IPv6Gateway", ""}, {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0},
            {"MacAddress", ""}, {"DriverOpts", nullptr}};
}

// HostConfig with every key dockerd 20.10 reports for `docker run -d
// --network none` (measured), in its order. Besides fidelity, the size
// matters: the real inspect body (about 4 KB) is always above Go's 2 KiB
// buffer, hence always chunked, and so is the fake's.
OJ HostConfig() {
  return OJ{{"Binds", nullptr}, {"ContainerIDFile", ""},
            {"LogConfig", {{"Type", "json-file"}, {"Config", OJ::object()}}},
            {"NetworkMode", "none"}, {"PortBindings", OJ::object()},
            {"RestartPolicy", {{"Name", "no"}, {"MaximumRetryCount", 0}}},
            {"AutoRemove", false}, {"VolumeDriver", ""}, {"VolumesFrom", nullptr}, {"CapAdd", nullptr},
            {"CapDrop", nullptr}, {"CgroupnsMode", "host"}, {"Dns", OJ::array()}, {"DnsOptions", OJ::array()},
            {"DnsSearch", OJ::array()}, {"ExtraHosts", nullptr}, {"GroupAdd", nullptr}, {"IpcMode", "private"},
            {"Cgroup", ""}, {"Links", nullptr}, {"OomScoreAdj", 0}, {"PidMode", ""}, {"Privileged", false},
            {"PublishAllPorts", false}, {"ReadonlyRootfs", false}, {"SecurityOpt", nullptr}, {"UTSMode", ""},
            {"UsernsMode", ""}, {"ShmSize", 67108864}, {"Runtime", "runc"}, {"ConsoleSize", {0, 0}},
            {"Isolation", ""}, {"CpuShares", 0}, {"Memory", 0}, {"NanoCpus", 0}, {"CgroupParent", ""},
            {"BlkioWeight", 0}, {"BlkioWeightDevice", OJ::array()}, {"BlkioDeviceReadBps", OJ::array()},
            {"BlkioDeviceWriteBps", OJ::array()}, {"BlkioDeviceReadIOps", OJ::array()},
            {"BlkioDeviceWriteIOps", OJ::array()}, {"CpuPeriod", 0}, {"CpuQuota", 0}, {"CpuRealtimePeriod", 0},
            {"CpuRealtimeRuntime", 0}, {"CpusetCpus", ""}, {"CpusetMems", ""}, {"Devices", OJ::array()},
            {"DeviceCgroupRules", nullptr}, {"DeviceRequests", nullptr}, {"KernelMemory", 0},
            {"KernelMemoryTCP", 0}, {"MemoryReservation", 0}, {"MemorySwap", 0}, {"MemorySwappiness", nullptr},
            {"OomKillDisable", false}, {"PidsLimit", nullptr}, {"Ulimits", OJ::array()}, {"CpuCount", 0},
            {"CpuPercent", 0}, {"IOMaximumIOps", 0}, {"IOMaximumBandwidth", 0},
            {"MaskedPaths", {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                             "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                             "/sys/firmware"}},
            {"ReadonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}};
}

}  // namespace

std::string HumanDuration(int64_t seconds) {
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return std::to_string(seconds) + " seconds";
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return std::to_string(minutes) + " minutes";
  int64_t hours = static_cast<int64_t>(static_cast<double>(seconds) / 3600 + 0.5);
  if (hours == 1) return "About an hour";
  if (hours < 48) return std::to_string(hours) + " hours";
  if (hours < 24 * 7 * 2) return std::to_string(hours / 24) + " days";
  if (hours < 24 * 30 * 2) return std::to_string(hours / 24 / 7) + " weeks";
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24 / 30) + " months";
  return std::to_string(hours / 24 / 365) + " years";
}

OJ VersionDocument(const DaemonConfig& config) {
  const std::string kernel = KernelVersion();
  OJ details = {{"ApiVersion", config.api_version}, {"Arch", "amd64"}, {"BuildTime", "2026-01-01T00:00:00.000000000+00:00"},
                {"Experimental", "false"}, {"GitCommit", "leakbench"}, {"GoVersion", "go1.19.8"},
                {"KernelVersion", kernel}, {"MinAPIVersion", config.min_api_version}, {"Os", "linux"}};
  return OJ{{"Platform", {{"Name", "leakbench fake-dockerd"}}},
            {"Components", OJ::array({OJ{{"Name", "Engine"}, {"Version", config.engine_version}, {"Details", details}}})},
            {"Version", config.engine_version},
            {"ApiVersion", config.api_version},
            {"MinAPIVersion", config.min_api_version},
            {"GitCommit", "leakbench"},
            {"GoVersion", "go1.19.8"},
            {"Os", "linux"},
            {"Arch", "amd64"},
            {"KernelVersion", kernel},
            {"BuildTime", "2026-01-01T00:00:00.000000000+00:00"}};
}

OJ InfoDocument(const Daemon& daemon, const std::vector<std::shared_ptr<Container>>& all) {
  int running = 0, stopped = 0;
  for (const auto& c : all) (c->running() ? running : stopped)++;
  const auto& cfg = daemon.config();
  return OJ{{"ID", "LEAK:BNCH:FAKE:DOCK:ERD0:0000:0000:0000:0000:0000:0000:0001"},
            {"Containers", all.size()},
            {"ContainersRunning", running},
            {"ContainersPaused", 0},
            {"ContainersStopped", stopped},
            {"Images", 5},
            {"Driver", "vfs"},
            {"DriverStatus", OJ::array()},
            {"Plugins", {{"Volume", {"local"}}, {"Network", {"null"}}, {"Authorization", nullptr},
                         {"Log", {"json-file", "local"}}}},
            {"MemoryLimit", true},
            {"SwapLimit", false},
            {"CpuCfsPeriod", true},
            {"CpuCfsQuota", true},
            {"IPv4Forwarding", false},
            {"Debug", false},
            {"NFd", 0},
            {"OomKillDisable", false},
            {"NGoroutines", 0},
            {"SystemTime", FormatRfc3339Nano(NowNanos())},
            {"LoggingDriver", "json-file"},
            {"CgroupDriver", "cgroupfs"},
            {"CgroupVersion", "2"},
            {"NEventsListener", 0},
            {"KernelVersion", KernelVersion()},
            {"OperatingSystem", "leakbench fake-dockerd"},
            {"OSVersion", ""},
            {"OSType", "linux"},
            {"Architecture", "x86_64"},
            {"IndexServerAddress", "https://index.docker.io/v1/"},
            {"RegistryConfig", nullptr},
            {"NCPU", static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN))},
            {"MemTotal", static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE)},
            {"GenericResources", nullptr},
            {"DockerRootDir", "/var/lib/docker"},
            {"HttpProxy", ""},
            {"HttpsProxy", ""},
            {"NoProxy", ""},
            {"Name", Hostname()},
            {"Labels", OJ::array()},
            {"ExperimentalBuild", false},
            {"ServerVersion", cfg.engine_version},
            {"Runtimes", {{"runc", {{"path", "runc"}}}}},
            {"DefaultRuntime", "runc"},
            {"Swarm", {{"NodeID", ""}, {"NodeAddr", ""}, {"LocalNodeState", "inactive"}, {"ControlAvailable", false},
                       {"Error", ""}, {"RemoteManagers", nullptr}}},
            {"LiveRestoreEnabled", true},
            {"Isolation", ""},
            {"InitBinary", "docker-init"},
            {"SecurityOptions", {"name=seccomp,profile=default"}},
            {"Warnings", nullptr}};
}

OJ ContainerSummary(const Container& c, UnixNanos now) {
  const ContainerSpec& s = c.spec();
  return OJ{{"Id", c.id()},
            {"Names", OJ::array({"/" + c.name()})},
            {"Image", s.image},
            {"ImageID", ImageId(s.image)},
            {"Command", s.command},
            {"Created", c.created() / 1'000'000'000},
            {"Ports", OJ::array()},
            {"Labels", Labels(c)},
            {"State", c.state() == ContainerState::kRemoving ? "removing" : StateName(c.state())},
            {"Status", StatusText(c, now)},
            {"HostConfig", {{"NetworkMode", "none"}}},
            {"NetworkSettings", {{"Networks", {{"none", NoneNetwork()}}}}},
            {"Mounts", OJ::array()}};
}

OJ ContainerInspect(const Container& c) {
  const ContainerSpec& s = c.spec();
  const bool running = c.running();
  const std::string zero = "0001-01-01T00:00:00Z";
  OJ state = {{"Status", StateName(c.state())},
              {"Running", running},
              {"Paused", false},
              {"Restarting", false},
              {"OOMKilled", false},
              {"Dead", false},
              {"Pid", c.pid()},
              {"ExitCode", c.exit_code()},
              {"Error", ""},
              {"StartedAt", c.started_at() ? FormatRfc3339Nano(c.started_at()) : zero},
              {"FinishedAt", c.finished_at() ? FormatRfc3339Nano(c.finished_at()) : zero}};
  const std::string dir = "/var/lib/docker/containers/" + c.id();
  return OJ{{"Id", c.id()},
            {"Created", FormatRfc3339Nano(c.created())},
            {"Path", s.command},
            {"Args", OJ::array()},
            {"State", state},
            {"Image", ImageId(s.image)},
            {"ResolvConfPath", dir + "/resolv.conf"},
            {"HostnamePath", dir + "/hostname"},
            {"HostsPath", dir + "/hosts"},
            {"LogPath", dir + "/" + c.id() + "-json.log"},
            {"Name", "/" + c.name()},
            {"RestartCount", std::max(0, c.restart_count())},
            {"Driver", "vfs"},
            {"Platform", "linux"},
            {"MountLabel", ""},
            {"ProcessLabel", ""},
            {"AppArmorProfile", ""},
            {"ExecIDs", nullptr},
            {"HostConfig", HostConfig()},
            {"GraphDriver", {{"Data", nullptr}, {"Name", "vfs"}}},
            {"Mounts", OJ::array()},
            {"Config", {{"Hostname", c.id().substr(0, 12)},
                        {"Domainname", ""},
                        {"User", ""},
                        {"AttachStdin", false},
                        {"AttachStdout", true},
                        {"AttachStderr", true},
                        {"Tty", s.tty},
                        {"OpenStdin", false},
                        {"StdinOnce", false},
                        {"Env", OJ::array({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"})},
                        {"Cmd", OJ::array({s.command})},
                        {"Image", s.image},
                        {"Volumes", nullptr},
                        {"WorkingDir", ""},
                        {"Entrypoint", nullptr},
                        {"OnBuild", nullptr},
                        {"Labels", Labels(c)}}},
            {"NetworkSettings", {{"Bridge", ""},
                                 {"SandboxID", ""},
                                 {"HairpinMode", false},
                                 {"LinkLocalIPv6Address", ""},
                                 {"LinkLocalIPv6PrefixLen", 0},
                                 {"Ports", OJ::object()},
                                 {"SandboxKey", ""},
                                 {"SecondaryIPAddresses", nullptr},
                                 {"SecondaryIPv6Addresses", nullptr},
                                 {"EndpointID", ""},
                                 {"Gateway", ""},
                                 {"GlobalIPv6Address", ""},
                                 {"GlobalIPv6PrefixLen", 0},
                                 {"IPAddress", ""},
                                 {"IPPrefixLen", 0},
                                 {"IPv6Gateway", ""},
                                 {"MacAddress", ""},
                                 {"Networks", {{"none", NoneNetwork()}}}}}};
}

}  // namespace fakedocker
