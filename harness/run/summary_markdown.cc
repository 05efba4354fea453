#include "harness/run/summary_markdown.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "harness/run/markdown_text.h"

namespace leakbench::harness {
namespace {

using json = nlohmann::json;
using markdown::CutUtf8;
using markdown::Grouped;
using markdown::IsNum;
using markdown::Md;
using markdown::Num;
using markdown::Str;

// ---- one result ------------------------------------------------------------------------------

const json kNull = nullptr;
const json kNoItems = json::array();

// `a` when it is an array, else an empty one (never a copy: callers keep pointers into it).
const json& Items(const json& a) { return a.is_array() ? a : kNoItems; }

const json& At(const json& o, const char* key) {
  if (!o.is_object()) return kNull;
  const auto it = o.find(key);
  return it == o.end() ? kNull : *it;
}

// pass, fail, inconclusive, off (schema 2's status), or for a schema-1
// criterion without one: pass / fail when judged, else "not judged".
std::string CriterionStatus(const json& c) {
  if (At(c, "status").is_string()) return c["status"].get<std::string>();
  if (!At(c, "judged").is_boolean() || !c["judged"].get<bool>()) return "not judged";
  return At(c, "pass").is_boolean() && c["pass"].get<bool>() ? "pass" : "fail";
}

constexpr std::string_view kStatusOrder[] = {"fail", "inconclusive", "pass", "not judged", "off"};

std::string StatusWord(const std::string& status) {
  if (status == "fail") return "**FAIL**";
  if (status == "inconclusive") return "**INCONCLUSIVE**";
  if (status == "pass" || status == "not judged" || status == "off") return status;
  return Md(status, 20);
}

struct View {
  const json& r;
  const json& scenario = At(r, "scenario");
  const json& figures = At(r, "figures");
  const json& expectation = At(r, "expectation");

