#include "harness/run/prom_text.h"

#include <cstdlib>
#include <sstream>

namespace leakbench::harness {

std::optional<double> MetricValue(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const std::string padded = "\n" + text;
  const auto pos = padded.find(key);
  if (pos == std::string::npos) return std::nullopt;
  const char* start = padded.c_str() + pos + key.size();
  char* end = nullptr;
  const double v = std::strtod(start, &end);
  if (end == start) return std::nullopt;
  return v;
}

std::vector<double> MetricValues(const std::string& text, const std::string& name) {
  std::vector<double> values;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() <= name.size() || line.compare(0, name.size(), name) != 0) continue;
    std::size_t at = name.size();
    if (line[at] == '{') {
      at = line.find('}', at);
      if (at == std::string::npos) continue;
      ++at;
    }
    if (at >= line.size() || line[at] != ' ') continue;
    char* end = nullptr;
    const double v = std::strtod(line.c_str() + at + 1, &end);
    if (end != line.c_str() + at + 1) values.push_back(v);
  }
  return values;
}

std::size_t SeriesCount(const std::string& text) {
  std::size_t n = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') ++n;
  }
  return n;
}

std::optional<double> PprofGoroutineTotal(const std::string& text) {
  static const std::string kPrefix = "goroutine profile: total ";
  if (text.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  const char* start = text.c_str() + kPrefix.size();
  char* end = nullptr;
  const double v = std::strtod(start, &end);
  if (end == start) return std::nullopt;
  return v;
}

}  // namespace leakbench::harness
