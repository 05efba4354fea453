// The per-container series of the engine's metrics: lines and bytes
// captured (counters) and capture lag (gauge), labelled {container_id,
// container_name}. It remembers which series each container has so that
// Remove() deletes all of them (label series must not leak), and so that a
// renamed container does not leave its old series behind. The families are
// owned by the caller's prometheus::Registry and must outlive this object.
// Thread-safe: one mutex guards the series, so a removal never races an
// update of the same series.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace logcap {

class ContainerSeries {
 public:
  // Container ids are shortened to this many characters in labels.
  static constexpr std::size_t kShortIdLength = 12;

  ContainerSeries(prometheus::Family<prometheus::Counter>& lines,
                  prometheus::Family<prometheus::Counter>& bytes,
                  prometheus::Family<prometheus::Gauge>& lag);
  ContainerSeries(const ContainerSeries&) = delete;
  ContainerSeries& operator=(const ContainerSeries&) = delete;

  void AddCaptured(std::string_view id, std::string_view name, std::uint64_t lines,
                   std::uint64_t bytes);
  void SetLag(std::string_view id, std::string_view name, double seconds);
  // Deletes the container's series (full or short id), unless
  // set_keep_removed(true) (fault injection: they then leak).
  void Remove(std::string_view id);
  void set_keep_removed(bool keep);

  // Containers with series now (after any kept on removal are forgotten).
  std::size_t size() const;

 private:
  struct Series {
    std::string name;
    prometheus::Counter* lines = nullptr;
    prometheus::Counter* bytes = nullptr;
    prometheus::Gauge* lag = nullptr;  // created by the first SetLag()
  };

  // The container's series, created (or recreated under a new name) as needed.
  Series& Get(std::string_view id, std::string_view name);
  void Delete(Series& series);

  prometheus::Family<prometheus::Counter>& lines_;
  prometheus::Family<prometheus::Counter>& bytes_;
  prometheus::Family<prometheus::Gauge>& lag_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Series> by_id_;  // short id -> series
  bool keep_removed_ = false;
};

}  // namespace logcap
