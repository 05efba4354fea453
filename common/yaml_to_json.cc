#include "common/yaml_to_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace leakbench {
namespace {

// `text` as a T, all of it (a leading '+' allowed), or nothing.
template <typename T>
std::optional<T> Whole(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  T value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

nlohmann::json ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  switch (ScalarTypeOf(node)) {
    case YamlScalarType::kNull:
      return nullptr;
    case YamlScalarType::kBool:
      return text == "true" || text == "True" || text == "TRUE";
    case YamlScalarType::kInteger:
      if (auto i = Whole<std::int64_t>(text)) return *i;
      if (auto u = Whole<std::uint64_t>(text)) return *u;
      return text;
    case YamlScalarType::kNumber:
      if (auto d = Whole<double>(text); d && std::isfinite(*d)) return *d;
      return text;
    case YamlScalarType::kString:
      break;
  }
  return text;
}

}  // namespace

nlohmann::json YamlToJson(const YamlValue& value) {
  const YAML::Node& node = value.node();
  if (node.IsNull() || !node.IsDefined()) return nullptr;
  if (node.IsScalar()) return ScalarToJson(node);
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const YamlValue& item : value.Items("a list")) out.push_back(YamlToJson(item));
    return out;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& kv : node) {
    const std::string name = YamlValue(value.document(), kv.first, value.path(), kv.first.Mark()).Scalar("a key name");
    const std::string path = value.path().empty() ? name : value.path() + "." + name;
    if (out.contains(name)) value.document().Fail(kv.first.Mark(), path, "duplicate key");
    out[name] = YamlToJson(YamlValue(value.document(), kv.second, path, kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark()));
  }
  return out;
}

}  // namespace leakbench
