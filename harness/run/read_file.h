// The whole content of a file as bytes, for the small files a run reads back (a child's stdout and stderr, a target's log).
#pragma once

#include <string>

namespace leakbench::harness {

// "" when the file cannot be read.
std::string ReadWholeFile(const std::string& path);

}  // namespace leakbench::harness
