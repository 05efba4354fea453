// YamlDocument / YamlValue / YamlToJson / ParseSecondsOrDuration: the
// boolean rule, every typed getter with its errors (each message checked
// whole, with its FILE:LINE:COL and key path), unknown and duplicate keys.
#include "common/yaml_value.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/seconds_or_duration.h"
#include "common/yaml_to_json.h"

namespace leakbench {
namespace yaml_value_test {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Reads `text` ("key: VALUE") and hands the value of `key` to `get`.
template <typename Get>
auto ReadKey(const std::string& text, Get get) {
  YamlDocument doc("f.yaml");
  const YamlValue root = doc.Load(text);
  std::optional<decltype(get(root))> out;
  doc.ReadMap(root, {{"key", [&](const YamlValue& v) { out = get(v); }}});
  return *out;
}

// The YamlError message of reading `text` with `get`, or "(no error)".
template <typename Get>
std::string ErrorOf(const std::string& text, Get get) {
  try {
    ReadKey(text, get);
  } catch (const YamlError& e) {
    return e.what();
  }
  return "(no error)";
}

const auto kBool = [](const YamlValue& v) { return v.Bool(); };
const auto kString = [](const YamlValue& v) { return v.String(); };
const auto kCount = [](const YamlValue& v) { return v.Unsigned(1, 100); };
const auto kNumber = [](const YamlValue& v) { return v.Number(0, 1); };
const auto kDuration = [](const YamlValue& v) { return v.Duration(milliseconds(1), minutes(10)); };

TEST(YamlValueTest, BooleansAreTheCoreSchemaSpellingsOnly) {
  for (const char* yes : {"true", "True", "TRUE"}) EXPECT_TRUE(ReadKey(std::string("key: ") + yes, kBool)) << yes;
  for (const char* no : {"false", "False", "FALSE"}) EXPECT_FALSE(ReadKey(std::string("key: ") + no, kBool)) << no;
  EXPECT_EQ(ErrorOf("key: yes", kBool),
            "f.yaml:1:6: key: expected true or false, got 'yes' (yes/no/on/off are not booleans: write true or false)");
  for (const char* word : {"no", "on", "off", "Yes", "OFF", "y", "n"}) {
    EXPECT_NE(ErrorOf(std::string("key: ") + word, kBool).find("are not booleans"), std::string::npos) << word;
  }
  EXPECT_EQ(ErrorOf("key: 'true'", kBool), "f.yaml:1:6: key: expected true or false, got the string 'true'");
  EXPECT_EQ(ErrorOf("key: maybe", kBool), "f.yaml:1:6: key: expected true or false, got 'maybe'");
  EXPECT_EQ(ErrorOf("key: 1", kBool), "f.yaml:1:6: key: expected true or false, got '1'");
  EXPECT_EQ(ErrorOf("key:\n", kBool), "f.yaml:1:1: key: expected true or false, got nothing");
  EXPECT_EQ(ErrorOf("key: [true]", kBool), "f.yaml:1:6: key: expected true or false, got a list");
}

TEST(YamlValueTest, StringsRefuseBooleansAndNullButKeepNumbersAsWritten) {
  EXPECT_EQ(ReadKey("key: off", kString), "off") << "off is a string in YAML 1.2";
  EXPECT_EQ(ReadKey("key: 'true'", kString), "true");
  EXPECT_EQ(ReadKey("key: 0100", kString), "0100");
  EXPECT_EQ(ErrorOf("key: True", kString),
            "f.yaml:1:6: key: expected a string, got the boolean True (quote it if you mean the text: \"True\")");
  EXPECT_EQ(ErrorOf("key: ~", kString), "f.yaml:1:1: key: expected a string, got nothing") << "at its key";
  EXPECT_EQ(ErrorOf("key: {a: 1}", kString), "f.yaml:1:6: key: expected a string, got a map");
}

TEST(YamlValueTest, IntegersWithARange) {
  EXPECT_EQ(ReadKey("key: 42", kCount), 42u);
  EXPECT_EQ(ReadKey("key: +7", kCount), 7u);
  EXPECT_EQ(ReadKey("key: -3", [](const YamlValue& v) { return v.Integer(-5, 5); }), -3);
  EXPECT_EQ(ErrorOf("key: 0", kCount), "f.yaml:1:6: key: must be from 1 to 100 (got 0)");
  EXPECT_EQ(ErrorOf("key: 101", kCount), "f.yaml:1:6: key: must be from 1 to 100 (got 101)");
  EXPECT_EQ(ErrorOf("key: -1", kCount), "f.yaml:1:6: key: must be >= 1 (got -1)");
  EXPECT_EQ(ErrorOf("key: 1.5", kCount), "f.yaml:1:6: key: expected a whole number from 1 to 100, got '1.5'");
  EXPECT_EQ(ErrorOf("key: '5'", kCount), "f.yaml:1:6: key: expected a whole number from 1 to 100, got '5'")
      << "a quoted number is a string";
  EXPECT_EQ(ErrorOf("key: true", kCount), "f.yaml:1:6: key: expected a whole number from 1 to 100, got the boolean true");
  EXPECT_EQ(ErrorOf("key: 0x10", kCount), "f.yaml:1:6: key: expected a whole number from 1 to 100, got '0x10'");
  EXPECT_EQ(ErrorOf("key: 99999999999999999999999", [](const YamlValue& v) { return v.Unsigned(0, UINT64_MAX); }),
            "f.yaml:1:6: key: '99999999999999999999999' is too large (at most 18446744073709551615)");
  EXPECT_EQ(ErrorOf("key: x", [](const YamlValue& v) { return v.Unsigned(2, UINT64_MAX); }),
            "f.yaml:1:6: key: expected a whole number >= 2, got 'x'");
  EXPECT_EQ(ErrorOf("key: 1", [](const YamlValue& v) { return v.Unsigned(2, UINT64_MAX); }),
            "f.yaml:1:6: key: must be >= 2 (got 1)");
}

TEST(YamlValueTest, NumbersAreFiniteAndInRange) {
  EXPECT_DOUBLE_EQ(ReadKey("key: 0.25", kNumber), 0.25);
  EXPECT_DOUBLE_EQ(ReadKey("key: 1", kNumber), 1);
  EXPECT_DOUBLE_EQ(ReadKey("key: 5e-1", kNumber), 0.5);
  EXPECT_DOUBLE_EQ(ReadKey("key: .5", kNumber), 0.5);
  EXPECT_EQ(ErrorOf("key: 1.5", kNumber), "f.yaml:1:6: key: must be between 0 and 1 (got 1.5)");
  EXPECT_EQ(ErrorOf("key: -1", [](const YamlValue& v) { return v.Number(0, 1e300 * 1e300); }),
            "f.yaml:1:6: key: must be >= 0 (got -1)");
  EXPECT_EQ(ErrorOf("key: .inf", kNumber), "f.yaml:1:6: key: expected a finite number, got '.inf'");
  EXPECT_EQ(ErrorOf("key: .nan", kNumber), "f.yaml:1:6: key: expected a finite number, got '.nan'");
  EXPECT_EQ(ErrorOf("key: 1e400", kNumber), "f.yaml:1:6: key: expected a finite number, got '1e400'");
  EXPECT_EQ(ErrorOf("key: '0.5'", kNumber), "f.yaml:1:6: key: expected a finite number, got '0.5'");
  EXPECT_EQ(ErrorOf("key: fast", kNumber), "f.yaml:1:6: key: expected a finite number, got 'fast'");
}

TEST(YamlValueTest, DurationsAreGoStyleOrSeconds) {
  EXPECT_EQ(ReadKey("key: 90s", kDuration), seconds(90));
  EXPECT_EQ(ReadKey("key: 1m30s", kDuration), seconds(90));
  EXPECT_EQ(ReadKey("key: 250ms", kDuration), milliseconds(250));
  EXPECT_EQ(ReadKey("key: 90", kDuration), seconds(90));
  EXPECT_EQ(ReadKey("key: 2.5", kDuration), milliseconds(2500));
  EXPECT_EQ(ReadKey("key: \"45\"", kDuration), seconds(45));
  EXPECT_EQ(ErrorOf("key: 5 min", kDuration),
            "f.yaml:1:6: key: '5 min' is not a duration (expected e.g. 90s, 5m, 2.5s, 1h30m, 250ms, or a number of "
            "seconds such as 90 or 2.5)");
  for (const char* bad : {"-5s", "1e3", ".nan", "soon", "99999999999h", "5.", "+2"}) {
    EXPECT_NE(ErrorOf(std::string("key: ") + bad, kDuration).find("' is not a duration"), std::string::npos) << bad;
  }
  EXPECT_EQ(ErrorOf("key: 11m", kDuration), "f.yaml:1:6: key: '11m' is too long (at most 10m)");
  EXPECT_EQ(ErrorOf("key: 0s", kDuration), "f.yaml:1:6: key: '0s' is too short (at least 1ms)");
  EXPECT_EQ(ErrorOf("key: false", kDuration),
            "f.yaml:1:6: key: expected a duration such as 90s, 5m or 2.5s, got the boolean false (quote it if you "
            "mean the text: \"false\")");
}

TEST(YamlValueTest, ChoicesAndLists) {
  const auto kind = [](const YamlValue& v) { return v.Choice({"stdout", "file", "loki"}); };
  EXPECT_EQ(ReadKey("key: file", kind), "file");
  EXPECT_EQ(ErrorOf("key: kafka", kind), "f.yaml:1:6: key: expected stdout, file or loki, got 'kafka'");
  const auto list = [](const YamlValue& v) { return v.StringList(); };
  EXPECT_EQ(ReadKey("key: [a, '1', 2]", list), (std::vector<std::string>{"a", "1", "2"}));
  EXPECT_EQ(ErrorOf("key: web", list), "f.yaml:1:6: key: expected a list of strings, got 'web'");
  EXPECT_EQ(ErrorOf("key:\n  - a\n  - [b]\n", list), "f.yaml:3:5: key[1]: expected a string, got a list");
  const auto map = [](const YamlValue& v) { return v.StringMap(); };
  EXPECT_EQ(ReadKey("key: {job: x, n: 1}", map), (std::map<std::string, std::string>{{"job", "x"}, {"n", "1"}}));
  EXPECT_EQ(ErrorOf("key: [a]", map), "f.yaml:1:6: key: expected a map of strings to strings, got a list");
  EXPECT_EQ(ErrorOf("key: {a: {b: c}}", map), "f.yaml:1:10: key.a: expected a string, got a map");
  EXPECT_EQ(ErrorOf("key:\n  a: x\n  a: y\n", map), "f.yaml:3:3: key.a: duplicate key (first at line 2)");
}

TEST(YamlDocumentTest, UnknownAndDuplicateKeys) {
  YamlDocument doc("f.yaml");
  std::string seen;
  const auto read = [&](const std::string& text) {
    const YamlValue root = doc.Load(text);
    doc.ReadMap(root, {{"name", [&](const YamlValue& v) { seen = v.String(); }},
                       {"fake", [&](const YamlValue& v) {
                          doc.ReadMap(v, {{"rate", [](const YamlValue&) {}}, {"burst", [](const YamlValue&) {}}});
                        }}});
  };
  const auto error = [&](const std::string& text) {
    try {
      read(text);
    } catch (const YamlError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error("name: x\ndurations: 5s\n"), "f.yaml:2:1: durations: unknown key (known keys: name, fake)");
  EXPECT_EQ(error("fake:\n  rat: 5\n"), "f.yaml:2:3: fake.rat: unknown key (known keys of fake: rate, burst)");
  EXPECT_EQ(error("name: x\nname: y\n"), "f.yaml:2:1: name: duplicate key (first at line 1)");
  EXPECT_EQ(error("fake: 5\n"), "f.yaml:1:7: fake: expected a map, got '5'");
  EXPECT_EQ(error("- a\n"), "f.yaml:1:1: expected a map, got a list");
  EXPECT_EQ(error("name: [x\n"), "f.yaml:2:1: not valid YAML: end of sequence flow not found");
  EXPECT_EQ(error("true: x\n"),
            "f.yaml:1:1: expected a key name, got the boolean true (quote it if you mean the text: \"true\")");

  read("name: x\nfake:\n  rate:\n");
  EXPECT_EQ(seen, "x");
  EXPECT_TRUE(doc.Has("fake.rate"));
  EXPECT_FALSE(doc.Has("fake.burst"));
  EXPECT_EQ(doc.MarkOf("fake.rate").line, 2) << "a null value is where its key is";
  EXPECT_EQ(doc.MarkOf("fake.rate").column, 2);
  try {
    doc.FailAt({"fake.burst", "fake.rate"}, "must be set");
    ADD_FAILURE() << "no error";
  } catch (const YamlError& e) {
    EXPECT_STREQ(e.what(), "f.yaml:3:3: fake.rate: must be set");
  }
  try {
    doc.FailAt({"fake.burst"}, "must be set");
    ADD_FAILURE() << "no error";
  } catch (const YamlError& e) {
    EXPECT_STREQ(e.what(), "f.yaml: fake.burst: must be set") << "a default has no place in the file";
  }
}

TEST(YamlDocumentTest, LongKeysAndValuesAreCut) {
  const std::string huge(5000, 'x');
  const std::string cut = huge.substr(0, 200) + "\xE2\x80\xA6(cut, 5000 bytes)";
  EXPECT_EQ(ErrorOf("key: " + huge, kNumber), "f.yaml:1:6: key: expected a finite number, got '" + cut + "'");
  YamlDocument doc(huge);
  try {
    doc.ReadMap(doc.Load("? " + huge + "\n: 1\n"), {});
    ADD_FAILURE() << "no error";
  } catch (const YamlError& e) {
    EXPECT_EQ(std::string(e.what()), cut + ":1:3: " + cut + ": unknown key (known keys: )");
  }
}

TEST(YamlToJsonTest, ScalarsFollowTheSameRule) {
  YamlDocument doc("f.yaml");
  const nlohmann::json j = YamlToJson(doc.Load(
      "{a: True, b: yes, c: '123', d: 123, e: -4, f: 0.5, g: ~, h: .inf, i: 99999999999999999999, j: [1, x], "
      "k: 18446744073709551615, l: off}"));
  EXPECT_EQ(j, nlohmann::json::parse(R"({"a": true, "b": "yes", "c": "123", "d": 123, "e": -4, "f": 0.5, "g": null,
      "h": ".inf", "i": "99999999999999999999", "j": [1, "x"], "k": 18446744073709551615, "l": "off"})"));
  EXPECT_TRUE(j["f"].is_number_float());
  EXPECT_TRUE(j["k"].is_number_unsigned());
  try {
    YamlToJson(doc.Load("{a: 1, a: 2}"));
    ADD_FAILURE() << "no error";
  } catch (const YamlError& e) {
    EXPECT_STREQ(e.what(), "f.yaml:1:8: a: duplicate key");
  }
}

TEST(SecondsOrDurationTest, Forms) {
  EXPECT_EQ(ParseSecondsOrDuration("300"), seconds(300));
  EXPECT_EQ(ParseSecondsOrDuration("2.5"), milliseconds(2500));
  EXPECT_EQ(ParseSecondsOrDuration("0"), seconds(0));
  EXPECT_EQ(ParseSecondsOrDuration("1h30m"), minutes(90));
  EXPECT_EQ(ParseSecondsOrDuration("+5s"), seconds(5));
  for (const char* bad : {"", "-1", "+1", "1e3", ".5", "5.", "5 min", "-5s", "99999999999", "x"}) {
    EXPECT_FALSE(ParseSecondsOrDuration(bad).has_value()) << bad;
  }
}

}  // namespace yaml_value_test
}  // namespace leakbench
