#include "harness/fleet/fleet_summary_markdown.h"

#include <cstdio>

namespace leakbench::harness {
namespace fleet_summary {

using json = nlohmann::json;

std::string Num(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Table cells: no pipes or newlines.
std::string Cell(std::string s) {
  for (char& c : s) {
    if (c == '|' || c == '\n') c = ' ';
  }
  return s.size() <= 300 ? s : s.substr(0, 300) + "...";
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return s;
}

std::string SlopeText(const json& slope) {
  if (slope.is_null()) return "";
  std::string out = Num(slope["per_minute"].get<double>(), 3) + " " + slope["figure"].get<std::string>() + "/min";
  const json& ci = slope["per_minute_ci"];
  if (ci.is_array() && ci.size() == 2) {
    out += " (" + Num(ci[0].get<double>(), 3) + " .. " + Num(ci[1].get<double>(), 3) + ")";
  }
  return out;
}

}  // namespace fleet_summary

std::string FleetSummaryMarkdown(const nlohmann::json& f, std::size_t max_bytes) {
  using fleet_summary::Cell;
  using fleet_summary::json;
  const json& p = f["prometheus"];
  std::string by;
  for (const auto& l : p["by"]) by += (by.empty() ? "" : ",") + l.get<std::string>();
  std::string md = "# leakbench fleet: " + fleet_summary::Upper(f["verdict"].get<std::string>()) + " (exit " +
                   std::to_string(f["exit_code"].get<int>()) + ")\n\n";
  md += "Prometheus `" + p["url"].get<std::string>() + "`, selector `" + p["selector"].get<std::string>() +
        "` by `" + by + "`, " + p["start"].get<std::string>() + " to " + p["end"].get<std::string>() + ", step " +
        fleet_summary::Num(p["step_s"].get<double>(), 0) + " s; a segment is judged with at least " +
        fleet_summary::Num(p["min_window_s"].get<double>() / 60, 0) + " min after its warm-up.\n\n";
  const json& n = f["counts"];
  md += "**" + std::to_string(f["instances_judged"].get<std::size_t>()) + " instances: " +
        std::to_string(n["pass"].get<std::size_t>()) + " pass, " + std::to_string(n["fail"].get<std::size_t>()) +
        " fail, " + std::to_string(n["inconclusive"].get<std::size_t>()) + " inconclusive.** " +
        std::to_string(f["restarts"].get<std::size_t>()) + " restarts on " +
        std::to_string(f["instances_restarted"].get<std::size_t>()) +
        " instances (a restart splits the history; it is reported, never judged a leak).\n";
  if (f["instances_judged"].get<std::size_t>() == 0) {
    md += "\n**No instance found**: no series of the fleet's metrics (log_capturer_process_*, process_*, go_*) "
          "matched the selector in that range: nothing was judged. Check --selector, --by and --range against "
          "Prometheus's own view (/api/v1/series).\n";
  }
  const std::string tail = "\n_(cut at " + std::to_string(max_bytes) + " bytes: fleet.json has every instance)_\n";
  auto fits = [&](const std::string& more) { return md.size() + more.size() + tail.size() <= max_bytes; };
  if (!f["failing"].empty()) {
    std::string section = "\n## Failing, worst first\n\n| instance | criterion | measured | bound | fitted slope (95% CI) | restarts |\n|---|---|---|---|---|---|\n";
    if (!fits(section)) return md + tail;
    md += section;
    for (const auto& inst : f["failing"]) {
      for (const auto& c : inst["criteria"]) {
        const std::string row = "| " + Cell(inst["instance"].get<std::string>()) + " | " + c["id"].get<std::string>() +
                                " | " + fleet_summary::Num(c["measured"].get<double>()) + " " +
                                Cell(c["unit"].get<std::string>()) + " | " +
                                fleet_summary::Num(c["bound"].get<double>()) + " | " +
                                Cell(fleet_summary::SlopeText(c["slope"])) + " | " +
                                std::to_string(inst["restarts"].get<std::size_t>()) + " |\n";
        if (!fits(row)) return md + tail;
        md += row;
      }
    }
  }
  if (!f["inconclusive"].empty()) {
    std::string section = "\n## Inconclusive (not judged: never counted as passed)\n\n| instance | why |\n|---|---|\n";
    if (!fits(section)) return md + tail;
    md += section;
    for (const auto& inst : f["inconclusive"]) {
      const std::string row =
          "| " + Cell(inst["instance"].get<std::string>()) + " | " + Cell(inst["why"].get<std::string>()) + " |\n";
      if (!fits(row)) return md + tail;
      md += row;
    }
  }
  std::string restarted;
  for (const auto& inst : f["instances"]) {
    if (inst["restarts"].get<std::size_t>() == 0) continue;
    restarted += "| " + Cell(inst["instance"].get<std::string>()) + " | " +
                 std::to_string(inst["restarts"].get<std::size_t>()) + " | " +
                 std::to_string(inst["segments_judged"].get<std::size_t>()) + " of " +
                 std::to_string(inst["segments"].get<std::size_t>()) + " | " + inst["verdict"].get<std::string>() +
                 " |\n";
  }
  if (!restarted.empty()) {
    const std::string section = "\n## Restarted\n\n| instance | restarts | segments judged | verdict |\n|---|---|---|---|\n";
    if (!fits(section + restarted)) return md + tail;
    md += section + restarted;
  }
  return md;
}

}  // namespace leakbench::harness
