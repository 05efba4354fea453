#include "core/docker/docker_json.h"

#include <limits>

#include <nlohmann/json.hpp>

namespace logcap {
namespace {

using nlohmann::json;

json ParseObjectOrArray(std::string_view body, std::string_view what) {
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw DockerJsonError(std::string(what) + ": the daemon's answer is not JSON");
  return doc;
}

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) throw DockerJsonError(std::string("field '") + key + "' is not a string");
  return it->get<std::string>();
}

std::string StripSlash(std::string name) {
  if (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

Labels LabelsOf(const json& obj, const char* key) {
  Labels labels;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return labels;
  if (!it->is_object()) throw DockerJsonError(std::string("field '") + key + "' is not an object");
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) labels.emplace(k, v.get<std::string>());
  }
  return labels;
}

}  // namespace

std::vector<ContainerSummary> ParseContainerList(std::string_view body) {
  json doc = ParseObjectOrArray(body, "container list");
  if (!doc.is_array()) throw DockerJsonError("container list: expected a JSON array");
  std::vector<ContainerSummary> out;
  out.reserve(doc.size());
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const json& item = doc[i];
    try {
      if (!item.is_object()) throw DockerJsonError("not an object");
      ContainerSummary c;
      c.id = StringField(item, "Id");
      if (c.id.empty()) throw DockerJsonError("no Id");
      if (auto names = item.find("Names"); names != item.end() && names->is_array() && !names->empty() &&
                                          (*names)[0].is_string()) {
        c.name = StripSlash((*names)[0].get<std::string>());
      }
      c.state = StringField(item, "State");
      c.labels = LabelsOf(item, "Labels");
      out.push_back(std::move(c));
    } catch (const DockerJsonError& e) {
      throw DockerJsonError("container list entry " + std::to_string(i) + ": " + e.what());
    }
  }
  return out;
}

ContainerInfo ParseContainerInspect(std::string_view body) {
  json doc = ParseObjectOrArray(body, "container inspect");
  if (!doc.is_object()) throw DockerJsonError("container inspect: expected a JSON object");
  try {
    ContainerInfo info;
    info.id = StringField(doc, "Id");
    if (info.id.empty()) throw DockerJsonError("no Id");
    info.name = StripSlash(StringField(doc, "Name"));
    if (auto cfg = doc.find("Config"); cfg != doc.end() && cfg->is_object()) {
      if (auto tty = cfg->find("Tty"); tty != cfg->end() && tty->is_boolean()) info.tty = tty->get<bool>();
      info.labels = LabelsOf(*cfg, "Labels");
    }
    if (auto state = doc.find("State"); state != doc.end() && state->is_object()) {
      if (auto r = state->find("Running"); r != state->end() && r->is_boolean()) info.running = r->get<bool>();
    }
    return info;
  } catch (const DockerJsonError& e) {
    throw DockerJsonError(std::string("container inspect: ") + e.what());
  }
}

ContainerEvent ParseEvent(std::string_view line) {
  json doc = ParseObjectOrArray(line, "event");
  if (!doc.is_object()) throw DockerJsonError("event: expected a JSON object");
  try {
    ContainerEvent ev;
    ev.type = StringField(doc, "Type");
    ev.action = StringField(doc, "Action");
    if (ev.action.empty()) ev.action = StringField(doc, "status");
    if (auto actor = doc.find("Actor"); actor != doc.end() && actor->is_object()) {
      ev.id = StringField(*actor, "ID");
      if (auto attrs = actor->find("Attributes"); attrs != actor->end() && attrs->is_object()) {
        ev.name = StringField(*attrs, "name");
      }
    }
    if (ev.id.empty()) ev.id = StringField(doc, "id");
    if (auto t = doc.find("timeNano"); t != doc.end() && t->is_number_integer()) {
      ev.time_nano = t->get<std::int64_t>();
    } else if (auto s = doc.find("time"); s != doc.end() && s->is_number_integer()) {
      // Seconds; beyond +-292 years from 1970 the nanoseconds overflow.
      constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;
      const std::int64_t seconds = s->get<std::int64_t>();
      if (s->is_number_unsigned() ? s->get<std::uint64_t>() > static_cast<std::uint64_t>(kLimit)
                                  : seconds > kLimit || seconds < -kLimit) {
        throw DockerJsonError("field 'time' is out of range");
      }
      ev.time_nano = seconds * 1'000'000'000;
    }
    return ev;
  } catch (const DockerJsonError& e) {
    throw DockerJsonError(std::string("event: ") + e.what());
  }
}

std::string ErrorMessageFromBody(std::string_view body) {
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_object()) {
    if (auto m = doc.find("message"); m != doc.end() && m->is_string()) return m->get<std::string>();
  }
  std::string_view s = body;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  if (s.size() > 200) s = s.substr(0, 200);
  return std::string(s);
}

}  // namespace logcap
