#include "harness/proxy/proxy_server.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "harness/proxy/control_answer.h"
#include "harness/proxy/http_exchange.h"
#include "harness/proxy/http_head.h"

namespace leakbench::proxy {
namespace {

// epoll data: id << 2 | kind.
enum Kind : std::uint64_t { kClientSide = 0, kDaemonSide = 1, kControlConn = 2, kSpecial = 3 };
constexpr std::uint64_t kListenId = 0, kControlListenId = 1, kWakeId = 2;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxControlRequest = 16 * 1024;

std::string ErrnoText(int err) { return std::generic_category().message(err); }

sockaddr_un Address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    throw ProxyError("socket path '" + path.substr(0, 200) + "' is empty or longer than " +
                     std::to_string(sizeof addr.sun_path - 1) + " bytes; use a shorter directory");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

UniqueFd Listen(const std::string& path) {
  const sockaddr_un addr = Address(path);
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw ProxyError(path + " exists and is not a socket; give another path");
    unlink(path.c_str());
  }
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) throw ProxyError("socket(): " + ErrnoText(errno));
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw ProxyError("cannot bind " + path + ": " + ErrnoText(errno));
  }
  if (listen(fd.get(), 4096) != 0) throw ProxyError("cannot listen on " + path + ": " + ErrnoText(errno));
  return fd;
}

// A blocking connect (a Unix socket connects at once unless the daemon's
// backlog is full; bounded by SO_SNDTIMEO), then non-blocking.
UniqueFd ConnectUpstream(const std::string& path, std::string* why) {
  const sockaddr_un addr = Address(path);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    *why = "socket(): " + ErrnoText(errno);
    return {};
  }
  timeval tv{5, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    *why = "cannot connect to the daemon at " + path + ": " + ErrnoText(errno);
    return {};
  }
  fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  return fd;
}

void Add(int epoll, int fd, std::uint64_t data, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev) != 0) throw ProxyError("epoll_ctl ADD: " + ErrnoText(errno));
}

}  // namespace

namespace proxy_server_detail {

// Bytes waiting to be written: a string and how much of it went out.
struct Outbox {
  std::string data;
  std::size_t sent = 0;
  std::size_t pending() const { return data.size() - sent; }
  void Append(std::string_view bytes) {
    if (sent > 0 && sent == data.size()) {
      data.clear();
      sent = 0;
    }
    data.append(bytes);
  }
  // Writes what it can; false on a hard error.
  bool WriteTo(int fd, std::uint64_t* written) {
    while (pending() > 0) {
      const ssize_t n = send(fd, data.data() + sent, pending(), MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
        *written += static_cast<std::uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      return false;
    }
    if (sent == data.size()) {
      data.clear();
      sent = 0;
    } else if (sent > (1 << 20)) {
      data.erase(0, sent);
      sent = 0;
    }
    return true;
  }
};

}  // namespace proxy_server_detail

using proxy_server_detail::Outbox;

struct ProxyServer::Pair {
  std::uint64_t id = 0;
  UniqueFd client, daemon;
  Outbox to_daemon, to_client;
  bool client_eof = false, daemon_eof = false;      // read side ended
  bool daemon_shut = false, client_shut = false;    // we shut its write side
  std::uint32_t client_mask = 0, daemon_mask = 0;  // 0: not in the epoll set
  std::unique_ptr<HttpExchange> http;
};

struct ProxyServer::Control {
  UniqueFd fd;
  std::string in;
  Outbox out;
  bool answered = false;
};

ProxyServer::ProxyServer(ProxyOptions options, ProxyRecord& record) : options_(std::move(options)), record_(record) {
  epoll_ = UniqueFd(epoll_create1(EPOLL_CLOEXEC));
  wake_ = UniqueFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!epoll_.valid() || !wake_.valid()) throw ProxyError("epoll/eventfd: " + ErrnoText(errno));
  Address(options_.upstream_path);  // checks the length now
  listen_ = Listen(options_.listen_path);
  Add(epoll_.get(), listen_.get(), kListenId << 2 | kSpecial, EPOLLIN);
  if (!options_.control_path.empty()) {
    control_ = Listen(options_.control_path);
    Add(epoll_.get(), control_.get(), kControlListenId << 2 | kSpecial, EPOLLIN);
  }
  Add(epoll_.get(), wake_.get(), kWakeId << 2 | kSpecial, EPOLLIN);
}

