// The Markdown summary on real results (reports/tests/data, schema 1 and 2):
// key figures and failed criteria first; inconclusive, off and v1's "not
// judged" never shown as passed; negative controls and --repeat; a gate run
// as one overview table with what went wrong first; and the byte budget,
// which is never exceeded, keeps every row while it can and cuts whole
// characters only.
#include "harness/run/summary_markdown.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace leakbench::harness {
namespace summary_markdown_test {

using json = nlohmann::json;

json Fixture(const std::string& dir, const std::string& name) {
  std::ifstream in(std::string(LEAKBENCH_REPORTS_TEST_DATA) + "/" + dir + "/" + name);
  EXPECT_TRUE(in) << dir << "/" << name;
  return json::parse(in);
}

std::vector<json> GateSet() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(std::string(LEAKBENCH_REPORTS_TEST_DATA) + "/gate-v2")) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<json> out;
  for (const auto& n : names) out.push_back(Fixture("gate-v2", n));
  return out;
}

// n results made from real ones: unique names, a third failing with long,
// table-breaking error details.
std::vector<json> Synthetic(std::size_t n) {
  const std::vector<json> base = GateSet();
  std::vector<json> out;
  for (std::size_t i = 0; i < n; ++i) {
    json d = base[i % base.size()];
    d["samples"] = {{"t", json::array()}};  // the summary does not read samples
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "synthetic-%03zu-", i);
    d["scenario"]["name"] = prefix + d["scenario"]["name"].get<std::string>();
    if (i % 3 == 0) {
      d["verdict"] = "fail";
      d.erase("expectation");
      json& c = d["criteria"][d["criteria"].size() - 2];
      c["judged"] = true;
      c["pass"] = false;
      c["status"] = "fail";
      std::string detail = std::to_string(i) + " error lines; ";
      for (int k = 0; k < 200; ++k) detail += "E1128 sink: connection refused | retrying\n";
      c["detail"] = detail;
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The overview rows: (result cell, scenario) of lines "| ✅ PASS | `name` | ...".
std::vector<std::pair<std::string, std::string>> OverviewRows(const std::string& md) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& line : Lines(md)) {
    for (const char* word : {"✅ PASS", "❌ FAIL", "⚠️ ERROR", "❔ INCONCLUSIVE"}) {
      const std::string start = std::string("| ") + word + " | `";
      if (line.starts_with(start)) {
        const std::size_t end = line.find('`', start.size());
        rows.emplace_back(word, line.substr(start.size(), end - start.size()));
      }
    }
  }
  return rows;
}

// The criteria table: ids in table order and each one's result cell.
struct CriteriaTable {
  std::vector<std::string> order;
  std::map<std::string, std::string> word;
};
CriteriaTable Criteria(const std::string& md) {
  CriteriaTable t;
  for (const auto& line : Lines(md)) {
    if (!line.starts_with("| `")) continue;
    const std::size_t end = line.find("` | ", 3);
    const std::string id = line.substr(3, end - 3);
    const std::size_t cell = end + 4;
    t.order.push_back(id);
    t.word[id] = line.substr(cell, line.find(" |", cell) - cell);
  }
  return t;
}

std::size_t Count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t p = text.find(part); p != std::string::npos; p = text.find(part, p + 1)) ++n;
  return n;
}

bool ValidUtf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

std::string One(const std::string& dir, const std::string& name) { return SummaryMarkdown(Fixture(dir, name)); }

TEST(SummaryMarkdown, SingleResultHasKeyFiguresAndFailedCriteriaFirst) {
  const std::string md = One("v1", "gate-churn.json");
  EXPECT_TRUE(md.starts_with("## leakbench: FAIL — `gate-churn`")) << md.substr(0, 200);
  EXPECT_NE(md.find("❌ **FAIL** `gate-churn`"), std::string::npos);
  // Slopes with their CI, loss, peak against the cap, oldest stream against its bound.
  EXPECT_NE(md.find("RSS +0.158 MiB/min [0.117 .. 0.210]"), std::string::npos) << md;
  EXPECT_NE(md.find("lost+duplicated lines 90"), std::string::npos);
  EXPECT_NE(md.find("peak streams 20/20"), std::string::npos);
  EXPECT_NE(md.find("oldest stream 0.501 s / 12 s"), std::string::npos);
  // The failed criterion with its figures, before the full table, and first in it.
  const std::size_t failed = md.find("Failed criteria:\n- `log_loss`: measured 90 lines, bound 0 — 7915 emitted");
  ASSERT_NE(failed, std::string::npos) << md;
  EXPECT_LT(failed, md.find("<details>"));
  EXPECT_EQ(Criteria(md).order.at(0), "log_loss");
}

