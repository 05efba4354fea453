// The fake behind DaemonUnderTest: fake-dockerd with the scenario's
// containers, rates and faults, driven through its control API.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/run/child_process.h"
#include "harness/run/daemon_under_test.h"
#include "harness/run/http_get.h"
#include "harness/run/process_sweep.h"
#include "harness/run/read_file.h"
#include "harness/run/run_scenario.h"

namespace leakbench::harness {
namespace {

class FakeDaemon : public DaemonUnderTest {
 public:
  FakeDaemon(const Scenario& s, const RunOptions& o, const std::string& dir)
      : sock_(dir + "/docker.sock"), control_(dir + "/control.sock") {
    std::vector<std::string> args = {o.fake_binary,
                                     "--socket", sock_,
                                     "--control-socket", control_,
                                     "--containers", std::to_string(s.fake.containers),
                                     "--rate", std::to_string(s.fake.rate),
                                     "--line-bytes", s.fake.line_bytes,
                                     "--tty-fraction", std::to_string(s.fake.tty_fraction),
                                     "--stderr-fraction", std::to_string(s.fake.stderr_fraction),
                                     "--stderr-lag", std::to_string(std::chrono::duration<double>(s.fake.stderr_lag).count()),
                                     "--burst", std::to_string(s.fake.burst),
                                     "--retention", std::to_string(s.fake.retention)};
    fake_ = std::make_unique<ChildProcess>(args, dir + "/fake.out", dir + "/fake.err",
                                           std::vector<std::string>{RunMarker(dir)});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (ReadWholeFile(dir + "/fake.out").find('\n') == std::string::npos) {
      if (fake_->Poll() || std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("fake-dockerd did not start: " + ReadWholeFile(dir + "/fake.err"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const auto& f : s.fake.faults) FakeControl(control_, "POST", "/faults", f);
  }

  std::string target_socket() const override { return sock_; }
  std::string control_socket() const override { return control_; }
  void Play(const nlohmann::json& action) override { FakeControl(control_, "POST", "/actions", action); }
  void StopEmission() override {
    FakeControl(control_, "POST", "/actions", nlohmann::json{{"action", "set"}, {"target", "*"}, {"rate", 0}});
    FakeControl(control_, "DELETE", "/faults");
  }
  std::vector<FakeContainer> Containers() override { return ParseContainers(FakeControl(control_, "GET", "/containers")); }
  void Stop() override {
    if (fake_) fake_->Stop(SIGTERM, std::chrono::seconds(5));
  }
  DaemonInfo info() const override { return {"fake", "fake-dockerd", "1.41", "none", true, ""}; }
  std::vector<DaemonProcess> processes() const override { return {{"fake-dockerd", fake_->pid()}}; }

 private:
  std::string sock_, control_;
  std::unique_ptr<ChildProcess> fake_;
};

}  // namespace

std::unique_ptr<DaemonUnderTest> StartFakeDaemon(const Scenario& s, const RunOptions& o, const std::string& dir) {
  return std::make_unique<FakeDaemon>(s, o, dir);
}

}  // namespace leakbench::harness