  std::string name() const { return Str(At(scenario, "name")); }
  std::string verdict() const { return Str(At(r, "verdict")); }
  bool is_error() const { return verdict() == "error"; }
  std::string failure() const {
    for (const json* f : {&At(At(r, "run"), "failure"), &At(figures, "failure")}) {
      if (!Str(*f).empty()) return Str(*f);
    }
    return "no reason recorded";
  }
  // The verdict, except that a negative control passes when it failed where
  // it had to, and fails (or stays inconclusive) when it did not.
  std::string outcome() const {
    const std::string v = verdict();
    if (v == "error") return "error";
    if (expectation.is_object()) {
      if (At(expectation, "met").is_boolean() && expectation["met"].get<bool>()) return "pass";
      return v == "inconclusive" ? "inconclusive" : "fail";
    }
    return v == "pass" || v == "fail" || v == "inconclusive" ? v : "fail";
  }
  std::string word() const {
    std::string w = outcome();
    std::transform(w.begin(), w.end(), w.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    return w;
  }
  std::string note() const {
    if (is_error()) return "";
    if (!expectation.is_object()) {
      return verdict() == "inconclusive" ? "a criterion could not be judged: not a pass" : "";
    }
    const std::string want = At(expectation, "expect_fail").is_string() ? expectation["expect_fail"].get<std::string>() : "?";
    if (At(expectation, "met").is_boolean() && expectation["met"].get<bool>()) {
      return "negative control: failed on " + want + " as expected (verdict " + verdict() + ")";
    }
    if (verdict() == "inconclusive") {
      return "negative control: expected to fail on " + want + "; the result is inconclusive (verdict " + verdict() + ")";
    }
    return "negative control: expected to fail on " + want + " but did not (verdict " + verdict() + ")";
  }
  std::vector<const json*> criteria(std::string_view status) const {
    std::vector<const json*> out;
    for (const auto& c : Items(At(r, "criteria"))) {
      if (CriterionStatus(c) == status) out.push_back(&c);
    }
    return out;
  }
  std::vector<const json*> ordered() const {
    std::vector<const json*> out;
    for (const auto s : kStatusOrder) {
      for (const json* c : criteria(s)) out.push_back(c);
    }
    for (const auto& c : Items(At(r, "criteria"))) {
      if (std::find(std::begin(kStatusOrder), std::end(kStatusOrder), CriterionStatus(c)) == std::end(kStatusOrder)) {
        out.insert(out.begin(), &c);  // an unknown status: first, like a failure
      }
    }
    return out;
  }
  const json* criterion(std::string_view id) const {
    for (const auto& c : Items(At(r, "criteria"))) {
      if (Str(At(c, "id")) == id) return &c;
    }
    return nullptr;
  }
  std::optional<double> judged_bound(std::string_view id) const {
    const json* c = criterion(id);
    if (c == nullptr) return std::nullopt;
    const std::string s = CriterionStatus(*c);
    if ((s != "pass" && s != "fail") || !IsNum(At(*c, "bound"))) return std::nullopt;
    return (*c)["bound"].get<double>();
  }

  // figures.<key> as "+0.158 MiB/min [0.117 .. 0.210]" (unit "": no unit).
  std::string slope(const char* key, const std::string& unit) const {
    const json& g = At(figures, key);
    if (!IsNum(At(g, "points")) || g["points"].get<double>() < 3 || !IsNum(At(g, "per_minute"))) return "n/a";
    std::string out = Num(g["per_minute"], true) + (unit.empty() ? "" : " " + unit + "/min");
    const json& ci = At(g, "per_minute_ci");
    if (ci.is_array() && ci.size() == 2 && IsNum(ci[0]) && IsNum(ci[1])) {
      out += " [" + Num(ci[0]) + " .. " + Num(ci[1]) + "]";
    }
    return out;
  }
  std::string loss() const {
    const json* c = criterion("log_loss");
    if (c == nullptr) return "n/a";
    const std::string s = CriterionStatus(*c);
    return (s == "pass" || s == "fail") ? Num(At(*c, "measured")) : "n/a";
  }
  std::string peak() const { return Num(At(figures, "follow_streams_peak")) + "/" + Num(At(scenario, "max_streams")); }
  std::string oldest() const {
    const auto bound = judged_bound("rotation");
    return Num(At(figures, "stream_age_max_s")) + " s" + (bound ? " / " + Num(*bound) + " s" : "");
  }

  // "5 runs: 3 pass, 1 fail, 1 inconclusive" for a pooled result (--repeat), else "".
  std::string repeat_line(bool with_shown_run = true) const {
    const json& rep = At(r, "repeat");
    if (!rep.is_object()) return "";
    const auto count = [&](const char* key) { return IsNum(At(rep, key)) ? rep[key].get<long long>() : 0LL; };
    const long long runs = count("runs");
    std::vector<std::pair<std::string, long long>> counts = {
        {"pass", count("passed")}, {"fail", count("failed")}, {"inconclusive", count("inconclusive")}};
    const long long errors =
        IsNum(At(rep, "errors")) ? count("errors") : runs - counts[0].second - counts[1].second - counts[2].second;
    if (errors > 0) counts.emplace_back("error", errors);
    std::string line = std::to_string(runs) + " run" + (runs != 1 ? "s" : "") + ": ";
    for (std::size_t i = 0; i < counts.size(); ++i) {
      line += (i ? ", " : "") + std::to_string(counts[i].second) + " " + counts[i].first;
    }
    if (with_shown_run && IsNum(At(rep, "shown_run"))) {
      line += " (figures and plots from run " + std::to_string(rep["shown_run"].get<long long>()) + ")";
    }
    return line;
  }
};

const char* Emoji(const std::string& word) {
  if (word == "PASS") return "✅";
  if (word == "FAIL") return "❌";
  if (word == "ERROR") return "⚠️";
  return "❔";
}

std::string Headline(const View& v) {
  const std::string note = v.note();
  return std::string(Emoji(v.word())) + " **" + v.word() + "** `" + Md(v.name(), 120) + "`" +
         (note.empty() ? "" : " (" + Md(note) + ")");
}

std::string FiguresLine(const View& v) {
  if (v.is_error()) return "The run could not be done: " + Md(v.failure());
  const json& f = v.figures;
  std::string line = "threads " + v.slope("threads", "threads");
  if (f.is_object() && f.contains("goroutines")) line += " · goroutines " + v.slope("goroutines", "goroutines");
  line += " · fds " + v.slope("fds", "fds") + " · RSS " + v.slope("rss_mib", "MiB") + " · lost+duplicated lines " +
          v.loss();
  const json& d = At(f, "delivery");
  if (d.is_object()) {
    line += " · delivery: " + Num(At(d, "lost_at_source")) + " lost at the source, " + Num(At(d, "delivered_twice")) +
            " twice";
  }
  line += " · peak streams " + v.peak() + " (cap) · oldest stream " + v.oldest();
  if (IsNum(At(f, "sample_cost_ms_mean"))) line += " · sampling cost " + Num(f["sample_cost_ms_mean"]) + " ms per sample";
  return line;
}

// Which daemon ran and what the run cost it: each sampled daemon process's
// growth per minute and per 1,000 follow streams opened, and its CPU.
std::string DaemonLines(const View& v) {
  const json& d = At(v.r, "daemon");
  if (!d.is_object() || Str(At(d, "kind")).empty()) return "";
  std::string out = "Daemon: " + Md(Str(At(d, "kind")), 20) + " " + Md(Str(At(d, "version")), 60);
  if (!Str(At(d, "storage_driver")).empty()) {
    out += " (API " + Md(Str(At(d, "api_version")), 20) + ", storage driver " + Md(Str(At(d, "storage_driver")), 40) +
           (At(d, "started_by_leakbench").is_boolean() && d["started_by_leakbench"].get<bool>()
                ? ", started by leakbench)"
                : ")");
  }
  const json& restarts = At(d, "restarted_at_s");
  if (restarts.is_array() && !restarts.empty()) {
    std::string at;
    for (const json& t : restarts) at += (at.empty() ? "" : ", ") + Num(t) + " s";
    out += "; restarted at " + at + " (its processes' growth is fitted from the last restart on)";
  }
  out += "\n";
  const auto per_1000 = [](const json& g, const std::string& unit) {
    if (!IsNum(At(g, "per_minute"))) return std::string("n/a");
    const json& ci = At(g, "per_minute_ci");
    std::string text = Num(g["per_minute"], true) + " " + unit + "/min";
    if (ci.is_array() && ci.size() == 2) text += " [" + Num(ci[0]) + " .. " + Num(ci[1]) + "]";
    return text + ", " + Num(At(g, "per_1000_streams"), true) + " per 1,000 follow streams";
  };
  for (const auto& p : Items(At(v.figures, "daemon"))) {
    out += "- `" + Md(Str(At(p, "name")), 40) + "`: fds " + per_1000(At(p, "fds"), "fds") + " (max " +
           Num(At(p, "fds_max")) + ") · threads " + per_1000(At(p, "threads"), "threads") + " · RSS " +
           per_1000(At(p, "rss_mib"), "MiB") + " · CPU " + Num(At(p, "cpu_cores")) + " cores, " +
           Num(At(p, "cpu_s_per_1000_streams")) + " CPU-s per 1,000 follow streams\n";
  }
  if (!Str(At(d, "unsampled_reason")).empty()) out += "- not sampled: " + Md(Str(d["unsampled_reason"])) + "\n";
  return out + "\n";
}

std::string CriterionLine(const json& c, const std::string& expected = "") {
  const std::string s = CriterionStatus(c);
  const bool judged = s == "pass" || s == "fail";
  const std::string id = Str(At(c, "id"));
  return "- `" + Md(id, 60) + "`" + (!expected.empty() && id == expected ? " (expected)" : "") +
         (judged ? ": measured " + Num(At(c, "measured")) + " " + Md(Str(At(c, "unit")), 40) + ", bound " +
                       Num(At(c, "bound")) + " —"
                 : ":") +
         " " + Md(Str(At(c, "detail")));
}

std::string RepeatLines(const View& v) {
  const std::string line = v.repeat_line();
  if (line.empty()) return "";
  std::string out = "**" + Md(line) + "**\n\n";
  const json& rep = v.r["repeat"];
  const json& erratic = At(rep, "erratic");
  if (!erratic.is_array() || erratic.empty()) return out;
  out += "Erratic criteria (failed in some runs and not in others), status and measured value per run:\n";
  const json& per_run = At(rep, "per_run");
  for (const auto& id : erratic) {
    std::string runs;
    std::size_t i = 0;
    for (const auto& run : Items(per_run)) {
      const json& c = At(At(run, "criteria"), Str(id).c_str());
      const std::string st = Str(At(c, "status"));
      runs += std::string(i ? " · " : "") + "#" + std::to_string(i + 1) + " " +
              (st.empty() ? "absent" : StatusWord(st)) + " " + Num(At(c, "measured"));
      ++i;
    }
    out += "- `" + Md(Str(id), 60) + "`: " + (runs.empty() ? "no per-run values in this result" : runs) + "\n";
  }
  return out + "\n";
}

std::string Details(const View& v) {
  const json& s = v.scenario;
  std::string scenario = Str(At(s, "description")) + " — " + Num(At(s, "containers")) + " containers, target " +
                         Str(At(s, "target")) + ", rotation " + Num(At(s, "rotation_interval_s")) + " s, max_streams " +
                         Num(At(s, "max_streams")) + ", " + Num(At(s, "duration_s")) + " s (" + Num(At(s, "warmup_s")) +
                         " s warm-up)";
  if (!Str(At(s, "inject_leak")).empty()) scenario += ", injected leak " + Str(At(s, "inject_leak"));
  if (At(s, "inject_faults").is_array() && !s["inject_faults"].empty()) {
    scenario += ", injected faults " + s["inject_faults"].dump();
  }
  std::string out = "### " + Headline(v) + "\n\n" + Md(scenario, 600) + "\n\n" + FiguresLine(v) + "\n\n" + DaemonLines(v) +
                    RepeatLines(v);
  const std::string expected = Str(At(v.expectation, "expect_fail"));
  if (const auto failed = v.criteria("fail"); !failed.empty()) {
    out += "Failed criteria:\n";
    for (const json* c : failed) out += CriterionLine(*c, expected) + "\n";
    out += "\n";
  }
  if (const auto inconclusive = v.criteria("inconclusive"); !inconclusive.empty()) {
    out += "Inconclusive criteria (could not be judged):\n";
    for (const json* c : inconclusive) out += CriterionLine(*c) + "\n";
    out += "\n";
  }
  if (const auto off = v.criteria("off"); !off.empty()) {
    out += "Switched off: ";
    for (std::size_t i = 0; i < off.size(); ++i) out += (i ? ", `" : "`") + Md(Str(At(*off[i], "id")), 60) + "`";
    out += "\n\n";
  }
  const auto all = v.ordered();
  if (!all.empty()) {
    out += "<details><summary>All criteria</summary>\n\n| criterion | result | measured | bound | unit | detail |\n"
           "|---|---|---|---|---|---|\n";
    for (const json* c : all) {
      const std::string st = CriterionStatus(*c);
      const bool judged = st == "pass" || st == "fail";
      out += "| `" + Md(Str(At(*c, "id")), 60) + "` | " + StatusWord(st) + " | " +
             (judged ? Num(At(*c, "measured")) : "—") + " | " + (judged ? Num(At(*c, "bound")) : "—") + " | " +
             Md(Str(At(*c, "unit")), 40) + " | " + Md(Str(At(*c, "detail"))) + " |\n";
    }
    out += "\n</details>\n\n";
  }
  return out;
}

std::string Row(const View& v) {
  std::string failed;
  const auto list = [](const std::vector<const json*>& cs) {
    std::string out;
    for (std::size_t i = 0; i < cs.size(); ++i) out += (i ? ", `" : "`") + Md(Str(At(*cs[i], "id")), 60) + "`";
    return out;
  };
  failed = list(v.criteria("fail"));
  if (const std::string inc = list(v.criteria("inconclusive")); !inc.empty()) {
    failed += (failed.empty() ? "" : "; ") + std::string("inconclusive: ") + inc;
  }
  if (const std::string rep = v.repeat_line(false); !rep.empty()) failed += (failed.empty() ? "" : "; ") + Md(rep, 80);
  if (v.is_error()) failed = "run failed: " + Md(v.failure(), 120);
  return "| " + std::string(Emoji(v.word())) + " " + v.word() + " | `" + Md(v.name(), 120) + "` | " +
         v.slope("threads", "") + " | " + v.slope("fds", "") + " | " + v.slope("rss_mib", "") + " | " + v.loss() +
         " | " + v.peak() + " | " + v.oldest() + " | " + (failed.empty() ? "—" : failed) + " |\n";
}

int OutcomeRank(const std::string& outcome) {
  if (outcome == "error") return 0;
  if (outcome == "inconclusive") return 2;
  if (outcome == "pass") return 3;
  return 1;
}

std::string Note(const std::string& kind, std::size_t k, std::size_t n, std::size_t max_bytes) {
  return "\n> **" + std::to_string(k) + " of " + std::to_string(n) + " results " + kind + "** to keep this summary under " +
         Grouped(static_cast<long long>(max_bytes)) +
         " bytes; each result's own summary.md and report.html have everything.\n";
}

// Appends `parts` to `out` in order while they fit in `budget` bytes;
// returns how many it appended.
std::size_t AppendWhileFits(const std::vector<std::string>& parts, std::size_t budget, std::string& out) {
  std::size_t kept = 0;
  for (const auto& part : parts) {
    if (part.size() > budget) break;
    out += part;
    budget -= part.size();
    ++kept;
  }
  return kept;
}

}  // namespace

SummaryText RenderSummary(const std::vector<json>& results, std::size_t max_bytes) {
  // Errors first, then failures, inconclusive results, passes (stable).
  std::vector<const json*> order;
  for (const auto& r : results) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(), [](const json* a, const json* b) {
    return OutcomeRank(View{*a}.outcome()) < OutcomeRank(View{*b}.outcome());
  });
  std::vector<View> views;
  for (const json* r : order) views.push_back(View{*r});
  const std::size_t n = views.size();
  std::string head, table_head, details_head;
  std::vector<std::string> rows, blocks;
  if (n == 1) {
    head = "## leakbench: " + views[0].word() + " — `" + Md(views[0].name(), 120) + "`\n\n";
  } else {
    std::size_t ok = 0, failed = 0, inconclusive = 0, errors = 0;
    for (const auto& v : views) {
      const std::string o = v.outcome();
      ok += o == "pass";
      failed += o == "fail";
      inconclusive += o == "inconclusive";
      errors += o == "error";
    }
    head = "## leakbench: " + std::to_string(ok) + " of " + std::to_string(n) + " results as expected" +
           (failed ? ", " + std::to_string(failed) + " failed" : "") +
           (inconclusive ? ", " + std::to_string(inconclusive) + " inconclusive" : "") +
           (errors ? ", " + std::to_string(errors) + " could not be run" : "") + "\n\n";
    table_head =
        "| result | scenario | threads/min [95% CI] | fds/min [95% CI] | RSS MiB/min [95% CI] | lost+dup lines | "
        "peak/cap streams | oldest stream / bound | failed / inconclusive |\n|---|---|---|---|---|---|---|---|---|\n";
    details_head = "\n### Details\n\n";
    for (const auto& v : views) rows.push_back(Row(v));
  }
  for (const auto& v : views) blocks.push_back(Details(v));
  std::string all_rows;
  for (const auto& row : rows) all_rows += row;
  std::string full = head + table_head + all_rows + details_head;
  for (const auto& b : blocks) full += b;
  if (full.size() <= max_bytes) return {full, 0};