TEST(SummaryMarkdown, InconclusiveIsNotRenderedAsPass) {
  const std::string md = One("v2", "gate-churn-inconclusive.json");
  EXPECT_TRUE(md.starts_with("## leakbench: INCONCLUSIVE — `gate-churn`\n")) << md.substr(0, 200);
  EXPECT_NE(md.find("### ❔ **INCONCLUSIVE** `gate-churn`"), std::string::npos);
  EXPECT_EQ(md.find("PASS"), std::string::npos);
  EXPECT_NE(md.find("Inconclusive criteria (could not be judged):\n- `log_loss`: cannot count: docker logs cut "
                    "the history of 12 of 60 containers"),
            std::string::npos)
      << md;
  const CriteriaTable t = Criteria(md);
  EXPECT_EQ(t.word.at("log_loss"), "**INCONCLUSIVE**");
  EXPECT_EQ(t.word.at("capture"), "**INCONCLUSIVE**");
  EXPECT_NE(md.find("| `log_loss` | **INCONCLUSIVE** | — | — | lines |"), std::string::npos);
  EXPECT_EQ(std::vector<std::string>(t.order.begin(), t.order.begin() + 2),
            (std::vector<std::string>{"log_loss", "capture"}));
  EXPECT_EQ(std::vector<std::string>(t.order.end() - 2, t.order.end()),
            (std::vector<std::string>{"goroutines_baseline", "goroutine_growth"}));
  EXPECT_EQ(t.word.at("goroutines_baseline"), "off");
}

TEST(SummaryMarkdown, OffIsNotPassedAndV1SaysNotJudged) {
  std::string md = One("v2", "negative-never-rotates.json");
  EXPECT_NE(md.find("Switched off: `log_loss`, `capture`, `metrics`, `goroutines_baseline`, `goroutine_growth`"),
            std::string::npos)
      << md;
  CriteriaTable t = Criteria(md);
  for (const char* id : {"log_loss", "capture", "metrics", "goroutines_baseline", "goroutine_growth"}) {
    EXPECT_EQ(t.word.at(id), "off") << id;
  }
  EXPECT_EQ(std::vector<std::string>(t.order.begin(), t.order.begin() + 3),
            (std::vector<std::string>{"threads_baseline", "rotation", "concurrency"}));
  EXPECT_EQ(t.word.at("rotation"), "**FAIL**");

  md = One("v1", "negative-never-rotates.json");
  t = Criteria(md);
  std::vector<std::string> not_judged;
  for (const auto& id : t.order) {
    if (t.word[id] == "not judged") not_judged.push_back(id);
  }
  EXPECT_EQ(not_judged, (std::vector<std::string>{"log_loss", "capture", "metrics"}));
  EXPECT_EQ(md.find("INCONCLUSIVE"), std::string::npos);
  EXPECT_EQ(md.find("Switched off"), std::string::npos);
}

TEST(SummaryMarkdown, NegativeControls) {
  const std::string md = One("v2", "negative-leak-memory-inconclusive.json");
  EXPECT_TRUE(md.starts_with("## leakbench: INCONCLUSIVE — `negative-leak-memory`")) << md.substr(0, 200);
  EXPECT_NE(md.find("- `memory_growth`: 2 samples after the warm-up"), std::string::npos) << md;
  const std::string met = One("v2", "negative-leak-thread.json");
  EXPECT_TRUE(met.starts_with("## leakbench: PASS — `negative-leak-thread`")) << met.substr(0, 200);
  EXPECT_NE(met.find("(negative control: failed on thread_growth as expected (verdict fail))"), std::string::npos)
      << met.substr(0, 400);
  EXPECT_NE(met.find("- `thread_growth` (expected): measured "), std::string::npos) << met;
}

TEST(SummaryMarkdown, RepeatedRuns) {
  json doc = Fixture("v2", "repeat-erratic.json");
  std::string md = SummaryMarkdown(doc);
  EXPECT_NE(md.find("**5 runs: 3 pass, 1 fail, 1 inconclusive (figures and plots from run 2)**"), std::string::npos)
      << md;
  EXPECT_NE(md.find("- `thread_growth`: #1 pass 0 · #2 **FAIL** 2.61 · #3 pass 0.400 · #4 pass 0 · #5 pass 0"),
            std::string::npos)
      << md;
  EXPECT_LT(md.find("5 runs:"), md.find("Failed criteria:"));
  doc["repeat"]["runs"] = 7;
  doc["repeat"]["errors"] = 2;
  doc["repeat"].erase("shown_run");
  doc["repeat"].erase("per_run");
  md = SummaryMarkdown(doc);
  EXPECT_NE(md.find("**7 runs: 3 pass, 1 fail, 1 inconclusive, 2 error**"), std::string::npos) << md;
  EXPECT_NE(md.find("- `thread_growth`: no per-run values in this result"), std::string::npos);
  doc["repeat"]["runs"] = 6;
  doc["repeat"].erase("errors");
  EXPECT_NE(SummaryMarkdown(doc).find("**6 runs: 3 pass, 1 fail, 1 inconclusive, 1 error**"), std::string::npos);
  EXPECT_EQ(One("v2", "gate-steady.json").find(" runs: "), std::string::npos);
}

