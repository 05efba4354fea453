#include "fakes/dockerd/api/daemon.h"

#include <algorithm>
#include <cstdio>

namespace fakedocker {
namespace {

constexpr const char* kImages[] = {"nginx:1.25", "redis:7.2", "postgres:16", "busybox:1.36",
                                   "leakbench/fake:latest"};

}  // namespace

Daemon::Daemon(boost::asio::io_context& io, DaemonConfig config)
    : io_(io),
      config_(std::move(config)),
      faults_(config_.seed ^ 0x5eedfa17ULL),
      rng_(config_.seed),
      tick_timer_(io),
      started_at_(NowNanos()) {}

Daemon::~Daemon() { tick_timer_.cancel(); }

void Daemon::Boot() {
  for (size_t i = 0; i < config_.containers; ++i) {
    auto c = Create(DefaultSpec(created_));
    Start(*c);
  }
  ticking_ = true;
  ScheduleTick();
}

void Daemon::Shutdown(const std::string& reason) {
  ticking_ = false;
  tick_timer_.cancel();
  AbortAllStreams(reason);
}

void Daemon::AbortAllStreams(const std::string& reason) {
  auto sessions = sessions_;  // Abort unregisters
  for (auto& [id, s] : sessions) s->Abort(reason);
  sessions_.clear();
}

std::shared_ptr<StreamSession> Daemon::Unregister(uint64_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  std::shared_ptr<StreamSession> session = std::move(it->second);
  sessions_.erase(it);
  return session;
}

void Daemon::SettleClosedStreams() {
  for (const uint64_t id : hangups_.HungUp()) {
    auto it = sessions_.find(id);
    // A key of a stream that already ended: its keep-alive connection is
    // still open, and it leaves the watch when that closes.
    if (it == sessions_.end()) continue;
    const std::shared_ptr<StreamSession> session = it->second;  // settling unregisters
    session->SettleIfClientGone();
  }
}

ContainerSpec Daemon::DefaultSpec(size_t index) {
  ContainerSpec spec;
  char name[64];
  std::snprintf(name, sizeof name, "%s-%04zu", config_.name_prefix.c_str(), index + 1);
  spec.name = name;
  spec.image = kImages[index % std::size(kImages)];
  spec.generator = config_.generator;
  // Spread TTY containers evenly: container i is TTY when the running share
  // crosses a whole number, so 0.25 makes every fourth one TTY.
  double f = config_.tty_fraction;
  spec.tty = static_cast<size_t>(static_cast<double>(index + 1) * f) > static_cast<size_t>(static_cast<double>(index) * f);
  spec.labels = {{"com.leakbench.fake", "true"},
                 {"com.leakbench.index", std::to_string(index + 1)},
                 {"com.leakbench.group", index % 2 == 0 ? "even" : "odd"}};
  return spec;
}

std::string Daemon::NewId() {
  static const char kHex[] = "0123456789abcdef";
  for (;;) {
    std::string id;
    for (int i = 0; i < 4; ++i) {
      uint64_t v = rng_();
      for (int j = 0; j < 16; ++j) id.push_back(kHex[(v >> (j * 4)) & 0xf]);
    }
    // Unique in its first 12 hex among every id ever made (a set: a linear
    // scan made `add count: 100000` quadratic).
    if (cid12s_.insert(id.substr(0, 12)).second) return id;
  }
}

std::shared_ptr<Container> Daemon::Create(ContainerSpec spec) {
  if (spec.name.empty()) spec.name = DefaultSpec(created_).name;
  ++created_;
  auto c = std::make_shared<Container>(NewId(), std::move(spec), config_.retention, rng_(), NowNanos());
  containers_.push_back(c);
  Publish(*c, "create");
  return c;
}

void Daemon::Publish(const Container& c, const std::string& action, std::map<std::string, std::string> extra) {
  Event e;
  e.time = NowNanos();
  e.action = action;
  e.id = c.id();
  e.from = c.spec().image;
  e.attributes = c.spec().labels;
  e.attributes["image"] = c.spec().image;
  e.attributes["name"] = c.name();
  for (auto& [k, v] : extra) e.attributes[k] = v;
  events_.Publish(std::move(e));
}

std::optional<OpError> Daemon::Start(Container& c) {
  if (c.running()) return OpError{304, ""};
  if (c.state() == ContainerState::kRemoving || c.state() == ContainerState::kRemoved) {
    return OpError{409, "container is marked for removal and cannot be started"};
  }
  c.MarkRunning(NowNanos(), ++next_pid_);
  Publish(c, "start");
  return std::nullopt;
}

void Daemon::Exited(Container& c, int exit_code) {
  c.MarkExited(NowNanos(), exit_code);
  Publish(c, "die", {{"exitCode", std::to_string(exit_code)}});
}

std::optional<OpError> Daemon::Stop(Container& c) {
  if (!c.running()) return OpError{304, ""};
  Publish(c, "kill", {{"signal", "15"}});
  Exited(c, 143);
  Publish(c, "stop");
  return std::nullopt;
}

std::optional<OpError> Daemon::Kill(Container& c, int signal) {
  if (!c.running()) {
    return OpError{409, "Cannot kill container: " + c.name() + ": Container " + c.id() + " is not running"};
  }
  Publish(c, "kill", {{"signal", std::to_string(signal)}});
  Exited(c, 128 + signal);
  return std::nullopt;
}

std::optional<OpError> Daemon::Restart(Container& c) {
  if (c.running()) Stop(c);
  Start(c);
  Publish(c, "restart");
  return std::nullopt;
}

std::optional<OpError> Daemon::Remove(Container& c, bool force, std::chrono::nanoseconds delay) {
  if (c.state() == ContainerState::kRemoving || c.state() == ContainerState::kRemoved) {
    return OpError{409, "removal of container " + c.name() + " is already in progress"};
  }
  if (c.running()) {
    if (!force) {
      return OpError{409, "You cannot remove a running container " + c.id() +
                              ". Stop the container before attempting removal or force remove"};
    }
    Kill(c, 9);
  }
  c.MarkRemoving();
  auto it = std::find_if(containers_.begin(), containers_.end(), [&](const auto& p) { return p.get() == &c; });
  std::shared_ptr<Container> keep = it == containers_.end() ? nullptr : *it;
  auto done = [this, keep] {
    if (!keep || keep->state() == ContainerState::kRemoved) return;
    Publish(*keep, "destroy");
    keep->MarkRemoved();
    std::erase(containers_, keep);
  };
  if (delay.count() > 0) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
    timer->async_wait([timer, done](boost::system::error_code ec) {
      if (!ec) done();
    });
  } else {
    done();
  }
  return std::nullopt;
}

