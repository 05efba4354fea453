// ContainerRefs: a stream opened by name, by '/name', by a unique id
// prefix or by the full id is the container's; a renamed container answers
// to its new name; an ambiguous prefix or an unknown ref is left as it was.
#include "harness/run/container_refs.h"

#include <gtest/gtest.h>

namespace leakbench::harness {
namespace container_refs_test {

const std::string kA = "aa11" + std::string(60, '1');
const std::string kB = "aa12" + std::string(60, '2');

ContainerRefs Two() {
  ContainerRefs refs;
  refs.Add(kA, "leakbench-x-1");
  refs.Add(kB, "leakbench-x-2");
  return refs;
}

TEST(ContainerRefs, NamesAndUniquePrefixesResolveToTheFullId) {
  const ContainerRefs refs = Two();
  EXPECT_EQ(refs.Resolve(kA), kA);
  EXPECT_EQ(refs.Resolve("leakbench-x-1"), kA);
  EXPECT_EQ(refs.Resolve("/leakbench-x-2"), kB);
  EXPECT_EQ(refs.Resolve("aa11"), kA);
  EXPECT_EQ(refs.Resolve(kB.substr(0, 12)), kB);
}

TEST(ContainerRefs, ARenamedContainerAnswersToItsNewName) {
  ContainerRefs refs = Two();
  refs.Add(kA, "web");
  EXPECT_EQ(refs.Resolve("web"), kA);
  EXPECT_EQ(refs.Resolve("leakbench-x-1"), kA) << "a stream opened before the rename";
}

TEST(ContainerRefs, NothingIsGuessed) {
  const ContainerRefs refs = Two();
  EXPECT_EQ(refs.Resolve("aa1"), "aa1") << "ambiguous prefix";
  EXPECT_EQ(refs.Resolve("other"), "other");
  EXPECT_EQ(refs.Resolve("bb"), "bb");
  EXPECT_EQ(refs.Resolve(""), "");
}

}  // namespace container_refs_test
}  // namespace leakbench::harness
