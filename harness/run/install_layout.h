// Where leakbench finds its scenarios, report tool, followers and the binaries it starts: beside an installed binary, or in the build tree it was built in.
// An installed leakbench (cmake --install, prefix P) lives in P/bin with
// fake-dockerd and log-capturer; its data in P/share/leakbench/{scenarios,
// reports,followers} and the Go followers in P/libexec/leakbench/go. When
// P/share/leakbench/scenarios exists next to the running binary, that
// layout is used, so leakbench works from any directory and after the
// build tree is gone; otherwise the build tree's paths compiled in.
#pragma once

#include <string>

namespace leakbench::harness {

struct InstallLayout {
  std::string scenarios_dir;
  std::string reports_dir;
  std::string fake_dockerd;
  std::string log_capturer;
  std::string followers_dir;
  std::string go_followers_dir;
  bool installed = false;  // true: found beside the binary
};

// The installed layout under `prefix` when `prefix`/share/leakbench/scenarios
// is a directory, else `build_tree`. Pure apart from that one stat.
InstallLayout ChooseLayout(const std::string& prefix, const InstallLayout& build_tree);

// ChooseLayout for the running binary (/proc/self/exe's parent's parent);
// `build_tree`: the paths compiled into leakbench.
InstallLayout FindLayout(const InstallLayout& build_tree);

}  // namespace leakbench::harness
