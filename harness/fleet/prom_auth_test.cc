// LoadPromAuth: one source among two files and two environment variables;
// every wrong input named.
#include "harness/fleet/prom_auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

namespace prom_auth_test {

using leakbench::harness::EnvLookup;
using leakbench::harness::LoadPromAuth;
using leakbench::harness::PromAuth;
using leakbench::harness::PromAuthError;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string TempFile(const std::string& content) {
  char path[] = "/tmp/leakbench-auth-XXXXXX";
  const int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << content;
  return path;
}

TEST(PromAuthTest, NoneWithoutASource) { EXPECT_EQ(LoadPromAuth("", "", Env({})).kind, PromAuth::Kind::kNone); }

TEST(PromAuthTest, ReadsTheFirstLineOfAFile) {
  const std::string f = TempFile("tok3n \nsecond line\n");
  const PromAuth a = LoadPromAuth(f, "", Env({}));
  EXPECT_EQ(a.kind, PromAuth::Kind::kBearer);
  EXPECT_EQ(a.secret, "tok3n");
  const std::string b = TempFile("user:pass\n");
  EXPECT_EQ(LoadPromAuth("", b, Env({})).secret, "user:pass");
  std::remove(f.c_str());
  std::remove(b.c_str());
}

TEST(PromAuthTest, ReadsTheEnvironment) {
  const PromAuth a = LoadPromAuth("", "", Env({{"LEAKBENCH_PROMETHEUS_BASIC_AUTH", "u:p"}}));
  EXPECT_EQ(a.kind, PromAuth::Kind::kBasic);
  EXPECT_EQ(a.secret, "u:p");
  EXPECT_EQ(LoadPromAuth("", "", Env({{"LEAKBENCH_PROMETHEUS_BEARER_TOKEN", "t"}})).kind, PromAuth::Kind::kBearer);
}

TEST(PromAuthTest, RefusesWhatIsWrong) {
  auto message = [](auto f) {
    try {
      f();
    } catch (const PromAuthError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string empty = TempFile("\n");
  const std::string no_colon = TempFile("userpass\n");
  EXPECT_NE(message([&] { LoadPromAuth("/nonexistent/token", "", Env({})); }).find("cannot open"), std::string::npos);
  EXPECT_NE(message([&] { LoadPromAuth(empty, "", Env({})); }).find("empty"), std::string::npos);
  EXPECT_NE(message([&] { LoadPromAuth("", no_colon, Env({})); }).find("user:password"), std::string::npos);
  EXPECT_NE(message([&] { LoadPromAuth("", "", Env({{"LEAKBENCH_PROMETHEUS_BASIC_AUTH", "u:p"},
                                                     {"LEAKBENCH_PROMETHEUS_BEARER_TOKEN", "t"}})); })
                .find("credentials given twice"),
            std::string::npos);
  std::remove(empty.c_str());
  std::remove(no_colon.c_str());
}

}  // namespace prom_auth_test
