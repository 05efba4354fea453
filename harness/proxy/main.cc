// leakbench-proxy: a transparent counting proxy on a Docker daemon's Unix
// socket. A follower given --listen as DOCKER_HOST talks to the daemon at
// --upstream unchanged; the proxy records every request and every log
// stream and answers GET /truth, /streams and /requests on --control in the
// shapes of fake-dockerd's control API. Prints one line when it listens.
// Exit 0 on SIGTERM/SIGINT, 2 on bad flags or a socket it cannot bind.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "harness/proxy/proxy_record.h"
#include "harness/proxy/proxy_server.h"

namespace {

leakbench::proxy::ProxyServer* g_server = nullptr;

void OnSignal(int) {
  if (g_server != nullptr) g_server->Stop();  // one write(2) to an eventfd
}

int Usage(const std::string& why) {
  std::fprintf(stderr,
               "leakbench-proxy: %s\nusage: leakbench-proxy --listen SOCKET --upstream unix://DAEMON_SOCKET "
               "[--control SOCKET]\n",
               why.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  leakbench::proxy::ProxyOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      Usage("a counting proxy for a Docker daemon's Unix socket");
      return 0;
    }
    if (i + 1 >= argc) return Usage(std::string(flag) + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--listen") {
      options.listen_path = value;
    } else if (flag == "--upstream") {
      options.upstream_path = value.rfind("unix://", 0) == 0 ? value.substr(7) : value;
      if (value.find("://") != std::string::npos && value.rfind("unix://", 0) != 0) {
        return Usage("--upstream '" + value.substr(0, 200) + "': only unix:// daemons can be proxied");
      }
    } else if (flag == "--control") {
      options.control_path = value;
    } else {
      return Usage("unknown flag '" + std::string(flag).substr(0, 100) + "'");
    }
  }
  if (options.listen_path.empty() || options.upstream_path.empty()) return Usage("--listen and --upstream are required");
  signal(SIGPIPE, SIG_IGN);
  try {
    leakbench::proxy::ProxyRecord record;
    leakbench::proxy::ProxyServer server(options, record);
    g_server = &server;
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::printf("leakbench-proxy: listening on %s for %s, control on %s\n", options.listen_path.c_str(),
                options.upstream_path.c_str(), options.control_path.empty() ? "(none)" : options.control_path.c_str());
    std::fflush(stdout);
    server.Run();
    g_server = nullptr;
  } catch (const std::exception& e) {
    g_server = nullptr;
    std::fprintf(stderr, "leakbench-proxy: %s\n", e.what());
    return 2;
  }
  return 0;
}
