// Tests of the stratified growth statistics (TheilSenWithin,
// MannKendallWithin): a series that moves only with its stratum is flat
// within strata while the pooled fit sees growth; growth inside the strata
// is still found; one stratum is the plain fit.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "harness/stats/growth.h"

namespace leakbench::harness {
namespace growth_within_test {

// 60 samples at 1 Hz; the stratum (say, a process tree's size) is 53, and
// 40 in two of every three samples of the first 30 s and once later: y =
// 5 * stratum + `per_second` * t + a little noise.
struct Stratified {
  std::vector<Point> points;
  std::vector<long> strata;
};
Stratified DipsThinningOut(double per_second) {
  Stratified s;
  for (int t = 0; t < 60; ++t) {
    const bool dip = (t < 30 && t % 3 != 0) || t == 45;
    const long size = dip ? 40 : 53;
    const double noise = 0.2 * ((t * 7) % 5) - 0.4;
    s.points.push_back({static_cast<double>(t), 5.0 * static_cast<double>(size) + per_second * t + noise});
    s.strata.push_back(size);
  }
  return s;
}

TEST(TheilSenWithin, MovementWithTheStratumIsNotGrowth) {
  const Stratified s = DipsThinningOut(0);
  const SlopeFit pooled = TheilSen(s.points);
  ASSERT_TRUE(pooled.valid);
  EXPECT_GT(pooled.lower, 0) << "the pooled fit must see growth for this case to mean anything";
  const SlopeFit within = TheilSenWithin(s.points, s.strata);
  ASSERT_TRUE(within.valid);
  EXPECT_NEAR(within.slope, 0, 0.01);
  EXPECT_LE(within.lower, 0);
  EXPECT_GE(within.upper, 0);
  EXPECT_EQ(within.n, 60u);
  EXPECT_GT(MannKendall(s.points).z, 0);
  EXPECT_EQ(MannKendallWithin(s.points, s.strata).direction, 0);
}

TEST(TheilSenWithin, GrowthInsideTheStrataIsFound) {
  const Stratified s = DipsThinningOut(0.5);
  const SlopeFit within = TheilSenWithin(s.points, s.strata);
  ASSERT_TRUE(within.valid);
  EXPECT_NEAR(within.slope, 0.5, 0.01);
  EXPECT_GT(within.lower, 0.4);
  EXPECT_EQ(MannKendallWithin(s.points, s.strata).direction, 1);
}

TEST(TheilSenWithin, OneStratumIsThePlainFit) {
  std::vector<Point> points;
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 2);
  for (int t = 0; t < 50; ++t) points.push_back({static_cast<double>(t), 0.2 * t + noise(rng)});
  const std::vector<long> one(points.size(), 9);
  const SlopeFit plain = TheilSen(points);
  const SlopeFit within = TheilSenWithin(points, one);
  EXPECT_DOUBLE_EQ(within.slope, plain.slope);
  EXPECT_DOUBLE_EQ(within.lower, plain.lower);
  EXPECT_DOUBLE_EQ(within.upper, plain.upper);
  EXPECT_DOUBLE_EQ(MannKendallWithin(points, one).p_value, MannKendall(points).p_value);
}

TEST(TheilSenWithin, NoStratumWithThreePointsIsNotValid) {
  const std::vector<Point> points = {{0, 1}, {1, 2}, {2, 3}, {3, 4}};
  const std::vector<long> strata = {1, 2, 1, 2};
  EXPECT_FALSE(TheilSenWithin(points, strata).valid);
  EXPECT_FALSE(MannKendallWithin(points, strata).valid);
}

}  // namespace growth_within_test
}  // namespace leakbench::harness
