// loki-null-receiver: the repository's Loki push endpoint
// (common/loki_push_receiver.h, what leakbench and the durability tests use
// as Loki) as a process of its own, for core/bench/cpu_per_gb.sh: it parses
// every push, answers 204 and throws the lines away. Prints its URL
// ("http://127.0.0.1:PORT") on stdout, then serves until SIGTERM or SIGINT,
// and says on stderr how many pushes and lines it took.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <exception>

#include "common/loki_push_receiver.h"

int main() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before the server thread starts
  try {
    leakbench::LokiPushReceiver receiver([](std::string_view, std::string_view, std::string_view) {});
    std::printf("%s\n", receiver.url().c_str());
    std::fflush(stdout);
    int signal = 0;
    sigwait(&stop, &signal);
    const leakbench::LokiPushReceiver::Stats stats = receiver.stats();
    std::fprintf(stderr, "loki-null-receiver: %llu pushes taken, %llu lines, %llu rejected\n",
                 static_cast<unsigned long long>(stats.accepted),
                 static_cast<unsigned long long>(stats.lines),
                 static_cast<unsigned long long>(stats.rejected));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loki-null-receiver: %s\n", e.what());
    return 1;
  }
  return 0;
}
