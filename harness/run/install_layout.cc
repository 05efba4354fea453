#include "harness/run/install_layout.h"

#include <filesystem>
#include <system_error>

namespace leakbench::harness {

InstallLayout ChooseLayout(const std::string& prefix, const InstallLayout& build_tree) {
  const std::string share = prefix + "/share/leakbench";
  std::error_code ec;
  if (prefix.empty() || !std::filesystem::is_directory(share + "/scenarios", ec)) return build_tree;
  InstallLayout l;
  l.scenarios_dir = share + "/scenarios";
  l.reports_dir = share + "/reports";
  l.followers_dir = share + "/followers";
  l.fake_dockerd = prefix + "/bin/fake-dockerd";
  l.log_capturer = prefix + "/bin/log-capturer";
  l.go_followers_dir = prefix + "/libexec/leakbench/go";
  l.installed = true;
  return l;
}

InstallLayout FindLayout(const InstallLayout& build_tree) {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || !exe.has_parent_path()) return build_tree;
  return ChooseLayout(exe.parent_path().parent_path().string(), build_tree);
}

}  // namespace leakbench::harness