ProxyServer::~ProxyServer() {
  pairs_.clear();
  unlink(options_.listen_path.c_str());
  if (!options_.control_path.empty()) unlink(options_.control_path.c_str());
}

void ProxyServer::Stop() {
  const std::uint64_t one = 1;
  (void)!write(wake_.get(), &one, sizeof one);
}

void ProxyServer::Run() {
  std::vector<epoll_event> events(256);
  for (;;) {
    const int n = epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ProxyError("epoll_wait: " + ErrnoText(errno));
    }
    for (int i = 0; i < n; ++i) {
      // epoll_event is packed: copy the fields out before use.
      const std::uint64_t data = events[i].data.u64;
      const std::uint32_t what = events[i].events;
      const std::uint64_t id = data >> 2;
      switch (data & 3) {
        case kClientSide: OnPair(id, true, what); break;
        case kDaemonSide: OnPair(id, false, what); break;
        case kControlConn: OnControl(id, what); break;
        default:
          if (id == kWakeId) {
            pairs_.clear();
            controls_.clear();
            connection_count_ = 0;
            return;
          }
          if (id == kListenId) Accept();
          if (id == kControlListenId) AcceptControl();
      }
    }
  }
}

void ProxyServer::Accept() {
  for (;;) {
    UniqueFd client(accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!client.valid()) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN, or out of fds (EMFILE): the next readiness retries
    }
    std::string why;
    UniqueFd daemon = ConnectUpstream(options_.upstream_path, &why);
    if (!daemon.valid()) {
      record_.UpstreamFailed(why);
      continue;  // the client sees its connection closed, as with a daemon that is down
    }
    auto p = std::make_unique<Pair>();
    p->id = next_id_++;
    p->client = std::move(client);
    p->daemon = std::move(daemon);
    p->http = std::make_unique<HttpExchange>(record_);
    p->client_mask = p->daemon_mask = EPOLLIN;
    Add(epoll_.get(), p->client.get(), p->id << 2 | kClientSide, EPOLLIN);
    Add(epoll_.get(), p->daemon.get(), p->id << 2 | kDaemonSide, EPOLLIN);
    pairs_.emplace(p->id, std::move(p));
    ++connection_count_;
  }
}

void ProxyServer::OnPair(std::uint64_t id, bool client_side, std::uint32_t events) {
  auto it = pairs_.find(id);
  if (it == pairs_.end()) return;
  Pair& p = *it->second;
  bool alive = true;
  if (events & EPOLLOUT) alive = Flush(p, client_side);
  if (alive && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) alive = Pump(p, client_side);
  if (!alive || (p.client_eof && p.daemon_eof && p.to_client.pending() == 0 && p.to_daemon.pending() == 0)) {
    ClosePair(id);
    return;
  }
  Rearm(p);
}

