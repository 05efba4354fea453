#include "core/tests/support/engine_under_test.h"

#include <filesystem>
#include <sstream>

#include "fakes/tests/support/polling.h"

namespace logcap::testing {

Config TestConfig(const std::string& socket) {
  Config c;
  c.docker.host = "unix://" + socket;
  c.docker.rotation_interval = std::chrono::seconds(3);
  c.docker.rotation_jitter = std::chrono::milliseconds(500);
  c.docker.max_streams = 50;
  c.docker.backoff_base = std::chrono::milliseconds(50);
  c.docker.backoff_cap = std::chrono::seconds(1);
  c.docker.request_timeout = std::chrono::seconds(5);
  c.metrics_listen = "";
  c.log_level = "warn";
  return c;
}

EngineUnderTest::EngineUnderTest(const Config& config, Sink& sink)
    : engine_(std::make_unique<Engine>(config, sink, metrics_)), thread_([this] { engine_->Run(); }) {}

EngineUnderTest::~EngineUnderTest() { Stop(); }

std::chrono::milliseconds EngineUnderTest::Stop() {
  if (stopped_) return std::chrono::milliseconds(0);
  stopped_ = true;
  const auto start = std::chrono::steady_clock::now();
  engine_->Stop();
  thread_.join();
  engine_->SaveFinalState();  // as log-capturer's main does once the sink is closed
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

namespace {

CaptureReport Compare(const nlohmann::json& live, const std::map<std::string, ContainerCapture>& captured,
                      const CaptureSummary& summary) {
  CaptureReport r;
  r.duplicates = summary.duplicates;
  r.unparsed = summary.unparsed;
  std::set<std::string> live_cids;
  for (const auto& c : live) {
    const std::string cid = c.at("cid").get<std::string>();
    const std::uint64_t emitted = c.at("emitted").get<std::uint64_t>();
    const std::uint64_t first_held = c.at("first_seq_held").get<std::uint64_t>();
    live_cids.insert(cid);
    ++r.containers;
    r.emitted += emitted;
    auto it = captured.find(cid);
    const std::uint64_t distinct = it == captured.end() ? 0 : it->second.seq_count.size();
    r.captured += distinct;
    if (distinct != emitted) {
      std::ostringstream p;
      p << c.at("name").get<std::string>() << " (" << cid << (c.at("tty").get<bool>() ? ", tty" : "")
        << "): emitted " << emitted << ", captured " << distinct;
      if (it != captured.end() && !it->second.seq_count.empty()) {
        p << " [first " << it->second.seq_count.begin()->first << ", last "
          << it->second.seq_count.rbegin()->first << "]";
        std::uint64_t expect = 1, shown = 0;
        for (const auto& [seq, n] : it->second.seq_count) {
          if (seq != expect && shown < 5) {
            p << " missing " << expect << ".." << seq - 1;
            ++shown;
          }
          expect = seq + 1;
        }
      }
      if (first_held > 1) p << " (daemon holds from seq " << first_held << ")";
      r.problems.push_back(p.str());
    }
  }
  // Containers that are gone: a gap-free prefix.
  for (const auto& [cid, cap] : captured) {
    if (live_cids.count(cid) != 0 || cap.seq_count.empty()) continue;
    const std::uint64_t first = cap.seq_count.begin()->first;
    const std::uint64_t last = cap.seq_count.rbegin()->first;
    if (first != 1 || last - first + 1 != cap.seq_count.size()) {
      r.problems.push_back("gone container " + cid + ": captured " + std::to_string(cap.seq_count.size()) +
                           " lines between seq " + std::to_string(first) + " and " + std::to_string(last));
    }
  }
  return r;
}

}  // namespace

CaptureReport WaitForExactCapture(leakbench::testing::InProcessFake& fake, const MemorySink& sink,
                                  std::chrono::milliseconds limit) {
  fake.Act({{"action", "set"}, {"target", "*"}, {"rate", 0}});
  CaptureReport report;
  leakbench::testing::Eventually(
      [&] {
        report = Compare(fake.Control("GET", "/containers"), sink.Snapshot(), sink.Summary());
        return report.exact();
      },
      limit);
  return report;
}

std::string Describe(const CaptureReport& r) {
  std::ostringstream out;
  out << r.containers << " live containers emitted " << r.emitted << " lines; captured " << r.captured
      << " distinct; " << r.duplicates << " duplicates; " << r.unparsed << " unparsed";
  for (std::size_t i = 0; i < r.problems.size() && i < 20; ++i) out << "\n  " << r.problems[i];
  if (r.problems.size() > 20) out << "\n  ... " << r.problems.size() - 20 << " more";
  return out.str();
}

fakedocker::DaemonConfig FakeConfig(std::size_t containers, double rate) {
  fakedocker::DaemonConfig c;
  c.containers = containers;
  c.generator.rate = rate;
  c.generator.min_bytes = 60;
  c.generator.max_bytes = 200;
  c.generator.stderr_fraction = 0.2;
  c.retention = 100'000;
  c.seed = 7;
  return c;
}

StreamCounts Streams(leakbench::testing::InProcessFake& fake) {
  nlohmann::json t = fake.Control("GET", "/truth");
  return {t.at("follow_streams_open").get<std::uint64_t>(), t.at("follow_streams_peak").get<std::uint64_t>()};
}

std::uint64_t RunWatchingStreams(leakbench::testing::InProcessFake& fake, std::chrono::milliseconds d) {
  std::uint64_t max_open = 0;
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    max_open = std::max(max_open, Streams(fake).open);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return max_open;
}

std::size_t ProcessThreads() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

}  // namespace logcap::testing
