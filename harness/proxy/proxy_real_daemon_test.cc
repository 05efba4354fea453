// The proxy between the docker CLI and a private real dockerd (skipped
// with the reason when one cannot start here): run, attach, exec and
// logs -f work through it unchanged, and it records the follow stream with
// exactly the stamps the container wrote.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <memory>
#include <string>
#include <thread>

#include "fakes/tests/support/polling.h"
#include "fakes/tests/support/real_dockerd.h"
#include "harness/proxy/proxy_record.h"
#include "harness/proxy/proxy_server.h"

namespace leakbench::proxy {
namespace proxy_real_daemon_test {

using json = nlohmann::json;
using leakbench::testing::RealDockerd;

struct Shell {
  int status = -1;
  std::string out;
};

// Runs `command` through /bin/sh, stdout and stderr together.
Shell Sh(const std::string& command) {
  Shell r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  r.status = pclose(p);
  return r;
}

class ProxyRealDaemonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    daemon_ = RealDockerd::Start(&why).release();
    if (daemon_ == nullptr) skip_reason_ = new std::string(why);
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
    delete skip_reason_;
    skip_reason_ = nullptr;
  }
  void SetUp() override {
    if (daemon_ == nullptr) GTEST_SKIP() << "no real dockerd here: " << *skip_reason_;
    proxy_socket_ = daemon_->root_dir() + "/proxy.sock";
    server_ = std::make_unique<ProxyServer>(ProxyOptions{proxy_socket_, daemon_->socket_path(), "", 1 << 20}, record_);
    loop_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (!server_) return;
    server_->Stop();
    loop_.join();
  }
  std::string Cli(const std::string& args) {
    return "env -u DOCKER_CONTEXT DOCKER_CONFIG=" + daemon_->root_dir() + " docker -H unix://" + proxy_socket_ + " " +
           args;
  }

  static RealDockerd* daemon_;
  static std::string* skip_reason_;
  std::string proxy_socket_;
  ProxyRecord record_;
  std::unique_ptr<ProxyServer> server_;
  std::thread loop_;
};
RealDockerd* ProxyRealDaemonTest::daemon_ = nullptr;
std::string* ProxyRealDaemonTest::skip_reason_ = nullptr;

TEST_F(ProxyRealDaemonTest, RunAttachAndExecWorkThroughTheProxy) {
  const Shell run = Sh(Cli("run --rm --network none bb:latest sh -c 'echo out; echo err >&2'"));
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("out"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("err"), std::string::npos) << run.out;
  const Shell id = Sh(Cli("run -d --network none bb:latest sleep 60"));
  ASSERT_EQ(id.status, 0) << id.out;
  const std::string cid = id.out.substr(0, 12);
  const Shell exec = Sh("printf 'piped\\n' | " + Cli("exec -i " + cid + " cat"));
  EXPECT_EQ(exec.status, 0) << exec.out;
  EXPECT_EQ(exec.out, "piped\n");
  Sh(Cli("rm -f " + cid));
}

TEST_F(ProxyRealDaemonTest, RecordsTheStampsAFollowStreamCarried) {
  // 300 stamped lines (every third on stderr, one of 20,000 bytes), then silence.
  const std::string script =
      "id=$(hostname | cut -c1-12); pad=$(printf %20000s | tr \" \" p); i=1; while [ $i -le 300 ]; do "
      "if [ $((i % 3)) -eq 0 ]; then echo \"cid=$id seq=$i stream=stderr x\" >&2; "
      "elif [ $i -eq 100 ]; then echo \"cid=$id seq=$i stream=stdout $pad\"; "
      "else echo \"cid=$id seq=$i stream=stdout x\"; fi; i=$((i+1)); done; sleep 60";
  const Shell id = Sh(Cli("run -d --network none bb:latest sh -c '" + script + "'"));
  ASSERT_EQ(id.status, 0) << id.out;
  const std::string cid = id.out.substr(0, 12);
  ASSERT_TRUE(leakbench::testing::Eventually(
      [&] { return Sh(Cli("logs " + cid + " 2>&1 | grep -c seq=300")).out.rfind("1", 0) == 0; },
      std::chrono::seconds(20)));
  // The CLI follows until it is killed: that is a client hanging up.
  const Shell follow = Sh("timeout -s KILL 3 " + Cli("logs -f --timestamps " + cid) + " 2>&1 | wc -l");
  EXPECT_NE(follow.out.find("300"), std::string::npos) << follow.out;
  ASSERT_TRUE(leakbench::testing::Eventually([&] { return record_.Truth()["follow_streams_open"] == 0; },
                                             std::chrono::seconds(5)));
  json follow_stream;
  for (const json& s : record_.Streams("all", 100)) {
    if (s["endpoint"] == "logs" && s["follow"].get<bool>()) follow_stream = s;
  }
  ASSERT_FALSE(follow_stream.is_null()) << record_.Streams("all", 100).dump();
  EXPECT_EQ(follow_stream["cid"], cid);
  EXPECT_EQ(follow_stream["seq_ranges"], json::parse("[[1,300]]")) << follow_stream.dump();
  EXPECT_EQ(follow_stream["close_reason"], "client_closed");
  EXPECT_EQ(follow_stream["tap_error"], "");
  EXPECT_EQ(follow_stream["container_id"].get<std::string>().substr(0, 12), cid);
  Sh(Cli("rm -f " + cid));
}

}  // namespace proxy_real_daemon_test
}  // namespace leakbench::proxy
