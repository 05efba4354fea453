// Tests of the growth statistics (growth.h): exact slopes, flat and noisy
// series (with a false-positive rate over many seeds), a slow leak, a
// single step, outliers, thinning of long series, and degenerate inputs.
#include "harness/stats/growth.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <vector>

namespace leakbench::harness {
namespace {

// y = f(i) at t = i for i in [0, n).
template <typename F>
std::vector<Point> Series(int n, F f) {
  std::vector<Point> points;
  for (int i = 0; i < n; ++i) points.push_back({static_cast<double>(i), f(i)});
  return points;
}

// Integer noise uniform in [-amplitude, amplitude].
std::vector<double> IntNoise(int n, int amplitude, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(-amplitude, amplitude);
  std::vector<double> noise;
  for (int i = 0; i < n; ++i) noise.push_back(dist(rng));
  return noise;
}

double LeastSquaresSlope(const std::vector<Point>& points) {
  double mt = 0, my = 0;
  for (const Point& p : points) {
    mt += p.t;
    my += p.y;
  }
  mt /= static_cast<double>(points.size());
  my /= static_cast<double>(points.size());
  double sty = 0, stt = 0;
  for (const Point& p : points) {
    sty += (p.t - mt) * (p.y - my);
    stt += (p.t - mt) * (p.t - mt);
  }
  return sty / stt;
}

// An exact line: every pairwise slope equal, so the interval collapses.
void ExpectExactLine(std::span<const Point> points, double slope, double intercept) {
  const SlopeFit fit = TheilSen(points);
  ASSERT_TRUE(fit.valid);
  EXPECT_EQ(fit.n, points.size());
  EXPECT_DOUBLE_EQ(fit.slope, slope);
  EXPECT_DOUBLE_EQ(fit.intercept, intercept);
  EXPECT_DOUBLE_EQ(fit.lower, slope);
  EXPECT_DOUBLE_EQ(fit.upper, slope);
}

TEST(NormalQuantile, KnownValues) {
  EXPECT_NEAR(NormalQuantile(0.5), 0, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.995), 2.575829303548901, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.01), -2.326347874040841, 1e-9);
  EXPECT_NEAR(NormalQuantile(1e-10), -6.361340902404056, 1e-7);
  EXPECT_NEAR(NormalQuantile(0.3), -NormalQuantile(0.7), 1e-12);
  EXPECT_EQ(NormalQuantile(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(NormalQuantile(1), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(NormalQuantile(std::numeric_limits<double>::quiet_NaN())));
}

TEST(TheilSen, ExactLineHasCollapsedInterval) {
  const auto points = Series(100, [](int i) { return 2.0 * i + 5; });
  ExpectExactLine(points, 2, 5);

  const TrendTest mk = MannKendall(points);
  ASSERT_TRUE(mk.valid);
  EXPECT_EQ(mk.s, 100.0 * 99 / 2);
  EXPECT_EQ(mk.direction, 1);
  EXPECT_LT(mk.p_value, 1e-12);
}

TEST(TheilSen, UnevenTimesAndDownwardSlope) {
  std::vector<Point> points;
  for (double t : {0.0, 0.5, 3.0, 3.25, 10.0, 11.0, 40.0}) points.push_back({t, -1.5 * t + 7});
  ExpectExactLine(points, -1.5, 7);
  const TrendTest mk = MannKendall(points, 0.05);
  EXPECT_EQ(mk.s, -21);
  EXPECT_EQ(mk.direction, -1);
}

TEST(TheilSen, FlatSeries) {
  const auto points = Series(200, [](int) { return 42.0; });
  ExpectExactLine(points, 0, 42);

  const TrendTest mk = MannKendall(points);
  ASSERT_TRUE(mk.valid);
  EXPECT_EQ(mk.s, 0);
  EXPECT_EQ(mk.z, 0);
  EXPECT_NEAR(mk.p_value, 1, 1e-12);
  EXPECT_EQ(mk.direction, 0);
}

// Integer counts (like threads or fds) flat with +-1 noise: neither the
// slope interval nor Mann-Kendall should see a trend more often than the
// levels allow.
TEST(TheilSen, FlatIntegerNoiseFalsePositiveRate) {
  constexpr int kSeeds = 200;
  int ci_excludes_zero = 0;
  int mk_trend = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const auto noise = IntNoise(300, 1, static_cast<unsigned>(seed));
    const auto points = Series(300, [&](int i) { return 20 + noise[static_cast<std::size_t>(i)]; });
    const SlopeFit fit = TheilSen(points, 0.99);
    ASSERT_TRUE(fit.valid);
    if (fit.lower > 0 || fit.upper < 0) ++ci_excludes_zero;
    const TrendTest mk = MannKendall(points, 0.01);
    if (mk.direction != 0) ++mk_trend;
  }
  const double ci_rate = static_cast<double>(ci_excludes_zero) / kSeeds;
  const double mk_rate = static_cast<double>(mk_trend) / kSeeds;
  RecordProperty("ci_false_positive_rate", std::to_string(ci_rate));
  RecordProperty("mk_false_positive_rate", std::to_string(mk_rate));
  EXPECT_LT(ci_rate, 0.05);
  EXPECT_LT(mk_rate, 0.05);
}

// The summed RSS (MiB) of a docker CLI follower's process tree, sampled
// every second after the warm-up in a CI gate run (positive-shell-rotating):
// its 53 processes are replaced every 3 s, so the samples come in plateaus
// of three. Counted as 33 independent points, the 95% interval was 1.59 ..
// 4.56 MiB/min and memory_growth (bound 1 MiB/min) failed a follower that
// does not leak. Widened for the autocorrelation, it reaches below the bound.
TEST(TheilSen, PlateausOfRepeatedSamplesWidenTheInterval) {
  const std::vector<Point> rss = {
      {12, 298.2734},  {13, 297.9883}, {14, 297.8906}, {15, 297.9844},     {16.002, 298.9961}, {17, 299.0898},
      {18, 299.0117},  {19.002, 297.0938}, {20, 297.1289}, {21, 297.1094}, {22, 298.793},      {23, 298.793},
      {24, 298.7891},  {25, 299.4141}, {26, 299.3672}, {27, 299.3828},     {28, 299.2812},     {29, 299.2617},
      {30, 299.3359},  {31, 298.5117}, {32.002, 298.5195}, {33, 298.4961}, {34, 300.0273},     {35, 300.0391},
      {36, 299.9805},  {37.002, 299.7773}, {38, 299.7695}, {39, 299.7695}, {40.002, 299.3555}, {41, 299.3555},
      {42, 299.3242},  {43, 297.3594}, {44, 300.3906}};
  const SlopeFit fit = TheilSen(rss);
  ASSERT_TRUE(fit.valid);
  EXPECT_LT(fit.lower * 60, 1.0) << "interval " << fit.lower * 60 << " .. " << fit.upper * 60 << " MiB/min";
  EXPECT_GT(fit.upper * 60, fit.slope * 60);
  // The same plateaus on a 10 MiB/min leak still fail the bound.
  std::vector<Point> leaking = rss;
  for (Point& p : leaking) p.y += 10.0 / 60 * p.t;
  EXPECT_GT(TheilSen(leaking).lower * 60, 1.0);
}

// One unit per 60 samples under +-2 noise over 600 samples: 10 units in
// all, 2.5 times the noise range, found by both tests.
TEST(TheilSen, SlowLeakIsDetected) {
  for (unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
    const auto noise = IntNoise(600, 2, seed);
    const auto points =
        Series(600, [&](int i) { return 100 + std::floor(i / 60.0) + noise[static_cast<std::size_t>(i)]; });
    const SlopeFit fit = TheilSen(points);
    ASSERT_TRUE(fit.valid);
    EXPECT_GT(fit.lower, 0) << "seed " << seed;
    EXPECT_NEAR(fit.slope, 1.0 / 60, 0.005) << "seed " << seed;
    EXPECT_LE(fit.lower, fit.slope);
    EXPECT_GE(fit.upper, fit.slope);
    const TrendTest mk = MannKendall(points);
    EXPECT_EQ(mk.direction, 1) << "seed " << seed;
  }
}

// A single step (0 for 300 samples, then 5 for 300) is not a continuous
// trend, but both statistics are rank-based and see it as one:
//  - Theil-Sen: the 89,700 within-half slopes are 0 and the 90,000 cross
//    slopes 5/dt are positive, so the median (ranks 89,850 and 89,851 of
//    179,700) is the 150th/151st smallest cross slope: 5/583 both, as
//    cross pairs with dt >= 584 number 136 and with dt == 583 17. Small
//    and positive; the 95% interval starts at 0 (its lower rank falls
//    among the zeros).
//  - Mann-Kendall: S = 90,000 (every cross pair rises), the tie-corrected
//    variance is (600*599*1205 - 2*300*299*605)/18, z ~ 21: a highly
//    significant upward trend.
// So a step passes Mann-Kendall; the harness also requires a minimum
// total rise (slope * duration) before it calls a leak.
TEST(TheilSen, SingleStepFiguresAsDocumented) {
  const auto points = Series(600, [](int i) { return i < 300 ? 0.0 : 5.0; });
  const SlopeFit fit = TheilSen(points);
  ASSERT_TRUE(fit.valid);
  EXPECT_DOUBLE_EQ(fit.slope, 5.0 / 583);
  EXPECT_EQ(fit.lower, 0);
  EXPECT_GT(fit.upper, fit.slope);
  EXPECT_LT(fit.slope * 600, 5.2);  // the implied total rise stays near the step

  const TrendTest mk = MannKendall(points);
  ASSERT_TRUE(mk.valid);
  EXPECT_EQ(mk.s, 90000);
  const double var = (600.0 * 599 * 1205 - 2 * 300.0 * 299 * 605) / 18;
  EXPECT_NEAR(mk.z, 89999 / std::sqrt(var), 1e-9);
  EXPECT_GT(mk.z, 21);
  EXPECT_LT(mk.p_value, 1e-12);
  EXPECT_EQ(mk.direction, 1);
}

// 5% of the points spiked by +1000, all in the last third: they drag the
// least-squares slope far off and the Theil-Sen slope barely.
TEST(TheilSen, OutliersBarelyMoveTheSlope) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1);
  auto points = Series(600, [&](int i) { return 0.5 * i + noise(rng); });
  std::uniform_int_distribution<int> where(400, 599);
  for (int spikes = 0; spikes < 30;) {
    Point& p = points[static_cast<std::size_t>(where(rng))];
    if (p.y > 900) continue;
    p.y += 1000;
    ++spikes;
  }
  const SlopeFit fit = TheilSen(points);
  ASSERT_TRUE(fit.valid);
  const double ls = LeastSquaresSlope(points);
  RecordProperty("theil_sen_slope", std::to_string(fit.slope));
  RecordProperty("least_squares_slope", std::to_string(ls));
  // Theil-Sen moves by a few thousandths (the spikes sit on one side of
  // the median, which shifts it by a few ranks; its interval may then just
  // miss 0.5), least squares by about a third.
  EXPECT_NEAR(fit.slope, 0.5, 0.01);
  EXPECT_GT(std::abs(ls - 0.5), 0.1);
  EXPECT_GT(std::abs(ls - 0.5), 20 * std::abs(fit.slope - 0.5));
}