bool ProxyServer::Pump(Pair& p, bool from_client) {
  const int src = from_client ? p.client.get() : p.daemon.get();
  Outbox& out = from_client ? p.to_daemon : p.to_client;
  bool& eof = from_client ? p.client_eof : p.daemon_eof;
  if (eof) return true;
  char buf[kReadChunk];
  for (int round = 0; round < 4 && out.pending() < options_.buffer_limit; ++round) {
    const ssize_t n = recv(src, buf, sizeof buf, 0);
    if (n > 0) {
      const std::string_view bytes(buf, static_cast<std::size_t>(n));
      // Observed before it is forwarded: a response head is recorded
      // before the client can act on it.
      if (from_client) {
        p.http->FromClient(bytes);
      } else {
        p.http->FromDaemon(bytes);
      }
      out.Append(bytes);
      if (!Flush(p, !from_client)) return false;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    // EOF, or a reset: this side is done reading.
    eof = true;
    if (from_client) {
      p.http->ClientClosed();
    } else {
      p.http->DaemonClosed();
    }
    if (n < 0) return false;  // a reset: nothing more will flow
    return Flush(p, !from_client);  // passes the half-close on once drained
  }
  return true;
}

bool ProxyServer::Flush(Pair& p, bool to_client) {
  Outbox& out = to_client ? p.to_client : p.to_daemon;
  const int fd = to_client ? p.client.get() : p.daemon.get();
  std::uint64_t written = 0;
  const bool ok = out.WriteTo(fd, &written);
  if (written > 0) record_.Forwarded(to_client ? 0 : written, to_client ? written : 0);
  if (!ok) {
    (to_client ? p.http->ClientClosed() : p.http->DaemonClosed());
    return false;
  }
  const bool source_eof = to_client ? p.daemon_eof : p.client_eof;
  bool& shut = to_client ? p.client_shut : p.daemon_shut;
  if (source_eof && out.pending() == 0 && !shut) {
    shutdown(fd, SHUT_WR);
    shut = true;
  }
  return true;
}

void ProxyServer::Rearm(Pair& p) {
  auto want = [&](bool is_client) {
    const bool eof = is_client ? p.client_eof : p.daemon_eof;
    const Outbox& toward_other = is_client ? p.to_daemon : p.to_client;
    const Outbox& toward_me = is_client ? p.to_client : p.to_daemon;
    std::uint32_t m = 0;
    if (!eof && toward_other.pending() < options_.buffer_limit) m |= EPOLLIN;
    if (toward_me.pending() > 0) m |= EPOLLOUT;
    return m;
  };
  // A side that has nothing to read or write leaves the epoll set: a
  // hung-up socket would otherwise report EPOLLHUP again and again.
  for (bool is_client : {true, false}) {
    const std::uint32_t m = want(is_client);
    std::uint32_t& current = is_client ? p.client_mask : p.daemon_mask;
    if (m == current) continue;
    const int fd = is_client ? p.client.get() : p.daemon.get();
    epoll_event ev{};
    ev.events = m;
    ev.data.u64 = p.id << 2 | (is_client ? kClientSide : kDaemonSide);
    if (m == 0) {
      epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    } else {
      epoll_ctl(epoll_.get(), current == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
    }
    current = m;
  }
}

void ProxyServer::ClosePair(std::uint64_t id) {
  auto it = pairs_.find(id);
  if (it == pairs_.end()) return;
  if (it->second->client_mask != 0) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second->client.get(), nullptr);
  if (it->second->daemon_mask != 0) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second->daemon.get(), nullptr);
  pairs_.erase(it);  // the exchange ends whatever is still open, then the fds close
  --connection_count_;
}

void ProxyServer::AcceptControl() {
  for (;;) {
    UniqueFd fd(accept4(control_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd.valid()) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    auto c = std::make_unique<Control>();
    c->fd = std::move(fd);
    const std::uint64_t id = next_id_++;
    Add(epoll_.get(), c->fd.get(), id << 2 | kControlConn, EPOLLIN);
    controls_.emplace(id, std::move(c));
  }
}

void ProxyServer::OnControl(std::uint64_t id, std::uint32_t events) {
  auto it = controls_.find(id);
  if (it == controls_.end()) return;
  Control& c = *it->second;
  bool done = false;
  if (!c.answered && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
    char buf[4096];
    const ssize_t n = recv(c.fd.get(), buf, sizeof buf, 0);
    if (n > 0) c.in.append(buf, static_cast<std::size_t>(n));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) done = true;
    HttpHead head;
    const HeadResult r = ParseRequestHead(c.in, &head);
    if (!done && (r.status != HeadStatus::kNeedMore || c.in.size() > kMaxControlRequest)) {
      const ControlReply reply = r.status == HeadStatus::kDone
                                     ? AnswerControl(record_, head.method, head.target)
                                     : ControlReply{400, R"({"message":"malformed request"})"};
      c.out.Append("HTTP/1.1 " + std::to_string(reply.status) + (reply.status == 200 ? " OK" : " Error") +
                   "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(reply.body.size()) +
                   "\r\nConnection: close\r\n\r\n" + reply.body);
      c.answered = true;
    }
  }
  if (c.answered && !done) {
    std::uint64_t written = 0;
    done = !c.out.WriteTo(c.fd.get(), &written) || c.out.pending() == 0;
    if (!done) {
      epoll_event ev{};
      ev.events = EPOLLOUT;
      ev.data.u64 = id << 2 | kControlConn;
      epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
    }
  }
  if (done) {
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
    controls_.erase(it);
  }
}

}  // namespace leakbench::proxy
