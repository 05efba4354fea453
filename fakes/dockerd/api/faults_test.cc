#include "fakes/dockerd/api/faults.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace fakedocker {
namespace {

using nlohmann::json;

// The reason FromJson gives, or "" when it accepts the spec.
std::string Reject(const json& j) {
  try {
    FaultSpec::FromJson(j);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted " << j.dump();
  return "";
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

auto AnyTarget() {
  return [](const std::string&) { return true; };
}

TEST(FaultKind, NamesRoundTrip) {
  for (const char* name : {"stall", "reset", "truncate", "malformed", "error_frame", "http_500", "http_503", "slow",
                           "latency", "slice", "slow_close", "zombie"}) {
    auto kind = ParseFaultKind(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_STREQ(FaultKindName(*kind), name);
  }
  EXPECT_FALSE(ParseFaultKind("Stall").has_value());
  EXPECT_FALSE(ParseFaultKind("").has_value());
}

TEST(FaultSpec, Defaults) {
  FaultSpec f = FaultSpec::FromJson({{"kind", "stall"}});
  EXPECT_EQ(f.kind, FaultKind::kStall);
  EXPECT_EQ(f.target, "*");
  EXPECT_EQ(f.endpoint, "logs");
  EXPECT_EQ(f.probability, 1.0);
  EXPECT_EQ(f.remaining, 0u);
  EXPECT_EQ(f.after_bytes, 0u);
  EXPECT_EQ(f.duration_ns, -1);  // forever
  EXPECT_EQ(f.delay_ns, 1'000'000'000);
  EXPECT_EQ(f.bytes_per_s, 1024u);
  EXPECT_EQ(f.chunk_bytes, 3u);
  EXPECT_EQ(f.variant, "stream");
  EXPECT_EQ(f.applied, 0u);
  // A slice's default gap is short.
  EXPECT_EQ(FaultSpec::FromJson({{"kind", "slice"}}).delay_ns, 1'000'000);
}

TEST(FaultSpec, EveryField) {
  FaultSpec f = FaultSpec::FromJson(json::parse(R"({
      "kind": "malformed", "target": "web", "endpoint": "events", "probability": 0.25,
      "count": 3, "after_bytes": 1000, "duration": "2s", "delay": "250ms",
      "bytes_per_s": 4096, "chunk_bytes": 7, "variant": "length", "id": 99})"));
  EXPECT_EQ(f.kind, FaultKind::kMalformed);
  EXPECT_EQ(f.target, "web");
  EXPECT_EQ(f.endpoint, "events");
  EXPECT_EQ(f.probability, 0.25);
  EXPECT_EQ(f.remaining, 3u);
  EXPECT_EQ(f.after_bytes, 1000u);
  EXPECT_EQ(f.duration_ns, 2'000'000'000);
  EXPECT_EQ(f.delay_ns, 250'000'000);
  EXPECT_EQ(f.bytes_per_s, 4096u);
  EXPECT_EQ(f.chunk_bytes, 7u);
  EXPECT_EQ(f.variant, "length");
  EXPECT_EQ(f.id, 0u) << "ids are the registry's to give";
}

TEST(FaultSpec, DurationsMayBeSeconds) {
  FaultSpec f = FaultSpec::FromJson({{"kind", "latency"}, {"delay", 1.5}, {"duration", 2}});
  EXPECT_EQ(f.delay_ns, 1'500'000'000);
  EXPECT_EQ(f.duration_ns, 2'000'000'000);
}

TEST(FaultSpec, EndpointAnyAndProbabilityBounds) {
  EXPECT_EQ(FaultSpec::FromJson({{"kind", "reset"}, {"endpoint", "any"}}).endpoint, "any");
  EXPECT_EQ(FaultSpec::FromJson({{"kind", "reset"}, {"probability", 0}}).probability, 0.0);
  EXPECT_EQ(FaultSpec::FromJson({{"kind", "reset"}, {"probability", 1}}).probability, 1.0);
  EXPECT_EQ(Reject({{"kind", "reset"}, {"probability", 1.0001}}), "probability must be in [0, 1]");
  EXPECT_EQ(Reject({{"kind", "reset"}, {"probability", -0.1}}), "probability must be in [0, 1]");
  EXPECT_EQ(Reject({{"kind", "reset"}, {"probability", "0.5"}}), "probability must be a number");
}

TEST(FaultSpec, ChunkBytesIsAtLeastOne) {
  EXPECT_EQ(FaultSpec::FromJson({{"kind", "slice"}, {"chunk_bytes", 0}}).chunk_bytes, 1u);
}

TEST(FaultSpec, UnknownKindListsTheKinds) {
  const std::string why = Reject({{"kind", "explode"}});
  EXPECT_TRUE(Contains(why, "unknown fault kind 'explode'")) << why;
  EXPECT_TRUE(Contains(why, "stall")) << why;
  EXPECT_TRUE(Contains(why, "zombie")) << why;
}

TEST(FaultSpec, MissingKindSaysWhatIsNeeded) {
  for (const json& j : {json::object(), json{{"kind", 5}}, json{{"target", "x"}}}) {
    const std::string why = Reject(j);
    EXPECT_TRUE(Contains(why, "a fault needs \"kind\"")) << why;
    EXPECT_TRUE(Contains(why, "error_frame")) << why;
  }
}

TEST(FaultSpec, UnknownFieldIsNamed) {
  EXPECT_EQ(Reject({{"kind", "stall"}, {"colour", "red"}}), "unknown fault field 'colour'");
  EXPECT_EQ(Reject({{"kind", "stall"}, {"Probability", 1}}), "unknown fault field 'Probability'");
}

TEST(FaultSpec, BadValuesSayWhichField) {
  EXPECT_EQ(Reject(json::array()), "a fault must be a JSON object");
  EXPECT_EQ(Reject({{"kind", "stall"}, {"endpoint", "ping"}}), "fault endpoint must be logs, events or any");
  EXPECT_EQ(Reject({{"kind", "stall"}, {"count", -1}}), "fault field 'count' must be a non-negative integer");
  EXPECT_EQ(Reject({{"kind", "stall"}, {"after_bytes", 1.5}}),
            "fault field 'after_bytes' must be a non-negative integer");
  EXPECT_EQ(Reject({{"kind", "stall"}, {"duration", true}}),
            "fault field 'duration': \"true\" is not a duration from 0s to 8760h (e.g. 250ms, 2.5s, 1m; a plain number is seconds)");
  EXPECT_EQ(Reject({{"kind", "latency"}, {"delay", 1e300}}),
            "fault field 'delay': \"1e+300\" is not a duration from 0s to 8760h (e.g. 250ms, 2.5s, 1m; a plain number is "
            "seconds)");
  EXPECT_TRUE(Contains(Reject({{"kind", "latency"}, {"delay", "2562047h"}}), "2562047h"));
  EXPECT_TRUE(Contains(Reject({{"kind", "stall"}, {"duration", "soon"}}), "soon"));
  EXPECT_EQ(Reject({{"kind", "malformed"}, {"variant", "size"}}), "malformed variant must be \"stream\" or \"length\"");
  EXPECT_EQ(Reject({{"kind", "slow"}, {"bytes_per_s", 0}}), "bytes_per_s must be > 0");
}

TEST(FaultSpec, WrongTypesAreInvalidArguments) {
  // Callers report what() to a person: it must name the field.
  EXPECT_TRUE(Contains(Reject({{"kind", "stall"}, {"target", 5}}), "'target'"));
  EXPECT_TRUE(Contains(Reject({{"kind", "stall"}, {"endpoint", true}}), "'endpoint'"));
  EXPECT_TRUE(Contains(Reject({{"kind", "malformed"}, {"variant", 1}}), "'variant'"));
}

TEST(FaultSpec, ToJsonShowsTheKindsFields) {
  FaultSpec f = FaultSpec::FromJson({{"kind", "stall"}, {"after_bytes", 10}});
  json j = f.ToJson();
  EXPECT_EQ(j["kind"], "stall");
  EXPECT_EQ(j["duration"], "forever");
  EXPECT_EQ(j["after_bytes"], 10);
  EXPECT_EQ(FaultSpec::FromJson({{"kind", "slice"}, {"delay", "5ms"}}).ToJson()["delay"], "5ms");
}

TEST(FaultRegistry, AddGivesIdsAndResetsApplied) {
  FaultRegistry r(1);
  FaultSpec f = FaultSpec::FromJson({{"kind", "stall"}});
  f.applied = 5;
  EXPECT_EQ(r.Add(f), 1u);
  EXPECT_EQ(r.Add(f), 2u);
  ASSERT_EQ(r.all().size(), 2u);
  EXPECT_EQ(r.all()[0].id, 1u);
  EXPECT_EQ(r.all()[0].applied, 0u);
}

TEST(FaultRegistry, DrawHonoursTheEndpoint) {
  FaultRegistry r(1);
  r.Add(FaultSpec::FromJson({{"kind", "stall"}}));  // logs
  r.Add(FaultSpec::FromJson({{"kind", "reset"}, {"endpoint", "events"}}));
  r.Add(FaultSpec::FromJson({{"kind", "http_500"}, {"endpoint", "any"}}));
  auto logs = r.Draw("logs", AnyTarget());
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].kind, FaultKind::kStall);
  EXPECT_EQ(logs[1].kind, FaultKind::kHttp500);
  auto events = r.Draw("events", AnyTarget());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FaultKind::kReset);
  EXPECT_EQ(events[1].kind, FaultKind::kHttp500);
}

TEST(FaultRegistry, DrawHonoursTheTarget) {
  FaultRegistry r(1);
  r.Add(FaultSpec::FromJson({{"kind", "stall"}, {"target", "web"}}));
  r.Add(FaultSpec::FromJson({{"kind", "reset"}}));  // "*": every container
  std::vector<std::string> asked;
  auto is_db = [&](const std::string& target) {
    asked.push_back(target);
    return target == "db";
  };
  auto drawn = r.Draw("logs", is_db);
  ASSERT_EQ(drawn.size(), 1u);
  EXPECT_EQ(drawn[0].kind, FaultKind::kReset);
  EXPECT_EQ(asked, std::vector<std::string>{"web"}) << "\"*\" needs no matcher";
  auto is_web = [](const std::string& target) { return target == "web"; };
  EXPECT_EQ(r.Draw("logs", is_web).size(), 2u);
}

TEST(FaultRegistry, ProbabilityZeroAndOne) {
  FaultRegistry r(1);
  r.Add(FaultSpec::FromJson({{"kind", "stall"}, {"probability", 0}}));
  r.Add(FaultSpec::FromJson({{"kind", "reset"}, {"probability", 1}}));
  for (int i = 0; i < 200; ++i) {
    auto drawn = r.Draw("logs", AnyTarget());
    ASSERT_EQ(drawn.size(), 1u);
    EXPECT_EQ(drawn[0].kind, FaultKind::kReset);
  }
  EXPECT_EQ(r.all()[0].applied, 0u);
  EXPECT_EQ(r.all()[1].applied, 200u);
}

TEST(FaultRegistry, CountLimitsTheStreams) {
  FaultRegistry r(1);
  r.Add(FaultSpec::FromJson({{"kind", "stall"}, {"count", 2}}));
  EXPECT_EQ(r.Draw("logs", AnyTarget()).size(), 1u);
  auto second = r.Draw("logs", AnyTarget());
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].applied, 2u);
  EXPECT_TRUE(r.Draw("logs", AnyTarget()).empty());
  EXPECT_TRUE(r.Draw("logs", AnyTarget()).empty());
  EXPECT_EQ(r.all()[0].applied, 2u);
  // Streams of another endpoint or container do not use up the count.
  FaultRegistry s(1);
  s.Add(FaultSpec::FromJson({{"kind", "stall"}, {"count", 1}, {"target", "web"}}));
  EXPECT_TRUE(s.Draw("events", AnyTarget()).empty());
  EXPECT_TRUE(s.Draw("logs", [](const std::string&) { return false; }).empty());
  EXPECT_EQ(s.Draw("logs", AnyTarget()).size(), 1u);
}

std::vector<bool> DrawSequence(uint64_t seed, int n) {
  FaultRegistry r(seed);
  r.Add(FaultSpec::FromJson({{"kind", "stall"}, {"probability", 0.5}}));
  std::vector<bool> out;
  for (int i = 0; i < n; ++i) out.push_back(!r.Draw("logs", AnyTarget()).empty());
  return out;
}

TEST(FaultRegistry, SameSeedSameDraws) {
  auto a = DrawSequence(42, 400);
  auto b = DrawSequence(42, 400);
  EXPECT_EQ(a, b);
  const auto hits = std::count(a.begin(), a.end(), true);
  EXPECT_GT(hits, 120);
  EXPECT_LT(hits, 280);
  EXPECT_NE(a, DrawSequence(43, 400));
}

TEST(FaultRegistry, RemoveById) {
  FaultRegistry r(1);
  uint64_t a = r.Add(FaultSpec::FromJson({{"kind", "stall"}}));
  uint64_t b = r.Add(FaultSpec::FromJson({{"kind", "reset"}}));
  EXPECT_TRUE(r.Remove(a));
  EXPECT_FALSE(r.Remove(a));
  EXPECT_FALSE(r.Remove(999));
  ASSERT_EQ(r.all().size(), 1u);
  EXPECT_EQ(r.all()[0].id, b);
}

TEST(FaultRegistry, ClearByKindOrAll) {
  FaultRegistry r(1);
  r.Add(FaultSpec::FromJson({{"kind", "stall"}}));
  r.Add(FaultSpec::FromJson({{"kind", "reset"}}));
  r.Add(FaultSpec::FromJson({{"kind", "stall"}, {"target", "web"}}));
  r.Add(FaultSpec::FromJson({{"kind", "slow"}}));
  EXPECT_EQ(r.Clear(FaultKind::kZombie), 0u);
  EXPECT_EQ(r.Clear(FaultKind::kStall), 2u);
  ASSERT_EQ(r.all().size(), 2u);
  EXPECT_EQ(r.all()[0].kind, FaultKind::kReset);
  EXPECT_EQ(r.all()[1].kind, FaultKind::kSlow);
  EXPECT_EQ(r.Clear(std::nullopt), 2u);
  EXPECT_TRUE(r.all().empty());
}

}  // namespace
}  // namespace fakedocker
