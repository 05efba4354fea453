// fake-dockerd: parses flags, raises the fd limit, boots the daemon and its
// two servers on one io_context thread, plays the scenario, and exits 0 on
// SIGTERM/SIGINT after closing every stream and removing its sockets.
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdio>

#include "fakes/dockerd/control/options.h"
#include "fakes/dockerd/control/server.h"

namespace {

void RaiseFdLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = fakedocker::ParseOptions(argc, argv, &exit_code);
  if (!options) return exit_code;
  std::signal(SIGPIPE, SIG_IGN);
  RaiseFdLimit();

  boost::asio::io_context io(1);
  fakedocker::Daemon daemon(io, options->daemon);
  fakedocker::Server server(io, daemon, options->socket, options->control_socket);
  try {
    server.Start();
  } catch (const fakedocker::ListenError& e) {
    std::fprintf(stderr, "fake-dockerd: %s\n", e.what());
    return 2;
  }
  daemon.Boot();
  std::optional<fakedocker::ScenarioPlayer> player;
  if (options->scenario) {
    player.emplace(io, server.actions(), *options->scenario);
    player->Start();
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer shutdown_timer(io);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    std::fprintf(stderr, "fake-dockerd: %s: closing every stream and exiting\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    daemon.Shutdown("shutdown");  // log streams write their terminating chunk
    server.StopListening();
    // Give those last writes a moment, then close whatever is left.
    shutdown_timer.expires_after(std::chrono::milliseconds(200));
    shutdown_timer.async_wait([&](boost::system::error_code) {
      server.Stop();
      io.stop();
    });
  });

  // One line on stdout that drivers wait for: the sockets are accepting.
  std::printf("{\"ready\":true,\"pid\":%d,\"socket\":\"%s\",\"control_socket\":\"%s\",\"containers\":%zu}\n", getpid(),
              options->socket.c_str(), options->control_socket.c_str(), options->daemon.containers);
  std::fflush(stdout);
  io.run();
  return 0;
}