TEST(SummaryMarkdown, GoroutinesAndDeliveryFigures) {
  const std::string md = One("v2", "go-multiprocess.json");
  EXPECT_NE(md.find("threads 0 threads/min [0 .. 0] · goroutines 0 goroutines/min [0 .. 0] · fds"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("delivery: 0 lost at the source, 0 twice"), std::string::npos);
  const CriteriaTable t = Criteria(md);
  EXPECT_EQ(t.word.at("metrics"), "off");
  EXPECT_EQ(t.word.at("goroutine_growth"), "pass");
}

TEST(SummaryMarkdown, GateRunIsOneOverviewWithWhatWentWrongFirst) {
  std::vector<json> docs = GateSet();
  ASSERT_EQ(docs.size(), 11u);
  ASSERT_EQ(docs[4]["scenario"]["name"], "gate-steady");
  docs[4]["verdict"] = "fail";
  docs[4]["criteria"][1]["pass"] = false;
  docs[4]["criteria"][1]["status"] = "fail";
  docs[4]["criteria"][1]["detail"] = "8.57 threads/min";
  const SummaryText s = RenderSummary(docs);
  EXPECT_EQ(s.left_out, 0u);
  EXPECT_TRUE(s.markdown.starts_with("## leakbench: 10 of 11 results as expected, 1 failed\n"))
      << s.markdown.substr(0, 200);
  const auto rows = OverviewRows(s.markdown);
  ASSERT_EQ(rows.size(), 11u);
  EXPECT_EQ(rows[0], (std::pair<std::string, std::string>{"❌ FAIL", "gate-steady"}));
  EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.first == "✅ PASS"; }), 10);
  EXPECT_NE(s.markdown.find("### Details"), std::string::npos);
  EXPECT_EQ(Count(s.markdown, "<details><summary>All criteria</summary>"), 11u);
  EXPECT_LT(s.markdown.find("### ❌ **FAIL** `gate-steady`"), s.markdown.find("### ✅ **PASS**"));
}

