#include "fakes/dockerd/api/faults.h"

#include <algorithm>
#include <stdexcept>

#include "common/duration.h"
#include "fakes/dockerd/model/checked_value.h"

namespace fakedocker {
namespace {

struct KindName {
  FaultKind kind;
  const char* name;
};

constexpr KindName kKinds[] = {
    {FaultKind::kStall, "stall"},         {FaultKind::kReset, "reset"},
    {FaultKind::kTruncate, "truncate"},   {FaultKind::kMalformed, "malformed"},
    {FaultKind::kErrorFrame, "error_frame"}, {FaultKind::kHttp500, "http_500"},
    {FaultKind::kHttp503, "http_503"},    {FaultKind::kSlow, "slow"},
    {FaultKind::kLatency, "latency"},     {FaultKind::kSlice, "slice"},
    {FaultKind::kSlowClose, "slow_close"}, {FaultKind::kZombie, "zombie"},
};

// A duration string, or a number of seconds; at most kMaxDelay (so a timer's
// "now + d" cannot overflow).
int64_t DurationField(const nlohmann::json& j, const char* key, int64_t def) {
  if (!j.contains(key)) return def;
  const auto& v = j.at(key);
  return CheckedDuration(std::string("fault field '") + key + "'", v, std::chrono::nanoseconds{0}, kMaxDelay)
      .count();
}

std::string StringField(const nlohmann::json& j, const char* key, std::string def) {
  if (!j.contains(key)) return def;
  const auto& v = j.at(key);
  if (!v.is_string()) throw std::invalid_argument(std::string("fault field '") + key + "' must be a string");
  return v.get<std::string>();
}

uint64_t CountField(const nlohmann::json& j, const char* key, uint64_t def) {
  if (!j.contains(key)) return def;
  const auto& v = j.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < 0) {
    throw std::invalid_argument(std::string("fault field '") + key + "' must be a non-negative integer");
  }
  return v.get<uint64_t>();
}

}  // namespace

std::optional<FaultKind> ParseFaultKind(std::string_view name) {
  for (const auto& k : kKinds) {
    if (name == k.name) return k.kind;
  }
  return std::nullopt;
}

const char* FaultKindName(FaultKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

FaultSpec FaultSpec::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("a fault must be a JSON object");
  static const char* kKnown[] = {"kind", "target", "endpoint", "probability", "count", "after_bytes",
                                 "duration", "delay", "bytes_per_s", "chunk_bytes", "variant", "id"};
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return key == k; })) {
      throw std::invalid_argument("unknown fault field '" + CutForMessage(key) + "'");
    }
  }
  if (!j.contains("kind") || !j["kind"].is_string()) {
    throw std::invalid_argument("a fault needs \"kind\": one of stall, reset, truncate, malformed, "
                                "error_frame, http_500, http_503, slow, latency, slice, slow_close, zombie");
  }
  FaultSpec f;
  auto kind = ParseFaultKind(j["kind"].get<std::string>());
  if (!kind) {
    throw std::invalid_argument("unknown fault kind '" + CutForMessage(j["kind"].get<std::string>()) +
                                "' (stall, reset, truncate, malformed, error_frame, http_500, "
                                "http_503, slow, latency, slice, slow_close, zombie)");
  }
  f.kind = *kind;
  f.target = StringField(j, "target", f.target);
  f.endpoint = StringField(j, "endpoint", f.endpoint);
  if (f.endpoint != "logs" && f.endpoint != "events" && f.endpoint != "any") {
    throw std::invalid_argument("fault endpoint must be logs, events or any");
  }
  if (j.contains("probability")) {
    if (!j["probability"].is_number()) throw std::invalid_argument("probability must be a number");
    f.probability = j["probability"].get<double>();
    if (!(f.probability >= 0 && f.probability <= 1)) throw std::invalid_argument("probability must be in [0, 1]");
  }
  f.remaining = CountField(j, "count", 0);
  f.after_bytes = CountField(j, "after_bytes", 0);
  f.duration_ns = DurationField(j, "duration", -1);
  f.delay_ns = DurationField(j, "delay", f.kind == FaultKind::kSlice ? 1'000'000 : 1'000'000'000);
  f.bytes_per_s = CountField(j, "bytes_per_s", 1024);
  f.chunk_bytes = std::max<uint64_t>(1, CountField(j, "chunk_bytes", 3));
  f.variant = StringField(j, "variant", f.variant);
  if (f.variant != "stream" && f.variant != "length") {
    throw std::invalid_argument("malformed variant must be \"stream\" or \"length\"");
  }
  if (f.kind == FaultKind::kSlow && f.bytes_per_s == 0) throw std::invalid_argument("bytes_per_s must be > 0");
  return f;
}

nlohmann::json FaultSpec::ToJson() const {
  nlohmann::json j = {{"id", id},
                      {"kind", FaultKindName(kind)},
                      {"target", target},
                      {"endpoint", endpoint},
                      {"probability", probability},
                      {"count", remaining},
                      {"applied", applied}};
  switch (kind) {
    case FaultKind::kStall:
      j["after_bytes"] = after_bytes;
      j["duration"] = duration_ns < 0 ? "forever" : leakbench::FormatDuration(std::chrono::nanoseconds(duration_ns));
      break;
    case FaultKind::kReset:
    case FaultKind::kTruncate:
    case FaultKind::kErrorFrame:
      j["after_bytes"] = after_bytes;
      break;
    case FaultKind::kMalformed:
      j["after_bytes"] = after_bytes;
      j["variant"] = variant;
      break;
    case FaultKind::kSlow: j["bytes_per_s"] = bytes_per_s; break;
    case FaultKind::kSlice:
      j["chunk_bytes"] = chunk_bytes;
      j["delay"] = leakbench::FormatDuration(std::chrono::nanoseconds(delay_ns));
      break;
    case FaultKind::kLatency:
    case FaultKind::kSlowClose:
      j["delay"] = leakbench::FormatDuration(std::chrono::nanoseconds(delay_ns));
      break;
    default: break;
  }
  return j;
}

uint64_t FaultRegistry::Add(FaultSpec spec) {
  spec.id = next_id_++;
  spec.applied = 0;
  faults_.push_back(spec);
  return spec.id;
}

bool FaultRegistry::Remove(uint64_t id) {
  return std::erase_if(faults_, [&](const FaultSpec& f) { return f.id == id; }) > 0;
}

size_t FaultRegistry::Clear(std::optional<FaultKind> kind) {
  return std::erase_if(faults_, [&](const FaultSpec& f) { return !kind || f.kind == *kind; });
}

}  // namespace fakedocker
