#include "fakes/tests/support/in_process_fake.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "fakes/tests/support/http_test_client.h"

namespace leakbench::testing {

fakedocker::DaemonConfig QuietConfig(size_t containers, double rate) {
  fakedocker::DaemonConfig c;
  c.containers = containers;
  c.generator.rate = rate;
  c.generator.stderr_fraction = 0;
  c.seed = 42;
  return c;
}

InProcessFake::InProcessFake(fakedocker::DaemonConfig config) {
  char tmpl[] = "/tmp/lbfake.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  socket_ = dir_ + "/docker.sock";
  control_socket_ = dir_ + "/control.sock";
  daemon_ = std::make_unique<fakedocker::Daemon>(io_, std::move(config));
  server_ = std::make_unique<fakedocker::Server>(io_, *daemon_, socket_, control_socket_);
  server_->Start();
  daemon_->Boot();
  thread_ = std::thread([this] { io_.run(); });
}

InProcessFake::~InProcessFake() {
  boost::asio::post(io_, [this] {
    daemon_->Shutdown("shutdown");
    server_->Stop();
    io_.stop();
  });
  thread_.join();
  server_.reset();
  daemon_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

nlohmann::json InProcessFake::Control(const std::string& method, const std::string& path, const nlohmann::json& body,
                                      int* status) {
  HttpTestClient client(control_socket_);
  HttpResponse r = client.Request(method, path, body.is_null() ? "" : body.dump());
  if (status) *status = r.status;
  return nlohmann::json::parse(r.body, nullptr, false);
}

nlohmann::json InProcessFake::Act(const nlohmann::json& action) {
  int status = 0;
  auto out = Control("POST", "/actions", action, &status);
  if (status != 200) throw std::runtime_error("action " + action.dump() + " failed: " + out.dump());
  return out;
}

std::string InProcessFake::AddQuiet(const nlohmann::json& extra) {
  nlohmann::json a = {{"action", "add"}, {"rate", 0}, {"stderr_fraction", 0}};
  a.update(extra);
  return Act(a)["ids"][0].get<std::string>();
}

void InProcessFake::Emit(const std::string& id, int lines, bool same_timestamp) {
  Act({{"action", "emit"}, {"target", id}, {"lines", lines}, {"same_timestamp", same_timestamp}});
}

}  // namespace leakbench::testing
