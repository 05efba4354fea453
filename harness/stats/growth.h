// Growth statistics for leak verdicts, robust to the noise of a shared
// machine: the Theil-Sen slope (median of pairwise slopes) with Sen's
// distribution-free confidence interval, and the Mann-Kendall trend test
// (with the tie correction: thread and fd counts are integers). Pure
// functions on samples; thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace leakbench::harness {

struct Point {
  double t = 0;  // seconds since the run started (or rotations, see callers)
  double y = 0;
};

struct SlopeFit {
  double slope = 0;      // y units per t unit
  double intercept = 0;  // median of y - slope * t
  double lower = 0;      // confidence interval of the slope
  double upper = 0;
  std::size_t n = 0;     // points used (after thinning, see below)
  bool valid = false;    // at least 3 points with distinct t
};

// Theil-Sen fit with Sen's (1968) confidence interval at `confidence`
// (normal approximation of Kendall's S, tie-corrected, its variance
// multiplied by the AR(1) factor of the residuals' positive lag-1
// autocorrelation: repeated samples are not independent). More than
// `max_points` points are first thinned to max_points medians of equal-
// width time buckets, which keeps the cost O(max_points^2). `confidence`
// is clamped to [0, 1] (NaN counts as 0): 1 spans all pairwise slopes.
SlopeFit TheilSen(std::span<const Point> points, double confidence = 0.95, std::size_t max_points = 1000);

struct TrendTest {
  double s = 0;        // Kendall's S
  double z = 0;        // normal score (continuity corrected)
  double p_value = 1;  // two-sided
  int direction = 0;   // +1 upward, -1 downward, 0 none at this level
  bool valid = false;  // at least 3 points
};

// Mann-Kendall test for a monotonic trend; direction is set when
// p_value < alpha. Thinned like TheilSen.
TrendTest MannKendall(std::span<const Point> points, double alpha = 0.01, std::size_t max_points = 1000);

// TheilSen and MannKendall within strata: only points of the same stratum
// (strata[i] for points[i]) are compared, the slope is the median of those
// pairwise slopes and S and its variance are summed over the strata (the
// seasonal Kendall slope and test of Hirsch, Slack and Smith 1982). For a
// series that also moves with something else, e.g. a process tree's
// memory with how many processes exist at the sample: stratified by that
// count, a sample is compared only with samples at the same count. Valid
// once a stratum has 3 points with distinct t; each stratum is thinned to
// its share of max_points.
SlopeFit TheilSenWithin(std::span<const Point> points, std::span<const long> strata, double confidence = 0.95,
                        std::size_t max_points = 1000);
TrendTest MannKendallWithin(std::span<const Point> points, std::span<const long> strata, double alpha = 0.01,
                            std::size_t max_points = 1000);

// The points with t >= from (the warm-up excluded).
std::vector<Point> From(std::span<const Point> points, double from);

// Summary of a series: min, max, median, first and last value.
struct SeriesSummary {
  double min = 0, max = 0, median = 0, first = 0, last = 0;
  std::size_t n = 0;
};
// Points with a non-finite t or y are skipped by every function above
// (From keeps them if t >= from; the others drop them). Summarize's first
// and last are the values at the smallest and largest t (the span's order
// for a sorted series).
SeriesSummary Summarize(std::span<const Point> points);

// The finite points of `points` (input order); when more than max_points
// remain (max_points 0: never), instead the median t and median y of
// each non-empty one of max_points equal-width time buckets, in t order.
// This is the thinning TheilSen and MannKendall apply.
std::vector<Point> Thin(std::span<const Point> points, std::size_t max_points);

// Inverse of the standard normal CDF (Acklam's approximation refined by a
// Halley step; about 1e-15 relative error). -inf at p <= 0, +inf at p >= 1.
double NormalQuantile(double p);

}  // namespace leakbench::harness
