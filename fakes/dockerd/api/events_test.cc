#include "fakes/dockerd/api/events.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace fakedocker {
namespace {

const std::string kEventsId = "f20f0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";

Event Die() {
  Event e;
  e.time = 1'795'877'136'563'258'728;
  e.action = "die";
  e.id = kEventsId;
  e.from = "bb:latest";
  e.attributes = {{"name", "t2"}, {"image", "bb:latest"}, {"exitCode", "137"}, {"app", "web"}};
  return e;
}

Filters Parse(std::string_view json) {
  static const std::set<std::string> kAllowed = {"type", "event", "container", "image", "label"};
  std::string error;
  int status = 0;
  auto f = Filters::Parse(json, &kAllowed, &error, &status);
  EXPECT_TRUE(f.has_value()) << error;
  return f.value_or(Filters());
}

TEST(Event, ToJsonLineMatchesDockerd) {
  EXPECT_EQ(Die().ToJsonLine(),
            R"({"status":"die","id":")" + kEventsId + R"(","from":"bb:latest","Type":"container","Action":"die",)"
            R"("Actor":{"ID":")" + kEventsId + R"(","Attributes":{"app":"web","exitCode":"137","image":"bb:latest","name":"t2"}},)"
            R"("scope":"local","time":1795877136,"timeNano":1795877136563258728})" "\n");
}

TEST(Event, ToJsonLineWithoutAttributes) {
  Event e;
  e.time = 2'000'000'000;
  e.action = "destroy";
  e.id = "abc";
  e.from = "img";
  EXPECT_EQ(e.ToJsonLine(),
            R"({"status":"destroy","id":"abc","from":"img","Type":"container","Action":"destroy",)"
            R"("Actor":{"ID":"abc","Attributes":{}},"scope":"local","time":2,"timeNano":2000000000})" "\n");
}

TEST(Event, ToJsonLineEscapesStrings) {
  Event e = Die();
  e.attributes = {{"name", "a\"b\\c"}};
  const std::string line = e.ToJsonLine();
  EXPECT_NE(line.find(R"("name":"a\"b\\c")"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
}

TEST(Event, MatchesEverythingWithoutFilters) { EXPECT_TRUE(Die().Matches(Parse(""))); }

TEST(Event, MatchesTypeAndEvent) {
  const Event e = Die();
  EXPECT_TRUE(e.Matches(Parse(R"({"type":["container"]})")));
  EXPECT_FALSE(e.Matches(Parse(R"({"type":["network"]})")));
  EXPECT_TRUE(e.Matches(Parse(R"({"type":["network","container"]})")));
  EXPECT_TRUE(e.Matches(Parse(R"({"event":["start","die"]})")));
  EXPECT_FALSE(e.Matches(Parse(R"({"event":["start"]})")));
  EXPECT_FALSE(e.Matches(Parse(R"({"type":["container"],"event":["stop"]})")));
}

TEST(Event, MatchesContainerByIdPrefixOrName) {
  // dockerd's FuzzyMatch: the id or the name, or a prefix of either.
  const Event e = Die();
  EXPECT_TRUE(e.Matches(Parse(R"({"container":[")" + kEventsId + R"("]})")));
  EXPECT_TRUE(e.Matches(Parse(R"({"container":["f20f01"]})")));
  EXPECT_TRUE(e.Matches(Parse(R"({"container":["t2"]})")));
  EXPECT_TRUE(e.Matches(Parse(R"({"container":["t"]})")));
  EXPECT_FALSE(e.Matches(Parse(R"({"container":["t3"]})")));
  EXPECT_FALSE(e.Matches(Parse(R"({"container":["t22"]})")));
  EXPECT_FALSE(e.Matches(Parse(R"({"container":["0123"]})")));
  EXPECT_TRUE(e.Matches(Parse(R"({"container":["other","t2"]})")));
  Event unnamed = Die();
  unnamed.attributes.erase("name");
  EXPECT_FALSE(unnamed.Matches(Parse(R"({"container":["t2"]})")));
  EXPECT_TRUE(unnamed.Matches(Parse(R"({"container":["f20f"]})")));
}

TEST(Event, MatchesImageAndLabel) {
  const Event e = Die();
  EXPECT_TRUE(e.Matches(Parse(R"({"image":["bb:latest"]})")));
  EXPECT_FALSE(e.Matches(Parse(R"({"image":["bb:old"]})")));
  EXPECT_TRUE(e.Matches(Parse(R"({"label":["app"]})")));
  EXPECT_TRUE(e.Matches(Parse(R"({"label":["app=web"]})")));
  EXPECT_FALSE(e.Matches(Parse(R"({"label":["app=db"]})")));
  EXPECT_FALSE(e.Matches(Parse(R"({"label":["tier"]})")));
  EXPECT_TRUE(e.Matches(Parse(R"({"type":["container"],"container":["t2"],"image":["bb:latest"],"label":["app=web"]})")));
}

class RecordingEventObserver : public EventObserver {
 public:
  void OnEvent(const Event& e) override { actions.push_back(e.action); }
  std::vector<std::string> actions;
};

Event Numbered(int i) {
  Event e;
  e.time = 1'000'000'000LL * (1000 + i);
  e.action = "start";
  e.id = "id" + std::to_string(i);
  return e;
}

TEST(EventLog, KeepsTheLast256) {
  EventLog log;
  for (int i = 0; i < 300; ++i) log.Publish(Numbered(i));
  EXPECT_EQ(log.published(), 300u);
  ASSERT_EQ(log.recent().size(), EventLog::kReplay);
  EXPECT_EQ(EventLog::kReplay, 256u);
  EXPECT_EQ(log.recent().front().id, "id44");
  EXPECT_EQ(log.recent().back().id, "id299");
}

TEST(EventLog, FewerThan256AreAllKept) {
  EventLog log;
  EXPECT_TRUE(log.recent().empty());
  for (int i = 0; i < 3; ++i) log.Publish(Numbered(i));
  ASSERT_EQ(log.recent().size(), 3u);
  EXPECT_EQ(log.recent().front().id, "id0");
}

TEST(EventLog, NotifiesLiveObservers) {
  EventLog log;
  auto a = std::make_shared<RecordingEventObserver>();
  auto b = std::make_shared<RecordingEventObserver>();
  log.Publish(Numbered(0));  // before anyone listens
  log.AddObserver(a);
  log.AddObserver(b);
  Event stop = Numbered(1);
  stop.action = "stop";
  log.Publish(stop);
  b.reset();
  Event destroy = Numbered(2);
  destroy.action = "destroy";
  log.Publish(destroy);
  EXPECT_EQ(a->actions, (std::vector<std::string>{"stop", "destroy"}));
}

// An observer that publishes in turn (as a stream that reacts to an event
// might): the log must stay consistent and both events must be seen.
class ChainingObserver : public EventObserver {
 public:
  explicit ChainingObserver(EventLog* log) : log_(log) {}
  void OnEvent(const Event& e) override {
    seen.push_back(e.action);
    if (e.action == "die") {
      Event stop = e;
      stop.action = "stop";
      log_->Publish(stop);
    }
  }
  std::vector<std::string> seen;

 private:
  EventLog* log_;
};

TEST(EventLog, ObserverMayPublish) {
  EventLog log;
  auto chain = std::make_shared<ChainingObserver>(&log);
  log.AddObserver(chain);
  log.Publish(Die());
  EXPECT_EQ(chain->seen, (std::vector<std::string>{"die", "stop"}));
  ASSERT_EQ(log.recent().size(), 2u);
  EXPECT_EQ(log.recent()[0].action, "die");
  EXPECT_EQ(log.recent()[1].action, "stop");
}

}  // namespace
}  // namespace fakedocker
