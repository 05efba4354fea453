#include "harness/fleet/rules_yaml.h"

namespace leakbench::harness {
namespace rules_yaml {

// A YAML single-quoted scalar: PromQL's own quotes are double, so it stays readable.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char ch : text) {
    out += ch;
    if (ch == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace rules_yaml

std::string RulesYaml(const std::vector<PromRuleGroup>& groups, const std::vector<std::string>& header) {
  using rules_yaml::Quoted;
  std::string y;
  for (const auto& line : header) y += line.empty() ? "#\n" : "# " + line + "\n";
  y += "groups:\n";
  for (const auto& g : groups) {
    y += "  - name: " + g.name + "\n    rules:\n";
    for (const auto& r : g.rules) {
      if (!r.record.empty()) {
        y += "      - record: " + r.record + "\n";
      } else {
        y += "      - alert: " + r.alert + "\n";
      }
      y += "        expr: " + Quoted(r.expr()) + "\n";
      if (!r.for_.empty()) y += "        for: " + r.for_ + "\n";
      if (!r.labels.empty()) {
        y += "        labels:\n";
        for (const auto& [name, value] : r.labels) y += "          " + name + ": " + Quoted(value) + "\n";
      }
      if (!r.summary.empty() || !r.description.empty()) {
        y += "        annotations:\n";
        if (!r.summary.empty()) y += "          summary: " + Quoted(r.summary) + "\n";
        if (!r.description.empty()) y += "          description: " + Quoted(r.description) + "\n";
      }
    }
    if (&g != &groups.back()) y += "\n";
  }
  return y;
}

}  // namespace leakbench::harness
