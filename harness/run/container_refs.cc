#include "harness/run/container_refs.h"

namespace leakbench::harness {

void ContainerRefs::Add(const std::string& id, const std::string& name) {
  ids_.insert(id);
  names_[name.rfind('/', 0) == 0 ? name.substr(1) : name] = id;
}

std::string ContainerRefs::Resolve(const std::string& ref) const {
  if (ref.empty() || ids_.count(ref) > 0) return ref;
  const std::string bare = ref.rfind('/', 0) == 0 ? ref.substr(1) : ref;
  if (const auto named = names_.find(bare); named != names_.end()) return named->second;
  // Docker takes a unique id prefix: the ids starting with it sort together.
  const auto first = ids_.lower_bound(ref);
  if (first == ids_.end() || first->rfind(ref, 0) != 0) return ref;
  const auto next = std::next(first);
  if (next != ids_.end() && next->rfind(ref, 0) == 0) return ref;  // ambiguous
  return *first;
}

}  // namespace leakbench::harness
