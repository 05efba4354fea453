#include "core/docker/docker_json.h"

#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/docker/request_path.h"

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

// The elements of a top-level JSON array, as text, without parsing them:
// one entry with a lone surrogate escape or invalid UTF-8 must not make
// the whole list unreadable. nullopt when `body` is not an array whose
// brackets, braces and strings are balanced.
std::optional<std::vector<std::string_view>> SplitArray(std::string_view body) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::size_t i = 0;
  while (i < body.size() && is_space(body[i])) ++i;
  if (i == body.size() || body[i] != '[') return std::nullopt;
  ++i;
  std::vector<std::string_view> items;
  std::size_t start = i;
  std::size_t depth = 0;
  bool in_string = false;
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (depth == 0 && (c == ',' || c == ']')) {
      std::string_view item = body.substr(start, i - start);
      const bool blank = item.find_first_not_of(" \t\n\r") == std::string_view::npos;
      if (c == ']' && blank && items.empty()) break;  // "[]"
      if (blank) return std::nullopt;                    // "[1,,2]", "[1,]"
      items.push_back(item);
      start = i + 1;
      if (c == ']') break;
    } else if (depth == 0 && c == '}') {
      return std::nullopt;
    }
  }
  if (i >= body.size()) return std::nullopt;  // no closing ']'
  for (++i; i < body.size(); ++i) {
    if (!is_space(body[i])) return std::nullopt;
  }
  return items;
}

// One entry of GET /containers/json; throws DockerJsonError saying what is
// wrong with it.
ContainerSummary ParseListEntry(std::string_view text) {
  json item;
  try {
    item = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw DockerJsonError(std::string("not valid JSON (") + e.what() + ")");
  }
  if (!item.is_object()) throw DockerJsonError("not an object");
  ContainerSummary c;
  c.id = StringField(item, "Id");
  if (c.id.empty()) throw DockerJsonError("no Id");
  if (!IsContainerId(c.id)) {
    throw DockerJsonError("Id \"" + c.id + "\" is not a container id (12 to 64 lowercase hex digits)");
  }
  if (auto names = item.find("Names");
      names != item.end() && names->is_array() && !names->empty() && (*names)[0].is_string()) {
    c.name = StripSlash((*names)[0].get<std::string>());
  }
  c.state = StringField(item, "State");
  c.labels = LabelsOf(item, "Labels");
  return c;
}

}  // namespace

std::vector<ContainerSummary> ParseContainerList(std::string_view body, std::vector<std::string>* skipped) {
  const std::optional<std::vector<std::string_view>> items = SplitArray(body);
  if (!items) {
    ParseObjectOrArray(body, "container list");  // throws when it is not JSON at all
    throw DockerJsonError("container list: expected a JSON array");
  }
  std::vector<ContainerSummary> out;
  out.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    try {
      out.push_back(ParseListEntry((*items)[i]));
    } catch (const DockerJsonError& e) {
      if (skipped != nullptr) skipped->push_back("container list entry " + std::to_string(i) + ": " + e.what());
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
    if (ev.type == "container" && !ev.id.empty() && !IsContainerId(ev.id)) {
      throw DockerJsonError("container id \"" + ev.id + "\" is not 12 to 64 lowercase hex digits");
    }
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
