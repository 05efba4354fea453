// Growth statistics for leak verdicts: Theil-Sen slope with Sen's
// confidence interval, the tie-corrected Mann-Kendall trend test, time-
// bucket thinning, and the small helpers around them (see growth.h).
#include "harness/stats/growth.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>

namespace leakbench::harness {
namespace {

bool Finite(const Point& p) { return std::isfinite(p.t) && std::isfinite(p.y); }

// Median of `v` (average of the two middle values for an even count);
// reorders `v`. `v` must not be empty.
double MedianInPlace(std::span<double> v) {
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  const double hi = *mid;
  if (v.size() % 2 == 1) return hi;
  const double lo = *std::max_element(v.begin(), mid);
  return lo + (hi - lo) / 2;
}

// Variance of Kendall's S with the correction for ties in y.
double KendallVariance(std::span<const Point> points) {
  std::vector<double> ys;
  ys.reserve(points.size());
  for (const Point& p : points) ys.push_back(p.y);
  std::sort(ys.begin(), ys.end());
  auto term = [](double k) { return k * (k - 1) * (2 * k + 5); };
  double var = term(static_cast<double>(ys.size()));
  for (std::size_t i = 0; i < ys.size();) {
    std::size_t j = i + 1;
    while (j < ys.size() && ys[j] == ys[i]) ++j;
    var -= term(static_cast<double>(j - i));
    i = j;
  }
  return std::max(var / 18, 0.0);
}

// Values at the given 1-based ranks (each in [1, v.size()]) of `v` in
// ascending order; reorders `v`. Successive nth_element calls on the
// remaining tail keep the cost linear per rank.
std::vector<double> OrderStatistics(std::vector<double>& v, std::vector<std::size_t> ranks) {
  std::vector<std::size_t> sorted = ranks;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  auto begin = v.begin();
  for (std::size_t r : sorted) {
    auto nth = v.begin() + static_cast<std::ptrdiff_t>(r - 1);
    std::nth_element(begin, nth, v.end());
    begin = nth + 1;
  }
  std::vector<double> out;
  out.reserve(ranks.size());
  for (std::size_t r : ranks) out.push_back(v[r - 1]);
  return out;
}

// A rank computed in floating point, rounded half away from zero and
// clamped to [1, n] (also for infinities and NaN).
std::size_t ClampRank(double rank, std::size_t n) {
  const double r = std::round(rank);
  if (!(r >= 1)) return 1;
  if (r >= static_cast<double>(n)) return n;
  return static_cast<std::size_t>(r);
}

}  // namespace

double NormalQuantile(double p) {
  if (std::isnan(p)) return std::numeric_limits<double>::quiet_NaN();
  if (p <= 0) return -std::numeric_limits<double>::infinity();
  if (p >= 1) return std::numeric_limits<double>::infinity();
  // Acklam's rational approximation (relative error < 1.15e-9) ...
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  auto tail = [&](double q) {
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  };
  double x;
  if (p < kLow) {
    x = tail(std::sqrt(-2 * std::log(p)));
  } else if (p > 1 - kLow) {
    x = -tail(std::sqrt(-2 * std::log1p(-p)));
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // ... refined by one Halley step against the exact CDF.
  const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

std::vector<Point> Thin(std::span<const Point> points, std::size_t max_points) {
  std::vector<Point> finite;
  finite.reserve(points.size());
  double t_min = std::numeric_limits<double>::infinity();
  double t_max = -std::numeric_limits<double>::infinity();
  for (const Point& p : points) {
    if (!Finite(p)) continue;
    finite.push_back(p);
    t_min = std::min(t_min, p.t);
    t_max = std::max(t_max, p.t);
  }
  if (max_points == 0 || finite.size() <= max_points) return finite;

  // Counting sort of the points into equal-width time buckets.
  const double width = (t_max - t_min) / static_cast<double>(max_points);
  std::vector<std::size_t> bucket(finite.size());
  std::vector<std::size_t> start(max_points + 1, 0);
  for (std::size_t i = 0; i < finite.size(); ++i) {
    std::size_t k = 0;
    if (width > 0) {
      const double f = std::floor((finite[i].t - t_min) / width);
      k = f <= 0 ? 0 : std::min(static_cast<std::size_t>(f), max_points - 1);
    }
    bucket[i] = k;
    ++start[k + 1];
  }
  for (std::size_t k = 0; k < max_points; ++k) start[k + 1] += start[k];
  std::vector<double> ts(finite.size());
  std::vector<double> ys(finite.size());
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < finite.size(); ++i) {
    const std::size_t at = fill[bucket[i]]++;
    ts[at] = finite[i].t;
    ys[at] = finite[i].y;
  }

  std::vector<Point> out;
  out.reserve(max_points);
  for (std::size_t k = 0; k < max_points; ++k) {
    const std::size_t count = start[k + 1] - start[k];
    if (count == 0) continue;
    const std::span<double> bt(ts.data() + start[k], count);
    const std::span<double> by(ys.data() + start[k], count);
    out.push_back({MedianInPlace(bt), MedianInPlace(by)});
  }
  return out;
}

namespace {

// How much autocorrelated samples inflate the variance of a trend
// statistic: with r the lag-1 autocorrelation of the residuals y - slope*t
// (each group in time order, pooled), an AR(1) series of n points carries
// the information of n / f independent ones, f = 1 + 2 sum_{k=1}^{n-1}
// (1 - k/n) r^k (the effective sample size of Yue and Wang 2004). Only
// positive r widens (negative r is left at 1: never narrower than
// Kendall's own); r is capped at 0.9 so that a short series cannot blow
// the interval up without bound.
double AutocorrelationFactor(const std::vector<std::vector<Point>>& groups, double slope) {
  double num = 0;
  double den = 0;
  std::size_t n = 0;
  for (const std::vector<Point>& pts : groups) {
    if (pts.size() < 3) continue;
    std::vector<Point> sorted = pts;
    std::sort(sorted.begin(), sorted.end(), [](const Point& a, const Point& b) { return a.t < b.t; });
    std::vector<double> r;
    double mean = 0;
    for (const Point& p : sorted) {
      r.push_back(p.y - slope * p.t);
      mean += r.back();
    }
    mean /= static_cast<double>(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) {
      den += (r[i] - mean) * (r[i] - mean);
      if (i + 1 < r.size()) num += (r[i] - mean) * (r[i + 1] - mean);
    }
    n += r.size();
  }
  if (!(den > 0) || n < 3) return 1;
  const double rho = std::min(num / den, 0.9);
  if (!(rho > 0)) return 1;
  double f = 1;
  double power = 1;
  const double nn = static_cast<double>(n);
  for (std::size_t k = 1; k < n; ++k) {
    power *= rho;
    if (power < 1e-12) break;
    f += 2 * (1 - static_cast<double>(k) / nn) * power;
  }
  return f;
}

// Sen's slope and interval over groups of points: only points of the same
// group are paired, and the variance of Kendall's S is the sum of the
// groups' (Hirsch, Slack and Smith 1982). One group is the plain Theil-Sen.
SlopeFit SenFit(const std::vector<std::vector<Point>>& groups, double confidence) {
  SlopeFit fit;
  std::vector<double> slopes;
  double variance = 0;
  std::size_t enough = 0;  // points in groups with at least 3 distinct t
  for (const std::vector<Point>& pts : groups) {
    fit.n += pts.size();
    std::vector<double> ts;
    ts.reserve(pts.size());
    for (const Point& p : pts) ts.push_back(p.t);
    std::sort(ts.begin(), ts.end());
    const auto distinct = std::unique(ts.begin(), ts.end()) - ts.begin();
    if (distinct >= 3) enough += pts.size();
    if (distinct < 2) continue;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      for (std::size_t j = i + 1; j < pts.size(); ++j) {
        const double dt = pts[j].t - pts[i].t;
        if (dt != 0) slopes.push_back((pts[j].y - pts[i].y) / dt);
      }
    }
    variance += KendallVariance(pts);
  }
  // Valid with a group of at least 3 distinct t values (a single group: at
  // least 3 distinct t values).
  if (enough == 0) return fit;

  const std::size_t n_slopes = slopes.size();
  if (!(confidence > 0)) confidence = 0;  // also NaN
  confidence = std::min(confidence, 1.0);
  const double z = NormalQuantile((1 + confidence) / 2);
  // Samples taken faster than the series changes (a process tree whose
  // members are replaced every 3 s, sampled every second) repeat each
  // other: Kendall's variance counts them as independent and the interval
  // comes out too narrow. Widen it by the AR(1) variance factor of the
  // residuals about the median slope (AutocorrelationFactor above).
  // (The median reorders `slopes` in place; the order statistics below do
  // not depend on their order.)
  if (n_slopes > 0) variance *= AutocorrelationFactor(groups, MedianInPlace(slopes));
  const double c = z * std::sqrt(variance);
  const double n = static_cast<double>(n_slopes);
  const std::size_t lower_rank = ClampRank((n - c) / 2, n_slopes);
  const std::size_t upper_rank = ClampRank(std::round((n + c) / 2) + 1, n_slopes);
  const std::size_t mid_hi = n_slopes / 2 + 1;               // 1-based
  const std::size_t mid_lo = n_slopes % 2 == 1 ? mid_hi : mid_hi - 1;

  const std::vector<double> v = OrderStatistics(slopes, {lower_rank, mid_lo, mid_hi, upper_rank});
  fit.lower = v[0];
  fit.slope = v[1] + (v[2] - v[1]) / 2;
  fit.upper = v[3];

  std::vector<double> residuals;
  for (const std::vector<Point>& pts : groups) {
    for (const Point& p : pts) residuals.push_back(p.y - fit.slope * p.t);
  }
  fit.intercept = MedianInPlace(residuals);
  fit.valid = true;
  return fit;
}

// The Mann-Kendall test over groups: S and its variance summed over the
// groups (the seasonal Kendall test); one group is the plain test.
TrendTest KendallTrend(const std::vector<std::vector<Point>>& groups, double alpha) {
  TrendTest test;
  long long s = 0;
  double var = 0;
  std::size_t enough = 0;
  for (const std::vector<Point>& pts : groups) {
    if (pts.size() >= 3) enough += pts.size();
    if (pts.size() < 2) continue;
    // Order-independent form of S: each pair with distinct t counts the
    // sign of the y change in the direction of increasing t.
    for (std::size_t i = 0; i < pts.size(); ++i) {
      for (std::size_t j = i + 1; j < pts.size(); ++j) {
        const double dt = pts[j].t - pts[i].t;
        const double dy = pts[j].y - pts[i].y;
        if (dt == 0 || dy == 0) continue;
        s += (dt > 0) == (dy > 0) ? 1 : -1;
      }
    }
    var += KendallVariance(pts);
  }
  if (enough == 0) return test;
  test.s = static_cast<double>(s);
  if (var > 0 && s != 0) test.z = (s > 0 ? test.s - 1 : test.s + 1) / std::sqrt(var);
  test.p_value = std::min(1.0, std::erfc(std::abs(test.z) / std::numbers::sqrt2));
  if (test.p_value < alpha) test.direction = test.z > 0 ? 1 : -1;
  test.valid = true;
  return test;
}

// The finite points of each stratum, each thinned to its share of
// max_points (at least 1), strata in ascending order.
std::vector<std::vector<Point>> ByStratum(std::span<const Point> points, std::span<const long> strata,
                                          std::size_t max_points) {
  std::map<long, std::vector<Point>> by;
  std::size_t total = 0;
  for (std::size_t i = 0; i < points.size() && i < strata.size(); ++i) {
    if (!Finite(points[i])) continue;
    by[strata[i]].push_back(points[i]);
    ++total;
  }
  std::vector<std::vector<Point>> groups;
  for (auto& [stratum, pts] : by) {
    std::size_t share = 0;
    if (max_points != 0) share = std::max<std::size_t>(1, max_points * pts.size() / total);
    groups.push_back(Thin(pts, share));
  }
  return groups;
}

}  // namespace

SlopeFit TheilSen(std::span<const Point> points, double confidence, std::size_t max_points) {
  return SenFit({Thin(points, max_points)}, confidence);
}

TrendTest MannKendall(std::span<const Point> points, double alpha, std::size_t max_points) {
  return KendallTrend({Thin(points, max_points)}, alpha);
}

SlopeFit TheilSenWithin(std::span<const Point> points, std::span<const long> strata, double confidence,
                        std::size_t max_points) {
  return SenFit(ByStratum(points, strata, max_points), confidence);
}

TrendTest MannKendallWithin(std::span<const Point> points, std::span<const long> strata, double alpha,
                            std::size_t max_points) {
  return KendallTrend(ByStratum(points, strata, max_points), alpha);
}

std::vector<Point> From(std::span<const Point> points, double from) {
  std::vector<Point> out;
  for (const Point& p : points) {
    if (p.t >= from) out.push_back(p);
  }
  return out;
}

SeriesSummary Summarize(std::span<const Point> points) {
  SeriesSummary sum;
  std::vector<double> ys;
  ys.reserve(points.size());
  double t_first = 0;
  double t_last = 0;
  for (const Point& p : points) {
    if (!Finite(p)) continue;
    if (ys.empty()) {
      sum.min = sum.max = sum.first = sum.last = p.y;
      t_first = t_last = p.t;
    } else {
      sum.min = std::min(sum.min, p.y);
      sum.max = std::max(sum.max, p.y);
      if (p.t < t_first) {
        t_first = p.t;
        sum.first = p.y;
      }
      if (p.t >= t_last) {
        t_last = p.t;
        sum.last = p.y;
      }
    }
    ys.push_back(p.y);
  }
  sum.n = ys.size();
  if (!ys.empty()) sum.median = MedianInPlace(ys);
  return sum;
}

}  // namespace leakbench::harness