std::optional<OpError> Daemon::Rename(Container& c, const std::string& name) {
  std::string clean = name.starts_with('/') ? name.substr(1) : name;
  if (clean.empty()) return OpError{400, "Neither old nor new names may be empty"};
  for (const auto& other : containers_) {
    if (other.get() != &c && other->name() == clean) {
      return OpError{409, "Conflict. The container name \"/" + clean + "\" is already in use by container \"" +
                              other->id() + "\". You have to remove (or rename) that container to be able to reuse that name."};
    }
  }
  std::string old = c.name();
  c.set_name(clean);
  Publish(c, "rename", {{"oldName", "/" + old}});
  return std::nullopt;
}

size_t Daemon::Emit(Container& c, size_t lines, bool same_timestamp) {
  size_t n = c.EmitNow(NowNanos(), lines, same_timestamp);
  c.NotifyLines();
  return n;
}

std::shared_ptr<Container> Daemon::Resolve(std::string_view ref, OpError* error) const {
  std::string_view name = ref.starts_with('/') ? ref.substr(1) : ref;
  if (ref.empty()) {
    *error = {404, "No such container: "};
    return nullptr;
  }
  for (const auto& c : containers_) {
    if (c->id() == ref) return c;
  }
  for (const auto& c : containers_) {
    if (c->name() == name) return c;
  }
  std::shared_ptr<Container> found;
  for (const auto& c : containers_) {
    if (c->id().starts_with(ref)) {
      if (found) {
        *error = {500, "Multiple IDs found with provided prefix: " + std::string(ref)};
        return nullptr;
      }
      found = c;
    }
  }
  if (!found) *error = {404, "No such container: " + std::string(ref)};
  return found;
}

std::vector<std::shared_ptr<Container>> Daemon::List() const { return containers_; }

void Daemon::ScheduleTick() {
  if (!ticking_) return;
  tick_timer_.expires_after(config_.tick);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    Tick();
    ScheduleTick();
  });
}

void Daemon::Tick() {
  UnixNanos now = NowNanos();
  auto containers = containers_;  // exits may publish events that add or remove
  for (auto& c : containers) {
    if (!c->running()) continue;
    c->EmitDue(now);
    c->NotifyLines();
    if (c->exit_due()) Exited(*c, 0);
  }
}

}  // namespace fakedocker
