// --inject-fault specs: every kind with its value, the ranges, and a
// one-line error saying what is accepted for an unknown kind, a bad, missing
// or zero value, a value where none is taken, a kind given twice and the one
// combination refused.
#include "core/config/fault_kind.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace logcap {
namespace {

using ::testing::HasSubstr;

// The message of a spec (or list of specs) that must be refused.
std::string FaultSpecError(const std::vector<std::string>& specs) {
  try {
    ParseFaultSpecs(specs);
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << (specs.empty() ? std::string() : specs.front());
  return "(no error)";
}

TEST(FaultKindTest, EachKindWithItsValue) {
  EXPECT_EQ(ParseFaultSpec("drop-line:10"), (FaultSpec{FaultKind::kDropLine, 10}));
  EXPECT_EQ(ParseFaultSpec("duplicate-on-reopen"), (FaultSpec{FaultKind::kDuplicateOnReopen, 0}));
  EXPECT_EQ(ParseFaultSpec("skip-container:3"), (FaultSpec{FaultKind::kSkipContainer, 3}));
  EXPECT_EQ(ParseFaultSpec("error-lines:1"), (FaultSpec{FaultKind::kErrorLines, 1}));
  EXPECT_EQ(ParseFaultSpec("threads-at-start:150"), (FaultSpec{FaultKind::kThreadsAtStart, 150}));
  EXPECT_EQ(ParseFaultSpec("late-since:5"), (FaultSpec{FaultKind::kLateSince, 5}));
  // The ends of the ranges.
  EXPECT_EQ(ParseFaultSpec("drop-line:1").value, 1u);
  EXPECT_EQ(ParseFaultSpec("drop-line:1000000000").value, 1'000'000'000u);
  EXPECT_EQ(ParseFaultSpec("threads-at-start:10000").value, 10'000u);
  EXPECT_EQ(ParseFaultSpec("late-since:86400").value, 86'400u);
}

TEST(FaultKindTest, SeveralKindsMakeOneFaultConfig) {
  const std::vector<std::string> specs = {"drop-line:7",    "skip-container:2",   "error-lines:4",
                                          "late-since:3",   "threads-at-start:9"};
  const FaultConfig f = ParseFaultSpecs(specs);
  EXPECT_EQ(f.drop_line_every, 7u);
  EXPECT_EQ(f.skip_container_every, 2u);
  EXPECT_EQ(f.error_lines_every, 4u);
  EXPECT_EQ(f.late_since_seconds, 3u);
  EXPECT_EQ(f.threads_at_start, 9u);
  EXPECT_FALSE(f.duplicate_on_reopen);
  EXPECT_TRUE(f.any());
  // Named in FaultKind order, and read back the same.
  EXPECT_EQ(DescribeFaults(f), "drop-line:7, skip-container:2, error-lines:4, threads-at-start:9, late-since:3");
  std::vector<std::string> again;
  for (const FaultSpec& s : ActiveFaults(f)) again.push_back(FaultSpecText(s));
  EXPECT_EQ(ParseFaultSpecs(again), f);

  const std::vector<std::string> dup = {"duplicate-on-reopen"};
  EXPECT_TRUE(ParseFaultSpecs(dup).duplicate_on_reopen);
  EXPECT_EQ(DescribeFaults(ParseFaultSpecs(dup)), "duplicate-on-reopen");
}

TEST(FaultKindTest, NoneByDefault) {
  EXPECT_FALSE(FaultConfig{}.any());
  EXPECT_EQ(DescribeFaults(FaultConfig{}), "");
  EXPECT_TRUE(ActiveFaults(FaultConfig{}).empty());
  EXPECT_FALSE(ParseFaultSpecs({}).any());
}

TEST(FaultKindTest, UnknownKindListsEveryKind) {
  for (const std::string bad : {"melt", "", "drop-lines:3", "DROP-LINE:3", ":3", "drop-line 3"}) {
    const std::string what = FaultSpecError({bad});
    EXPECT_THAT(what, HasSubstr("expected drop-line:N, duplicate-on-reopen, skip-container:N, error-lines:N, "
                                "threads-at-start:N or late-since:S; N from 1 to 1000000000 (drop-line, "
                                "skip-container, error-lines); N from 1 to 10000 (threads-at-start); S from 1 to "
                                "86400 (late-since); got '" + bad + "'"))
        << bad;
  }
}

TEST(FaultKindTest, BadMissingOrZeroValueGivesTheRange) {
  for (const std::string bad : {"drop-line:0", "drop-line:-1", "drop-line:+3", "drop-line:", "drop-line:ten",
                                "drop-line:1.5", "drop-line:1000000001", "drop-line:99999999999999999999",
                                "drop-line:3:4"}) {
    EXPECT_THAT(FaultSpecError({bad}),
                HasSubstr("expected drop-line:N with N from 1 to 1000000000 (one line in N is not written), got '" +
                          bad + "'"))
        << bad;
  }
  EXPECT_THAT(FaultSpecError({"drop-line"}), HasSubstr("drop-line needs a value: expected drop-line:N with N from 1"));
  EXPECT_THAT(FaultSpecError({"skip-container:0"}), HasSubstr("skip-container:N with N from 1 to 1000000000"));
  EXPECT_THAT(FaultSpecError({"error-lines"}), HasSubstr("error-lines:N with N from 1 to 1000000000"));
  EXPECT_THAT(FaultSpecError({"threads-at-start:10001"}), HasSubstr("threads-at-start:N with N from 1 to 10000"));
  EXPECT_THAT(FaultSpecError({"threads-at-start:0"}), HasSubstr("threads-at-start:N with N from 1 to 10000"));
  EXPECT_THAT(FaultSpecError({"late-since:0"}), HasSubstr("late-since:S with S from 1 to 86400"));
  EXPECT_THAT(FaultSpecError({"late-since:86401"}), HasSubstr("late-since:S with S from 1 to 86400"));
  EXPECT_THAT(FaultSpecError({"duplicate-on-reopen:3"}),
              HasSubstr("duplicate-on-reopen takes no value, got 'duplicate-on-reopen:3'"));
}

TEST(FaultKindTest, KindGivenTwiceOrConflictingKindsAreRefused) {
  EXPECT_THAT(FaultSpecError({"drop-line:5", "drop-line:7"}),
              HasSubstr("drop-line given twice ('drop-line:5' and 'drop-line:7'); give each kind once"));
  EXPECT_THAT(FaultSpecError({"duplicate-on-reopen", "late-since:2"}),
              HasSubstr("duplicate-on-reopen and late-since cannot be combined"));
}

TEST(FaultKindTest, AHugeSpecIsCutInTheMessage) {
  const std::string huge = "drop-line:" + std::string(100'000, '9');
  const std::string what = FaultSpecError({huge});
  EXPECT_LT(what.size(), 600u);
  EXPECT_THAT(what, HasSubstr("(cut, 100010 bytes)"));
}

}  // namespace
}  // namespace logcap