TEST(TheilSen, ThinsLongSeriesQuickly) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 5);
  const auto points = Series(100000, [&](int i) { return 0.5 * i + noise(rng); });
  const auto start = std::chrono::steady_clock::now();
  const SlopeFit fit = TheilSen(points);
  const TrendTest mk = MannKendall(points);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(fit.valid);
  EXPECT_EQ(fit.n, 1000u);
  EXPECT_NEAR(fit.slope, 0.5, 0.005);
  EXPECT_EQ(mk.direction, 1);
  // Generous: tens of milliseconds optimised, still well under a second
  // with sanitizers.
  EXPECT_LT(std::chrono::duration<double>(elapsed).count(), 5.0);
}

TEST(Thin, BucketMedians) {
  // 10 points over t in [0, 9] into 3 buckets of width 3: {0,1,2},
  // {3,4,5}, {6,7,8,9} (the maximum joins the last bucket).
  const auto points = Series(10, [](int i) { return 10.0 * i; });
  const auto thin = Thin(points, 3);
  ASSERT_EQ(thin.size(), 3u);
  EXPECT_EQ(thin[0].t, 1);
  EXPECT_EQ(thin[0].y, 10);
  EXPECT_EQ(thin[1].t, 4);
  EXPECT_EQ(thin[2].t, 7.5);
  EXPECT_EQ(thin[2].y, 75);
  // Empty buckets are skipped.
  const std::vector<Point> gap = {{0, 1}, {1, 1}, {9, 2}, {10, 2}};
  EXPECT_EQ(Thin(gap, 3).size(), 2u);
  // Under the limit, or with no limit: the finite points unchanged.
  EXPECT_EQ(Thin(points, 10).size(), 10u);
  EXPECT_EQ(Thin(points, 0).size(), 10u);
}

