#include "core/metrics/container_series.h"

namespace logcap {
namespace {

std::string ShortId(std::string_view id) {
  return std::string(id.substr(0, ContainerSeries::kShortIdLength));
}

}  // namespace

ContainerSeries::ContainerSeries(prometheus::Family<prometheus::Counter>& lines,
                                 prometheus::Family<prometheus::Counter>& bytes,
                                 prometheus::Family<prometheus::Gauge>& lag)
    : lines_(lines), bytes_(bytes), lag_(lag) {}

ContainerSeries::Series& ContainerSeries::Get(std::string_view id, std::string_view name) {
  const std::string short_id = ShortId(id);
  Series& series = by_id_[short_id];
  if (series.lines != nullptr && series.name == name) return series;
  if (series.lines != nullptr) Delete(series);  // renamed: drop the old name's series
  const prometheus::Labels labels = {{"container_id", short_id},
                                     {"container_name", std::string(name)}};
  series.name = std::string(name);
  series.lines = &lines_.Add(labels);
  series.bytes = &bytes_.Add(labels);
  return series;
}

void ContainerSeries::Delete(Series& series) {
  lines_.Remove(series.lines);
  bytes_.Remove(series.bytes);
  if (series.lag != nullptr) lag_.Remove(series.lag);
  series = Series{};
}

void ContainerSeries::AddCaptured(std::string_view id, std::string_view name,
                                  std::uint64_t lines, std::uint64_t bytes) {
  const std::lock_guard lock(mu_);
  Series& series = Get(id, name);
  series.lines->Increment(static_cast<double>(lines));
  series.bytes->Increment(static_cast<double>(bytes));
}

void ContainerSeries::SetLag(std::string_view id, std::string_view name, double seconds) {
  const std::lock_guard lock(mu_);
  Series& series = Get(id, name);
  if (series.lag == nullptr) {
    series.lag = &lag_.Add({{"container_id", ShortId(id)}, {"container_name", series.name}});
  }
  series.lag->Set(seconds);
}

void ContainerSeries::Remove(std::string_view id) {
  const std::lock_guard lock(mu_);
  const auto it = by_id_.find(ShortId(id));
  if (it == by_id_.end()) return;
  if (!keep_removed_) Delete(it->second);
  by_id_.erase(it);
}

void ContainerSeries::set_keep_removed(bool keep) {
  const std::lock_guard lock(mu_);
  keep_removed_ = keep;
}

std::size_t ContainerSeries::size() const {
  const std::lock_guard lock(mu_);
  return by_id_.size();
}

}  // namespace logcap
