#include "core/config/settings.h"

#include <charconv>
#include <limits>
#include <stdexcept>
#include <utility>

#include "common/seconds_or_duration.h"
#include "common/digits.h"
#include "common/echo_value.h"
#include "core/config/sink_spec.h"

namespace logcap {
namespace {

constexpr std::string_view kDuration =
    "a duration such as 300s, 5m or 2.5s (a plain number means seconds)";
constexpr std::string_view kCount = "a non-negative integer";
constexpr std::string_view kNumber = "a decimal number such as 100 or 2.5";
constexpr std::string_view kText = "a string";
constexpr std::string_view kTextList = "a list of strings";
constexpr std::string_view kTextMap = "a map of strings to strings";

std::size_t Size(std::string_view text) {
  const std::uint64_t n = ParseCountValue(text);
  if (n > std::numeric_limits<std::size_t>::max()) {
    throw std::invalid_argument(leakbench::QuoteValue(text) + " is too large");
  }
  return static_cast<std::size_t>(n);
}

bool ParseLongLines(std::string_view text) {
  if (text == "split") return false;
  if (text == "truncate") return true;
  throw std::invalid_argument("expected split or truncate, got " + leakbench::QuoteValue(text));
}

// Setters for a field reached through a path of member pointers
// (&Config::docker, &DockerConfig::max_streams), so the table below stays
// one entry per key.
template <auto... Path>
auto& Field(Config& c) {
  return (c .* ... .* Path);
}
template <auto... Path>
void SetText(Config& c, std::string_view text) {
  Field<Path...>(c) = std::string(text);
}
void SetDockerHost(Config& c, std::string_view text) {
  if (text.empty()) throw std::invalid_argument("expected unix:///PATH or tcp://HOST:PORT, got ''");
  c.docker.host = std::string(text);
}
template <auto... Path>
void SetDuration(Config& c, std::string_view text) {
  Field<Path...>(c) = ParseDurationValue(text);
}
template <auto... Path>
void SetSize(Config& c, std::string_view text) {
  Field<Path...>(c) = Size(text);
}
template <auto... Path>
void SetNumber(Config& c, std::string_view text) {
  Field<Path...>(c) = ParseNumberValue(text);
}
template <auto... Path>
void SetList(Config& c, std::vector<std::string> list) {
  Field<Path...>(c) = std::move(list);
}

constexpr auto kDocker = &Config::docker;
constexpr auto kSink = &Config::sink;
using D = DockerConfig;
using S = SinkConfig;

const Setting kSettings[] = {
    {"docker.host", SettingShape::kScalar,
     "a URL such as unix:///var/run/docker.sock or tcp://HOST:PORT", SetDockerHost},
    {"docker.rotation_interval", SettingShape::kScalar, kDuration,
     SetDuration<kDocker, &D::rotation_interval>},
    {"docker.rotation_jitter", SettingShape::kScalar, kDuration,
     SetDuration<kDocker, &D::rotation_jitter>},
    {"docker.max_streams", SettingShape::kScalar, kCount, SetSize<kDocker, &D::max_streams>},
    {"docker.oversubscribed_lease", SettingShape::kScalar, kDuration,
     SetDuration<kDocker, &D::oversubscribed_lease>},
    {"docker.include_names", SettingShape::kList, kTextList, nullptr,
     SetList<kDocker, &D::include_names>},
    {"docker.exclude_names", SettingShape::kList, kTextList, nullptr,
     SetList<kDocker, &D::exclude_names>},
    {"docker.include_labels", SettingShape::kList, kTextList, nullptr,
     SetList<kDocker, &D::include_labels>},
    {"docker.exclude_labels", SettingShape::kList, kTextList, nullptr,
     SetList<kDocker, &D::exclude_labels>},
    {"docker.max_line_bytes", SettingShape::kScalar, kCount, SetSize<kDocker, &D::max_line_bytes>},
    {"docker.long_lines", SettingShape::kScalar, "split or truncate",
     [](Config& c, std::string_view t) { c.docker.truncate_long_lines = ParseLongLines(t); }},
    {"docker.backoff_base", SettingShape::kScalar, kDuration, SetDuration<kDocker, &D::backoff_base>},
    {"docker.backoff_cap", SettingShape::kScalar, kDuration, SetDuration<kDocker, &D::backoff_cap>},
    {"docker.request_timeout", SettingShape::kScalar, kDuration,
     SetDuration<kDocker, &D::request_timeout>},
    {"docker.stall_timeout", SettingShape::kScalar, kDuration,
     SetDuration<kDocker, &D::stall_timeout>},
    {"docker.max_opens_per_second", SettingShape::kScalar, kNumber,
     SetNumber<kDocker, &D::max_opens_per_second>},
    {"docker.stream_buffer_bytes", SettingShape::kScalar, kCount,
     SetSize<kDocker, &D::stream_buffer_bytes>},

    {"sink.type", SettingShape::kScalar, "stdout, file or loki",
     [](Config& c, std::string_view t) { c.sink.kind = ParseSinkKind(t); }},
    {"sink.path", SettingShape::kScalar, kText, SetText<kSink, &S::path>},
    {"sink.url", SettingShape::kScalar, kText, SetText<kSink, &S::url>},
    {"sink.buffer_bytes", SettingShape::kScalar, kCount, SetSize<kSink, &S::buffer_bytes>},
    {"sink.batch_bytes", SettingShape::kScalar, kCount, SetSize<kSink, &S::batch_bytes>},
    {"sink.batch_wait", SettingShape::kScalar, kDuration, SetDuration<kSink, &S::batch_wait>},
    {"sink.labels", SettingShape::kMap, kTextMap, nullptr, nullptr,
     [](Config& c, std::map<std::string, std::string> m) { c.sink.loki_labels = std::move(m); }},
    {"sink.on_reject", SettingShape::kScalar, "retry or drop",
     [](Config& c, std::string_view t) { c.sink.on_reject = ParseSinkRejectPolicy(t); }},
    {"sink.file.fsync_interval", SettingShape::kScalar, kDuration,
     SetDuration<kSink, &S::fsync_interval>},
    {"sink.file.max_bytes", SettingShape::kScalar, kCount, SetSize<kSink, &S::max_bytes>},
    {"sink.file.keep", SettingShape::kScalar, kCount, SetSize<kSink, &S::keep>},

    {"metrics.listen", SettingShape::kScalar, "HOST:PORT, or \"\" for no endpoint",
     SetText<&Config::metrics_listen>},

    {"state.file", SettingShape::kScalar, kText, SetText<&Config::state_file>},
    {"state.flush_interval", SettingShape::kScalar, kDuration,
     SetDuration<&Config::state_flush_interval>},

    {"log.level", SettingShape::kScalar, "trace, debug, info, warn, error, critical or off",
     SetText<&Config::log_level>},
};

}  // namespace

std::span<const Setting> AllSettings() { return kSettings; }

const Setting* FindSetting(std::string_view key) {
  for (const Setting& s : kSettings) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

std::vector<std::string_view> SettingSections() {
  std::vector<std::string_view> sections;
  for (const Setting& s : kSettings) {
    const std::string_view section = s.key.substr(0, s.key.find('.'));
    if (sections.empty() || sections.back() != section) sections.push_back(section);
  }
  return sections;
}

std::vector<std::string_view> SettingNamesIn(std::string_view section) {
  std::vector<std::string_view> names;
  for (const Setting& s : kSettings) {
    const std::size_t dot = s.key.find('.');
    if (s.key.substr(0, dot) == section) names.push_back(s.key.substr(dot + 1));
  }
  return names;
}

std::chrono::nanoseconds ParseDurationValue(std::string_view text) {
  if (const auto d = leakbench::ParseSecondsOrDuration(text)) return *d;
  throw std::invalid_argument("expected " + std::string(kDuration) + ", got " + leakbench::QuoteValue(text));
}

std::uint64_t ParseCountValue(std::string_view text) {
  if (!leakbench::IsAllDigits(text)) {
    throw std::invalid_argument("expected " + std::string(kCount) + ", got " + leakbench::QuoteValue(text));
  }
  std::uint64_t n = 0;
  for (const char c : text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      throw std::invalid_argument(leakbench::QuoteValue(text) + " is too large");
    }
    n = n * 10 + digit;
  }
  return n;
}

double ParseNumberValue(std::string_view text) {
  // Digits, then optionally '.' and digits: no sign, exponent, inf or nan.
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view("0") : text.substr(dot + 1);
  double value = 0;
  if (!leakbench::IsAllDigits(whole) || !leakbench::IsAllDigits(fraction) ||
      std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc()) {
    throw std::invalid_argument("expected " + std::string(kNumber) + ", got " + leakbench::QuoteValue(text));
  }
  return value;
}

}  // namespace logcap