TEST(Degenerate, TooFewPoints) {
  for (int n : {0, 1, 2}) {
    const auto points = Series(n, [](int i) { return 1.0 * i; });
    const SlopeFit fit = TheilSen(points);
    EXPECT_FALSE(fit.valid) << n;
    EXPECT_EQ(fit.n, static_cast<std::size_t>(n));
    EXPECT_EQ(fit.slope, 0);
    const TrendTest mk = MannKendall(points);
    EXPECT_FALSE(mk.valid) << n;
    EXPECT_EQ(mk.direction, 0);
    EXPECT_EQ(mk.p_value, 1);
  }
}

TEST(Degenerate, EqualTimes) {
  const std::vector<Point> same_t = {{3, 1}, {3, 2}, {3, 5}, {3, 9}};
  EXPECT_FALSE(TheilSen(same_t).valid);
  const TrendTest mk = MannKendall(same_t);
  EXPECT_TRUE(mk.valid);  // enough points, but no pair counts
  EXPECT_EQ(mk.s, 0);
  EXPECT_EQ(mk.direction, 0);
  // Two distinct t values are not enough for a fit either.
  const std::vector<Point> two_t = {{0, 1}, {0, 2}, {1, 3}, {1, 4}};
  EXPECT_FALSE(TheilSen(two_t).valid);
  // Repeated t among distinct ones: equal-t pairs are left out.
  const std::vector<Point> some_equal = {{0, 0}, {1, 2}, {1, 2}, {2, 4}, {3, 6}};
  const SlopeFit fit = TheilSen(some_equal);
  ASSERT_TRUE(fit.valid);
  EXPECT_EQ(fit.slope, 2);
  // Thinning many equal-t points yields one bucket.
  std::vector<Point> many(50, Point{1, 1});
  EXPECT_EQ(Thin(many, 10).size(), 1u);
  EXPECT_FALSE(TheilSen(many, 0.95, 10).valid);
}

