// ContainerSeries: per-container series appear, follow renames and are
// deleted on removal (or kept, for fault injection).
#include "core/metrics/container_series.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <string>
#include <thread>
#include <vector>

namespace logcap {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Labels;

constexpr char kSeriesId[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class ContainerSeriesTest : public ::testing::Test {
 protected:
  static Labels For(const std::string& id, const std::string& name) {
    return {{"container_id", id}, {"container_name", name}};
  }
  template <typename T>
  static std::size_t SeriesIn(const Family<T>& family) {
    std::size_t n = 0;
    for (const auto& f : family.Collect()) n += f.metric.size();
    return n;
  }
  // Value of the lines counter for (id, name), or -1 when absent.
  double Lines(const std::string& id, const std::string& name) {
    for (const auto& family : lines_.Collect()) {
      for (const auto& m : family.metric) {
        if (m.label[0].value == id && m.label[1].value == name) return m.counter.value;
      }
    }
    return -1;
  }

  prometheus::Registry registry_;
  Family<Counter>& lines_ = prometheus::BuildCounter().Name("lines_total").Register(registry_);
  Family<Counter>& bytes_ = prometheus::BuildCounter().Name("bytes_total").Register(registry_);
  Family<Gauge>& lag_ = prometheus::BuildGauge().Name("lag_seconds").Register(registry_);
  ContainerSeries series_{lines_, bytes_, lag_};
};

TEST_F(ContainerSeriesTest, CountsUnderTheShortId) {
  series_.AddCaptured(kSeriesId, "web", 3, 300);
  series_.AddCaptured(std::string(kSeriesId).substr(0, 12), "web", 2, 200);
  EXPECT_EQ(Lines("0123456789ab", "web"), 5);
  EXPECT_TRUE(bytes_.Has(For("0123456789ab", "web")));
  EXPECT_FALSE(lag_.Has(For("0123456789ab", "web")));  // no lag reported yet
  EXPECT_EQ(series_.size(), 1u);
}

TEST_F(ContainerSeriesTest, RemoveDeletesEverySeries) {
  series_.AddCaptured(kSeriesId, "web", 1, 10);
  series_.SetLag(kSeriesId, "web", 0.5);
  series_.AddCaptured("ffffffffffff", "db", 1, 10);
  EXPECT_TRUE(lag_.Has(For("0123456789ab", "web")));
  series_.Remove(kSeriesId);
  EXPECT_FALSE(lines_.Has(For("0123456789ab", "web")));
  EXPECT_FALSE(bytes_.Has(For("0123456789ab", "web")));
  EXPECT_FALSE(lag_.Has(For("0123456789ab", "web")));
  EXPECT_TRUE(lines_.Has(For("ffffffffffff", "db")));
  EXPECT_EQ(series_.size(), 1u);
  series_.Remove("000000000000");  // unknown: nothing happens
  EXPECT_EQ(series_.size(), 1u);
}

TEST_F(ContainerSeriesTest, RenameReplacesTheSeries) {
  series_.AddCaptured(kSeriesId, "old", 1, 10);
  series_.SetLag(kSeriesId, "old", 1);
  series_.AddCaptured(kSeriesId, "new", 1, 10);
  EXPECT_FALSE(lines_.Has(For("0123456789ab", "old")));
  EXPECT_FALSE(lag_.Has(For("0123456789ab", "old")));
  EXPECT_EQ(Lines("0123456789ab", "new"), 1);
  series_.SetLag(kSeriesId, "new", 2);
  EXPECT_TRUE(lag_.Has(For("0123456789ab", "new")));
}

TEST_F(ContainerSeriesTest, KeepRemovedLeaksTheSeries) {
  series_.set_keep_removed(true);
  series_.AddCaptured(kSeriesId, "web", 1, 10);
  series_.Remove(kSeriesId);
  EXPECT_TRUE(lines_.Has(For("0123456789ab", "web")));
  EXPECT_EQ(series_.size(), 0u);
}

TEST_F(ContainerSeriesTest, ConcurrentUpdatesAndRemovals) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string id = std::to_string(100000000000 + (i % 7));
        if (t % 2 == 0) {
          series_.AddCaptured(id, "c", 1, 1);
          series_.SetLag(id, "c", i);
        } else {
          series_.Remove(id);
          lines_.Collect();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 7; ++i) series_.Remove(std::to_string(100000000000 + i));
  EXPECT_EQ(series_.size(), 0u);
  EXPECT_EQ(SeriesIn(lines_), 0u);
  EXPECT_EQ(SeriesIn(lag_), 0u);
}

}  // namespace
}  // namespace logcap
