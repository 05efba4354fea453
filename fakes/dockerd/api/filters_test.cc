#include "fakes/dockerd/api/filters.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace fakedocker {
namespace {

const std::set<std::string> kAllowed = {"label", "status", "name", "id", "type"};

Filters MustParse(std::string_view text) {
  std::string error;
  int status = 0;
  auto f = Filters::Parse(text, &kAllowed, &error, &status);
  EXPECT_TRUE(f.has_value()) << text << ": " << error;
  return f.value_or(Filters());
}

struct Failure {
  int status = 0;
  std::string message;
};

Failure ParseError(std::string_view text, const std::set<std::string>* allowed = &kAllowed) {
  Failure failure;
  auto f = Filters::Parse(text, allowed, &failure.message, &failure.status);
  EXPECT_FALSE(f.has_value()) << text;
  return failure;
}

TEST(Filters, EmptyTextIsNoFilter) {
  Filters f = MustParse("");
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.get("label").empty());
  EXPECT_TRUE(MustParse("{}").empty());
}

TEST(Filters, ParsesTheListForm) {
  Filters f = MustParse(R"({"label":["a=b","c"],"status":["running"]})");
  EXPECT_FALSE(f.empty());
  EXPECT_TRUE(f.has("label"));
  EXPECT_TRUE(f.has("status"));
  EXPECT_FALSE(f.has("name"));
  EXPECT_EQ(f.get("label"), (std::vector<std::string>{"a=b", "c"}));
  EXPECT_EQ(f.get("status"), (std::vector<std::string>{"running"}));
  EXPECT_TRUE(f.get("name").empty());
}

TEST(Filters, ParsesTheLegacyMapForm) {
  Filters f = MustParse(R"({"status":{"running":true,"exited":true,"paused":false}})");
  auto values = f.get("status");
  EXPECT_EQ(std::set<std::string>(values.begin(), values.end()), (std::set<std::string>{"running", "exited"}));
}

TEST(Filters, RejectsBadJsonAsAServerError) {
  // dockerd hands json.Unmarshal's error through: a 500, not a 400.
  for (const char* bad : {"{\"label\":", "not json"}) {
    Failure f = ParseError(bad);
    EXPECT_EQ(f.status, 500) << bad;
    EXPECT_EQ(f.message.rfind("invalid character", 0), 0u) << f.message;
  }
}

TEST(Filters, RejectsANonObject) {
  EXPECT_EQ(ParseError("[\"label\"]").status, 500);
  EXPECT_EQ(ParseError("\"label\"").status, 500);
  Failure scalar = ParseError(R"({"label":"a=b"})");
  EXPECT_EQ(scalar.status, 500);
  EXPECT_EQ(scalar.message, "json: cannot unmarshal string into Go value of type map[string]bool");
  Failure number = ParseError(R"({"label":[1]})");
  EXPECT_EQ(number.status, 500);
  EXPECT_EQ(number.message, "json: cannot unmarshal number into Go value of type string");
}

TEST(Filters, RejectsADisallowedKey) {
  Failure f = ParseError(R"({"x":["1"]})");
  EXPECT_EQ(f.status, 400);
  EXPECT_EQ(f.message, "Invalid filter 'x'");
  EXPECT_EQ(ParseError(R"({"status":["running"],"volume":["v"]})").message, "Invalid filter 'volume'");
  EXPECT_EQ(ParseError(R"({"x":{"1":true}})").message, "Invalid filter 'x'");
}

TEST(Filters, NoAllowedSetAcceptsAnyKey) {
  std::string error;
  int status = 0;
  auto f = Filters::Parse(R"({"anything":["1"]})", nullptr, &error, &status);
  ASSERT_TRUE(f.has_value()) << error;
  EXPECT_EQ(f->get("anything"), std::vector<std::string>{"1"});
  EXPECT_EQ(ParseError("nope", nullptr).status, 500);
}

TEST(Filters, AnyOrAbsent) {
  Filters f = MustParse(R"({"status":["running","paused"]})");
  auto is = [](const char* want) { return [want](const std::string& v) { return v == want; }; };
  EXPECT_TRUE(f.AnyOrAbsent("status", is("running")));
  EXPECT_TRUE(f.AnyOrAbsent("status", is("paused")));
  EXPECT_FALSE(f.AnyOrAbsent("status", is("exited")));
  // An absent key does not constrain anything.
  EXPECT_TRUE(f.AnyOrAbsent("name", is("whatever")));
  // A key given with no values matches nothing.
  Filters none = MustParse(R"({"status":[]})");
  EXPECT_FALSE(none.AnyOrAbsent("status", [](const std::string&) { return true; }));
}

TEST(Filters, MatchLabels) {
  const std::map<std::string, std::string> labels = {{"app", "web"}, {"tier", ""}, {"k", "a=b"}};
  EXPECT_TRUE(MustParse("").MatchLabels(labels));
  EXPECT_TRUE(MustParse(R"({"label":["app"]})").MatchLabels(labels));
  EXPECT_TRUE(MustParse(R"({"label":["app=web"]})").MatchLabels(labels));
  EXPECT_FALSE(MustParse(R"({"label":["app=db"]})").MatchLabels(labels));
  EXPECT_FALSE(MustParse(R"({"label":["missing"]})").MatchLabels(labels));
  EXPECT_TRUE(MustParse(R"({"label":["tier="]})").MatchLabels(labels));
  EXPECT_TRUE(MustParse(R"({"label":["tier"]})").MatchLabels(labels));
  EXPECT_TRUE(MustParse(R"({"label":["k=a=b"]})").MatchLabels(labels));  // split at the first '='
  // Every label value must match, not just one.
  EXPECT_TRUE(MustParse(R"({"label":["app=web","tier"]})").MatchLabels(labels));
  EXPECT_FALSE(MustParse(R"({"label":["app=web","missing"]})").MatchLabels(labels));
  EXPECT_FALSE(MustParse(R"({"label":["app"]})").MatchLabels({}));
  // The legacy form works the same.
  EXPECT_TRUE(MustParse(R"({"label":{"app=web":true}})").MatchLabels(labels));
}

}  // namespace
}  // namespace fakedocker
