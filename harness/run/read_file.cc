#include "harness/run/read_file.h"

#include <fstream>
#include <sstream>

namespace leakbench::harness {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace leakbench::harness
