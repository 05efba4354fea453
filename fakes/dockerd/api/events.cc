#include "fakes/dockerd/api/events.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace fakedocker {

std::string Event::ToJsonLine() const {
  nlohmann::ordered_json j;
  if (type == "container") {  // dockerd still fills the deprecated fields for containers
    j["status"] = action;
    j["id"] = id;
    j["from"] = from;
  }
  j["Type"] = type;
  j["Action"] = action;
  nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
  for (const auto& [k, v] : attributes) attrs[k] = v;  // std::map: sorted like Go's maps
  j["Actor"] = {{"ID", id}, {"Attributes", attrs}};
  j["scope"] = "local";
  j["time"] = time / 1'000'000'000;
  j["timeNano"] = time;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

bool Event::Matches(const Filters& f) const {
  if (!f.AnyOrAbsent("type", [&](const std::string& v) { return v == type; })) return false;
  if (!f.AnyOrAbsent("event", [&](const std::string& v) { return v == action; })) return false;
  if (!f.AnyOrAbsent("container", [&](const std::string& v) {
        auto name = attributes.find("name");
        // dockerd matches a prefix of the id or of the name.
        return id.starts_with(v) || (name != attributes.end() && name->second.starts_with(v));
      })) {
    return false;
  }
  if (!f.AnyOrAbsent("image", [&](const std::string& v) { return v == from; })) return false;
  return f.MatchLabels(attributes);
}

void EventLog::Publish(Event e) {
  recent_.push_back(std::move(e));
  if (recent_.size() > kReplay) recent_.pop_front();
  ++published_;
  const Event ev = recent_.back();  // an observer may publish in turn
  auto observers = observers_;
  for (auto& weak : observers) {
    if (auto o = weak.lock()) o->OnEvent(ev);
  }
  std::erase_if(observers_, [](const auto& w) { return w.expired(); });
}

}  // namespace fakedocker
