// The daemon's event log: container lifecycle events in dockerd's JSON shape,
// the last 256 kept for `since` replays (as dockerd keeps them), and the
// streams that follow /events told of each new one. Not thread-safe: owned by
// the daemon's event loop.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fakes/dockerd/api/filters.h"
#include "fakes/dockerd/model/timestamp.h"

namespace fakedocker {

struct Event {
  UnixNanos time = 0;
  std::string type = "container";
  std::string action;  // create, start, kill, die, stop, destroy, rename, ...
  std::string id;
  std::string from;    // image
  std::map<std::string, std::string> attributes;  // name, image, labels, exitCode, ...

  // One line of /events: dockerd's field order, then "\n".
  std::string ToJsonLine() const;
  // Docker's events filters: type, event, container (id or name), image, label.
  bool Matches(const Filters& filters) const;
};

class EventObserver {
 public:
  virtual ~EventObserver() = default;
  virtual void OnEvent(const Event& e) = 0;
};

class EventLog {
 public:
  static constexpr size_t kReplay = 256;

  void Publish(Event e);
  const std::deque<Event>& recent() const { return recent_; }
  uint64_t published() const { return published_; }
  void AddObserver(std::weak_ptr<EventObserver> o) { observers_.push_back(std::move(o)); }
  // A restarted dockerd has no events to replay.
  void ForgetRecent() { recent_.clear(); }

 private:
  std::deque<Event> recent_;
  uint64_t published_ = 0;
  std::vector<std::weak_ptr<EventObserver>> observers_;
};

}  // namespace fakedocker
