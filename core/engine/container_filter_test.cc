// GlobMatch ('*' and '?', checked against a simple reference matcher on
// random patterns, and fast on pathological patterns) and ContainerFilter
// (include/exclude by name glob and by label key or key=value; exclusion
// wins; no include rule of a kind = everything of that kind).
#include "core/engine/container_filter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace logcap {
namespace {

// Dynamic-programming reference: is pattern[p..] a match for text[t..]?
bool ReferenceGlob(const std::string& pattern, const std::string& text) {
  const std::size_t np = pattern.size();
  const std::size_t nt = text.size();
  std::vector<std::vector<char>> m(np + 1, std::vector<char>(nt + 1, 0));
  m[np][nt] = 1;
  for (std::size_t p = np; p-- > 0;) {
    for (std::size_t t = nt + 1; t-- > 0;) {
      if (pattern[p] == '*') {
        m[p][t] = static_cast<char>(m[p + 1][t] || (t < nt && m[p][t + 1]));
      } else if (t < nt && (pattern[p] == '?' || pattern[p] == text[t])) {
        m[p][t] = m[p + 1][t + 1];
      }
    }
  }
  return m[0][0] != 0;
}

TEST(GlobMatchTest, Basics) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("web", "web"));
  EXPECT_FALSE(GlobMatch("web", "web1"));
  EXPECT_FALSE(GlobMatch("web", "we"));
  EXPECT_TRUE(GlobMatch("web-*", "web-1"));
  EXPECT_TRUE(GlobMatch("web-*", "web-"));
  EXPECT_FALSE(GlobMatch("web-*", "api-1"));
  EXPECT_TRUE(GlobMatch("*-db", "orders-db"));
  EXPECT_FALSE(GlobMatch("*-db", "orders-db2"));
  EXPECT_TRUE(GlobMatch("w?b", "web"));
  EXPECT_FALSE(GlobMatch("w?b", "wb"));
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(GlobMatch("a*b*c", "abc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "acb"));
  EXPECT_TRUE(GlobMatch("**a**", "a"));
  EXPECT_TRUE(GlobMatch("*?", "x"));
  EXPECT_FALSE(GlobMatch("*?", ""));
  // Bytes, not characters; no escapes or classes.
  EXPECT_TRUE(GlobMatch("[a]", "[a]"));
  EXPECT_FALSE(GlobMatch("[a]", "a"));
  EXPECT_TRUE(GlobMatch("caf?", "caf\xc3"));
}

TEST(GlobMatchTest, AgreesWithReferenceOnRandomPatterns) {
  std::mt19937_64 rng(11);
  const std::string pattern_alphabet = "ab*?";
  for (int i = 0; i < 20000; ++i) {
    std::string pattern(rng() % 8, ' ');
    for (char& c : pattern) c = pattern_alphabet[rng() % pattern_alphabet.size()];
    std::string text(rng() % 10, ' ');
    for (char& c : text) c = "ab"[rng() % 2];
    ASSERT_EQ(GlobMatch(pattern, text), ReferenceGlob(pattern, text))
        << "pattern '" << pattern << "' text '" << text << "'";
  }
}

TEST(GlobMatchTest, PathologicalPatternsAreFast) {
  const std::string many_a(100'000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch("a*a*a*a*b", many_a));
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", many_a));
  EXPECT_TRUE(GlobMatch("a*a*a*a*a", many_a));
  EXPECT_FALSE(GlobMatch(std::string(50, '*') + "b", many_a));
  // One backtrack point: a star before k other bytes costs O(n * k), never
  // exponential.
  EXPECT_TRUE(GlobMatch("*" + std::string(100, '?'), many_a));
  EXPECT_FALSE(GlobMatch("*" + std::string(100, '?') + "b", many_a));
  EXPECT_FALSE(GlobMatch(std::string(1000, 'a') + "*b", many_a));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // Exponential backtracking would take ages; linear-ish is a few ms.
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(ContainerFilterTest, NoRulesAcceptsEverything) {
  ContainerFilter f({}, {}, {}, {});
  EXPECT_TRUE(f.Accepts("anything", {}));
  EXPECT_TRUE(f.Accepts("", {{"k", "v"}}));
  EXPECT_FALSE(f.NeedsLabels());
}

TEST(ContainerFilterTest, IncludeNames) {
  ContainerFilter f({"web-*", "db"}, {}, {}, {});
  EXPECT_TRUE(f.Accepts("web-1", {}));
  EXPECT_TRUE(f.Accepts("db", {}));
  EXPECT_FALSE(f.Accepts("db2", {}));
  EXPECT_FALSE(f.Accepts("api", {}));
  EXPECT_FALSE(f.NeedsLabels());
}

TEST(ContainerFilterTest, ExcludeNamesWinOverInclude) {
  ContainerFilter f({"web-*"}, {"*-canary"}, {}, {});
  EXPECT_TRUE(f.Accepts("web-1", {}));
  EXPECT_FALSE(f.Accepts("web-canary", {}));
  ContainerFilter only_exclude({}, {"logcap*"}, {}, {});
  EXPECT_FALSE(only_exclude.Accepts("logcap", {}));
  EXPECT_TRUE(only_exclude.Accepts("web", {}));
}

TEST(ContainerFilterTest, IncludeLabelsByKeyOrKeyValue) {
  ContainerFilter f({}, {}, {"logs", "team=core"}, {});
  EXPECT_TRUE(f.NeedsLabels());
  EXPECT_TRUE(f.Accepts("a", {{"logs", ""}}));
  EXPECT_TRUE(f.Accepts("a", {{"logs", "yes"}}));
  EXPECT_TRUE(f.Accepts("a", {{"team", "core"}}));
  EXPECT_FALSE(f.Accepts("a", {{"team", "core2"}}));
  EXPECT_FALSE(f.Accepts("a", {{"team", ""}}));
  EXPECT_FALSE(f.Accepts("a", {{"teams", "core"}}));
  EXPECT_FALSE(f.Accepts("a", {}));
}

TEST(ContainerFilterTest, LabelValueMayContainEqualsAndBeEmpty) {
  ContainerFilter f({}, {}, {"expr=a=b", "empty="}, {});
  EXPECT_TRUE(f.Accepts("a", {{"expr", "a=b"}}));
  EXPECT_FALSE(f.Accepts("a", {{"expr", "a"}}));
  EXPECT_TRUE(f.Accepts("a", {{"empty", ""}}));
  EXPECT_FALSE(f.Accepts("a", {{"empty", "x"}}));
}

TEST(ContainerFilterTest, ExcludeLabelsWin) {
  ContainerFilter f({"web-*"}, {}, {"team=core"}, {"logcap.ignore", "env=test"});
  EXPECT_TRUE(f.Accepts("web-1", {{"team", "core"}}));
  EXPECT_FALSE(f.Accepts("web-1", {{"team", "core"}, {"logcap.ignore", "true"}}));
  EXPECT_FALSE(f.Accepts("web-1", {{"team", "core"}, {"env", "test"}}));
  EXPECT_TRUE(f.Accepts("web-1", {{"team", "core"}, {"env", "prod"}}));
  // Both kinds of include must match.
  EXPECT_FALSE(f.Accepts("api-1", {{"team", "core"}}));
  EXPECT_FALSE(f.Accepts("web-1", {{"team", "edge"}}));
}

}  // namespace
}  // namespace logcap
