// Maps the container reference a follower put in its request (a full id,
// an id prefix, a name, with or without its leading '/') to the full id,
// over every container a real-daemon run created or renamed, so a stream
// opened as `docker logs -f NAME` is judged against that container and not
// as one that is gone. Main thread only.
#pragma once

#include <map>
#include <set>
#include <string>

namespace leakbench::harness {

class ContainerRefs {
 public:
  void Add(const std::string& id, const std::string& name);  // also on a rename: the name now means this id
  // The full id `ref` names; `ref` itself when it names none (or an id
  // prefix is ambiguous), so nothing is guessed.
  std::string Resolve(const std::string& ref) const;

 private:
  std::set<std::string> ids_;
  std::map<std::string, std::string> names_;  // without the leading '/'
};

}  // namespace leakbench::harness