TEST(SummaryMarkdown, GateCountsEachOutcome) {
  std::vector<json> docs;
  for (const auto& e : std::filesystem::directory_iterator(std::string(LEAKBENCH_REPORTS_TEST_DATA) + "/v2")) {
    docs.push_back(Fixture("v2", e.path().filename().string()));
  }
  json error = Fixture("v2", "gate-steady.json");
  error["scenario"]["name"] = "broken-run";
  error["verdict"] = "error";
  error["exit_code"] = 2;
  error["criteria"] = json::array();
  error["figures"] = {{"failure", "fake-dockerd did not start"}};
  error["run"]["completed"] = false;
  error["run"]["failure"] = "fake-dockerd did not start";
  docs.push_back(error);
  const std::string md = RenderSummary(docs).markdown;
  EXPECT_TRUE(md.starts_with("## leakbench: 4 of 9 results as expected, 2 failed, 2 inconclusive, 1 could not be run\n"))
      << md.substr(0, 200);
  const auto rows = OverviewRows(md);
  std::vector<std::string> words;
  for (const auto& r : rows) words.push_back(r.first);
  EXPECT_EQ(words, (std::vector<std::string>{"⚠️ ERROR", "❌ FAIL", "❌ FAIL", "❔ INCONCLUSIVE", "❔ INCONCLUSIVE",
                                             "✅ PASS", "✅ PASS", "✅ PASS", "✅ PASS"}));
  EXPECT_EQ(rows.at(0).second, "broken-run");
  std::vector<std::string> inconclusive;
  for (const auto& r : rows) {
    if (r.first == "❔ INCONCLUSIVE") inconclusive.push_back(r.second);
  }
  std::sort(inconclusive.begin(), inconclusive.end());
  EXPECT_EQ(inconclusive, (std::vector<std::string>{"gate-churn", "negative-leak-memory"}));
  bool churn_row = false, repeat_row = false;
  for (const auto& line : Lines(md)) {
    if (line.starts_with("| ❔ INCONCLUSIVE | `gate-churn`")) {
      churn_row = true;
      EXPECT_TRUE(line.ends_with("| inconclusive: `log_loss`, `capture` |")) << line;
    }
    if (line.starts_with("| ❌ FAIL") && line.find("5 runs:") != std::string::npos) {
      repeat_row = true;
      EXPECT_NE(line.find("`thread_growth`; 5 runs: 3 pass, 1 fail, 1 inconclusive"), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(churn_row && repeat_row) << md;
  EXPECT_NE(md.find("run failed: fake-dockerd did not start"), std::string::npos);
  EXPECT_NE(md.find("The run could not be done: fake-dockerd did not start"), std::string::npos);
}

TEST(SummaryMarkdown, V1GateRunIsAllAsExpected) {
  const std::string md = RenderSummary(GateSet()).markdown;
  EXPECT_TRUE(md.starts_with("## leakbench: 11 of 11 results as expected\n")) << md.substr(0, 200);
  EXPECT_EQ(md.find("INCONCLUSIVE"), std::string::npos);
}

TEST(SummaryMarkdown, FiveHundredResultsFitInOneMebibyte) {
  const SummaryText s = RenderSummary(Synthetic(500), 1048576);
  EXPECT_LE(s.markdown.size(), 1048576u);
  EXPECT_GT(s.markdown.size(), 900000u) << "the budget is used, not thrown away";
  EXPECT_EQ(OverviewRows(s.markdown).size(), 500u) << "every result keeps its overview line";
  const std::size_t at = s.markdown.find(" of 500 results without details**");
  ASSERT_NE(at, std::string::npos) << s.markdown.substr(s.markdown.size() - 300);
  const std::size_t start = s.markdown.rfind("**", at) + 2;
  const std::size_t without = std::stoul(s.markdown.substr(start, at - start));
  EXPECT_GT(without, 0u);
  EXPECT_EQ(Count(s.markdown, "<details><summary>All criteria</summary>") + without, 500u);
}

TEST(SummaryMarkdown, SmallBudgetsAreNeverExceeded) {
  const std::vector<json> rs = Synthetic(500);
  for (const std::size_t max_bytes : {200000u, 20000u, 3000u, 600u, 100u, 10u, 1u}) {
    const SummaryText s = RenderSummary(rs, max_bytes);
    EXPECT_LE(s.markdown.size(), max_bytes) << max_bytes;
    EXPECT_TRUE(ValidUtf8(s.markdown)) << max_bytes;
    if (max_bytes < 3000) continue;
    const std::size_t rows = OverviewRows(s.markdown).size();
    EXPECT_GT(rows, 0u) << max_bytes;
    EXPECT_EQ(rows + s.left_out, 500u) << max_bytes;
    if (s.left_out > 0) {
      EXPECT_NE(s.markdown.find("**" + std::to_string(s.left_out) + " of 500 results left out**"), std::string::npos);
    } else {
      EXPECT_NE(s.markdown.find(" of 500 results without details**"), std::string::npos) << max_bytes;
    }
  }
}

TEST(SummaryMarkdown, BudgetSweepOnAGateRun) {
  const std::vector<json> rs = GateSet();
  const std::size_t full = RenderSummary(rs, 1u << 30).markdown.size();
  for (std::size_t max_bytes = 1; max_bytes < full + 200; max_bytes += 997) {
    EXPECT_LE(RenderSummary(rs, max_bytes).markdown.size(), max_bytes);
  }
}

TEST(SummaryMarkdown, OneHugeResultIsCutToItsHeadline) {
  for (const std::size_t max_bytes : {900u, 700u, 400u, 200u, 50u}) {
    const std::string md = RenderSummary(Synthetic(1), max_bytes).markdown;
    EXPECT_LE(md.size(), max_bytes);
    if (max_bytes == 900) {
      EXPECT_NE(md.find("synthetic-000"), std::string::npos);
      EXPECT_NE(md.find("summarised in one line only"), std::string::npos) << md;
    }
  }
}

TEST(SummaryMarkdown, TableCellsCannotBreakTheTable) {
  const std::string md = RenderSummary(Synthetic(3)).markdown;
  std::size_t checked = 0;
  for (const auto& line : Lines(md)) {
    if (!line.starts_with("| `") || line.find("error lines") == std::string::npos) continue;
    std::size_t pipes = 0;
    for (std::size_t i = 0; i < line.size(); ++i) pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    EXPECT_EQ(pipes, 7u) << line.substr(0, 200);  // 6 columns
    EXPECT_LT(line.size(), 2000u);
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

}  // namespace summary_markdown_test
}  // namespace leakbench::harness
