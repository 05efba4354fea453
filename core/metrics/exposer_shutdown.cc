#include "core/metrics/exposer_shutdown.h"

#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "common/unique_fd.h"

namespace logcap {
namespace {

constexpr auto kKnockInterval = std::chrono::milliseconds(5);

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { ::freeaddrinfo(info); }
};
using AddrInfo = std::unique_ptr<addrinfo, AddrInfoDeleter>;

// Where to connect to reach a listener bound to `address`: a wildcard
// address is reached through loopback.
AddrInfo Resolve(const HostPort& address) {
  std::string host = address.host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(address.port).c_str(), &hints, &found) != 0) {
    return nullptr;
  }
  return AddrInfo(found);
}

// Opens and closes one connection to each address of `targets` ("localhost"
// may be both ::1 and 127.0.0.1); errors do not matter.
void Knock(const addrinfo* targets) {
  for (const addrinfo* t = targets; t != nullptr; t = t->ai_next) {
    const leakbench::UniqueFd fd(::socket(t->ai_family, t->ai_socktype | SOCK_CLOEXEC, t->ai_protocol));
    if (fd.valid()) ::connect(fd.get(), t->ai_addr, t->ai_addrlen);
  }
}

}  // namespace

void DestroyExposerPromptly(std::unique_ptr<prometheus::Exposer> exposer, const HostPort& address) {
  const AddrInfo target = Resolve(address);
  if (!target) {
    exposer.reset();  // slow but correct
    return;
  }
  std::atomic<bool> done{false};
  std::thread knocker([&done, &target] {
    while (!done.load(std::memory_order_acquire)) {
      Knock(target.get());
      std::this_thread::sleep_for(kKnockInterval);
    }
  });
  exposer.reset();
  done.store(true, std::memory_order_release);
  knocker.join();
}

}  // namespace logcap