  // 1. The whole overview table, and as many detail blocks as fit.
  std::string base = head + table_head + all_rows + details_head;
  const std::string without = Note("without details", n, n, max_bytes);
  if (n > 1 && base.size() + without.size() <= max_bytes) {
    const std::size_t kept = AppendWhileFits(blocks, max_bytes - base.size() - without.size(), base);
    return {base + Note("without details", n - kept, n, max_bytes), 0};
  }
  // 2. Not even the table fits (or one result is too big): as many rows as fit.
  base = head + table_head;
  const std::string left = Note("left out", n, n, max_bytes);
  if (n == 1) {  // a single result's details did not fit: its headline at least
    const std::string line = Headline(views[0]) + "\n\n" + FiguresLine(views[0]) + "\n";
    const std::string one_line = Note("summarised in one line only", 1, 1, max_bytes);
    if (head.size() + line.size() + one_line.size() <= max_bytes) return {head + line + one_line, 0};
    if (head.size() + left.size() <= max_bytes) return {head + left, 1};
  } else if (base.size() + left.size() <= max_bytes) {
    const std::size_t kept = AppendWhileFits(rows, max_bytes - base.size() - left.size(), base);
    return {base + Note("left out", n - kept, n, max_bytes), n - kept};
  }
  // 3. A budget smaller than a heading: the note alone, cut to fit.
  return {CutUtf8(left.substr(1), max_bytes), n};
}

std::string SummaryMarkdown(const json& result) { return RenderSummary({result}).markdown; }

}  // namespace leakbench::harness