TEST(Degenerate, NonFiniteValuesAreSkipped) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto points = Series(20, [](int i) { return 3.0 * i + 1; });
  const SlopeFit clean = TheilSen(points);
  const TrendTest clean_mk = MannKendall(points);
  points.insert(points.begin() + 5, {nan, 7});
  points.insert(points.begin() + 9, {8.5, inf});
  points.push_back({inf, 1});
  points.push_back({30, -inf});
  points.push_back({31, nan});
  const SlopeFit fit = TheilSen(points);
  ASSERT_TRUE(fit.valid);
  EXPECT_EQ(fit.n, 20u);
  EXPECT_EQ(fit.slope, clean.slope);
  EXPECT_EQ(fit.lower, clean.lower);
  EXPECT_EQ(fit.upper, clean.upper);
  EXPECT_EQ(MannKendall(points).s, clean_mk.s);
  const SeriesSummary sum = Summarize(points);
  EXPECT_EQ(sum.n, 20u);
  EXPECT_EQ(sum.max, 58);

  const std::vector<Point> all_bad = {{nan, 1}, {1, nan}, {inf, 2}, {3, -inf}};
  EXPECT_FALSE(TheilSen(all_bad).valid);
  EXPECT_FALSE(MannKendall(all_bad).valid);
  EXPECT_EQ(Summarize(all_bad).n, 0u);
  EXPECT_EQ(Thin(all_bad, 2).size(), 0u);
}

TEST(Degenerate, ConfidenceOutOfRange) {
  const auto noise = IntNoise(50, 3, 1);
  const auto points = Series(50, [&](int i) { return 0.1 * i + noise[static_cast<std::size_t>(i)]; });
  for (double c : {0.0, -1.0, 1.0, 2.0, std::numeric_limits<double>::quiet_NaN()}) {
    const SlopeFit fit = TheilSen(points, c);
    ASSERT_TRUE(fit.valid);
    EXPECT_LE(fit.lower, fit.slope) << c;
    EXPECT_GE(fit.upper, fit.slope) << c;
  }
  // confidence 1: the whole range of pairwise slopes.
  const SlopeFit wide = TheilSen(points, 1.0);
  const SlopeFit narrow = TheilSen(points, 0.5);
  EXPECT_LT(wide.lower, narrow.lower);
  EXPECT_GT(wide.upper, narrow.upper);
}

TEST(From, KeepsPointsAtOrAfter) {
  const auto points = Series(10, [](int i) { return 1.0 * i; });
  const auto tail = From(points, 4);
  ASSERT_EQ(tail.size(), 6u);
  EXPECT_EQ(tail.front().t, 4);
  EXPECT_EQ(tail.back().t, 9);
  EXPECT_TRUE(From(points, 100).empty());
  EXPECT_EQ(From(points, -1).size(), 10u);
}

TEST(Summarize, Basics) {
  const std::vector<Point> points = {{0, 5}, {1, 3}, {2, 9}, {3, 1}, {4, 4}};
  const SeriesSummary sum = Summarize(points);
  EXPECT_EQ(sum.n, 5u);
  EXPECT_EQ(sum.min, 1);
  EXPECT_EQ(sum.max, 9);
  EXPECT_EQ(sum.median, 4);
  EXPECT_EQ(sum.first, 5);
  EXPECT_EQ(sum.last, 4);
  // Even count: mean of the two middle values; first/last by t.
  const std::vector<Point> unsorted = {{2, 8}, {0, 2}, {3, 6}, {1, 4}};
  const SeriesSummary s2 = Summarize(unsorted);
  EXPECT_EQ(s2.median, 5);
  EXPECT_EQ(s2.first, 2);
  EXPECT_EQ(s2.last, 6);
  const SeriesSummary empty = Summarize({});
  EXPECT_EQ(empty.n, 0u);
  EXPECT_EQ(empty.median, 0);
}

}  // namespace
}  // namespace leakbench::harness
