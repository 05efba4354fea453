#include "fakes/dockerd/control/actions.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdint>
#include <charconv>
#include <map>
#include <set>

#include "fakes/dockerd/model/checked_value.h"

namespace fakedocker {
namespace {

using json = nlohmann::json;

const std::map<std::string, std::set<std::string>>& Schema() {
  static const std::set<std::string> kGen = {"rate", "line_bytes", "stderr_fraction", "stderr_lag", "burst",
                                             "exit_after"};
  static const std::map<std::string, std::set<std::string>> kSchema = [] {
    std::map<std::string, std::set<std::string>> s;
    s["add"] = {"count", "name", "tty", "labels", "image", "start"};
    s["add"].insert(kGen.begin(), kGen.end());
    s["start"] = {"target"};
    s["stop"] = {"target"};
    s["restart"] = {"target"};
    s["kill"] = {"target", "signal"};
    s["remove"] = {"target", "force", "delay"};
    s["rename"] = {"target", "name"};
    s["emit"] = {"target", "lines", "same_timestamp"};
    s["set"] = {"target"};
    s["set"].insert(kGen.begin(), kGen.end());
    s["fault"] = {"kind", "target", "endpoint", "probability", "count", "after_bytes", "duration", "delay",
                  "bytes_per_s", "chunk_bytes", "variant"};
    s["clear_faults"] = {"kind", "id"};
    s["restart_daemon"] = {"down"};
    s["churn"] = {"count"};
    s["reset_peaks"] = {};
    return s;
  }();
  return kSchema;
}

std::string Names() {
  std::string out;
  for (const auto& [name, keys] : Schema()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// Checked values as ActionError 400 naming the key, the value and the range.
double Number(const json& j, const char* key, double def, double lo, double hi) {
  if (!j.contains(key)) return def;
  try {
    return CheckedReal(std::string("\"") + key + "\"", j[key], lo, hi);
  } catch (const ValueError& e) {
    throw ActionError(400, e.what());
  }
}

std::chrono::nanoseconds Duration(const json& j, const char* key, std::chrono::nanoseconds def,
                                  std::chrono::nanoseconds hi = kMaxDelay) {
  if (!j.contains(key)) return def;
  try {
    return CheckedDuration(std::string("\"") + key + "\"", j[key], std::chrono::nanoseconds{0}, hi);
  } catch (const ValueError& e) {
    throw ActionError(400, e.what());
  }
}

void ApplyGenerator(const json& j, GeneratorSpec* g) {
  g->rate = Number(j, "rate", g->rate, 0, 1e6);
  if (j.contains("line_bytes")) {
    std::string text = j["line_bytes"].is_string() ? j["line_bytes"].get<std::string>() : j["line_bytes"].dump();
    try {
      ParseLineBytes(text, &g->min_bytes, &g->max_bytes);
    } catch (const std::invalid_argument& e) {
      throw ActionError(400, e.what());
    }
  }
  g->stderr_fraction = Number(j, "stderr_fraction", g->stderr_fraction, 0, 1);
  g->stderr_lag_ns = Duration(j, "stderr_lag", std::chrono::nanoseconds(g->stderr_lag_ns), kMaxStderrLag).count();
  g->burst = static_cast<uint32_t>(Number(j, "burst", g->burst, 1, 1e6));
  g->exit_after = static_cast<uint64_t>(Number(j, "exit_after", static_cast<double>(g->exit_after), 0, 1e15));
}

void Check(const std::optional<OpError>& e) {
  if (e && e->status != 304) throw ActionError(e->status, e->message);
}

}  // namespace

void ParseLineBytes(const std::string& text, uint32_t* min_bytes, uint32_t* max_bytes) {
  auto parse = [&](std::string_view s, uint32_t* out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || *out == 0 || *out > (64u << 20)) {
      throw std::invalid_argument("line bytes \"" + CutForMessage(text) +
                                  "\" must be N or MIN-MAX with 1 <= N <= 67108864");
    }
  };
  size_t dash = text.find('-');
  parse(std::string_view(text).substr(0, dash), min_bytes);
  if (dash == std::string::npos) {
    *max_bytes = *min_bytes;
  } else {
    parse(std::string_view(text).substr(dash + 1), max_bytes);
    if (*max_bytes < *min_bytes) {
      throw std::invalid_argument("line bytes \"" + CutForMessage(text) + "\": MIN is larger than MAX");
    }
  }
}

bool IsBooleanField(std::string_view key) {
  return key == "tty" || key == "start" || key == "force" || key == "same_timestamp";
}

void ValidateAction(const json& action) {
  if (!action.is_object()) throw ActionError(400, "an action must be a JSON object");
  if (!action.contains("action") || !action["action"].is_string()) {
    throw ActionError(400, "an action needs \"action\": one of " + Names());
  }
  std::string name = action["action"].get<std::string>();
  auto it = Schema().find(name);
  if (it == Schema().end()) throw ActionError(400, "unknown action \"" + CutForMessage(name) + "\" (one of " + Names() + ")");
  for (auto& [key, value] : action.items()) {
    if (key == "action" || key == "at" || key == "every" || key == "times" || key == "until") continue;
    if (!it->second.count(key)) {
      throw ActionError(400, "action \"" + name + "\" has no field \"" + CutForMessage(key) + "\"");
    }
    if (IsBooleanField(key) && !value.is_boolean()) {
      throw ActionError(400, "\"" + key + "\": \"" + JsonForMessage(value) + "\" is not true or false");
    }
  }
  if (name == "fault") {
    try {
      json spec = action;
      for (const char* k : {"action", "at", "every", "times", "until"}) spec.erase(k);
      FaultSpec::FromJson(spec);
    } catch (const std::exception& e) {
      throw ActionError(400, e.what());
    }
  }
  if (name == "add" || name == "set") {
    GeneratorSpec g;
    ApplyGenerator(action, &g);
  }
  if (name == "restart_daemon" || name == "remove") Duration(action, name == "remove" ? "delay" : "down", {});
  if (name == "add" || name == "churn") Number(action, "count", 1, 1, 100000);
  if (name == "kill") Number(action, "signal", 9, 1, 64);
  if (name == "emit") Number(action, "lines", 1, 0, 1e7);
  static const std::set<std::string> kNeedTarget = {"start", "stop", "restart", "kill", "remove", "rename", "emit", "set"};
  if (kNeedTarget.count(name) && !action.contains("target")) {
    throw ActionError(400, "action \"" + name + "\" needs \"target\" (a container id, name, or \"*\")");
  }
}

std::vector<std::shared_ptr<Container>> Actions::Targets(const json& action) {
  std::string target = action.at("target").get<std::string>();
  if (target == "*") return daemon_.List();
  OpError error;
  auto c = daemon_.Resolve(target, &error);
  if (!c) throw ActionError(error.status, error.message);
  return {c};
}

struct Actions::BulkJob {
  json action;                                    // the add (churn: the add of its new containers)
  size_t count = 0;                               // containers to add
  size_t added = 0;
  std::vector<std::shared_ptr<Container>> victims;  // churn: removed before the adds
  size_t removed = 0;
  bool churn = false;
  json ids = json::array(), names = json::array(), removed_ids = json::array();
};

std::shared_ptr<Actions::BulkJob> Actions::NewBulkJob(const json& a) {
  auto job = std::make_shared<BulkJob>();
  job->churn = a["action"] == "churn";
  job->count = static_cast<size_t>(Number(a, "count", 1, 1, 100000));
  if (!job->churn) {
    if (job->count > 1 && a.contains("name")) throw ActionError(400, "\"name\" needs \"count\": 1");
    job->action = a;
    return job;
  }
  job->action = {{"action", "add"}};
  // The victims: `count` running containers drawn without replacement.
  auto live = daemon_.List();
  std::erase_if(live, [](const auto& c) { return !c->running(); });
  const size_t n = std::min(job->count, live.size());
  for (size_t i = 0; i < n; ++i) {
    std::swap(live[i], live[std::uniform_int_distribution<size_t>(i, live.size() - 1)(rng_)]);
  }
  live.resize(n);
  job->victims = std::move(live);
  return job;
}

bool Actions::Step(BulkJob& job, size_t budget) {
  for (; budget > 0 && job.removed < job.victims.size(); --budget, ++job.removed) {
    Container& victim = *job.victims[job.removed];
    daemon_.Stop(victim);
    daemon_.Remove(victim, true, {});
    job.removed_ids.push_back(victim.id());
  }
  const json& a = job.action;
  for (; budget > 0 && job.added < job.count; --budget, ++job.added) {
    ContainerSpec spec = daemon_.DefaultSpec(daemon_.created_count());
    if (a.contains("name")) {
      spec.name = a["name"].get<std::string>();
      OpError clash;
      if (daemon_.Resolve(spec.name, &clash) != nullptr) {
        throw ActionError(409, "Conflict. The container name \"/" + CutForMessage(spec.name) + "\" is already in use");
      }
    }
    if (a.contains("tty")) spec.tty = a["tty"].get<bool>();
    if (a.contains("image")) spec.image = a["image"].get<std::string>();
    if (a.contains("labels")) {
      for (auto& [k, v] : a["labels"].items()) spec.labels[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
    ApplyGenerator(a, &spec.generator);
    auto c = daemon_.Create(std::move(spec));
    if (a.value("start", true)) daemon_.Start(*c);
    job.ids.push_back(c->id());
    job.names.push_back(c->name());
  }
  return job.removed == job.victims.size() && job.added == job.count;
}

json Actions::Result(const BulkJob& job) {
  if (job.churn) return {{"removed", job.removed_ids}, {"added", job.ids}};
  return {{"ids", job.ids}, {"names", job.names}};
}

void Actions::RunSliced(std::shared_ptr<BulkJob> job, Done done) {
  try {
    if (Step(*job, kSliceContainers)) {
      done(Result(*job), std::nullopt);
      return;
    }
  } catch (const ActionError& e) {
    done(nullptr, e);
    return;
  }
  boost::asio::post(daemon_.io(), [this, job, done = std::move(done)]() mutable { RunSliced(job, std::move(done)); });
}

void Actions::PerformAsync(const json& a, Done done) {
  std::shared_ptr<BulkJob> job;
  json result;
  try {
    ValidateAction(a);
    const std::string name = a["action"].get<std::string>();
    if (name == "add" || name == "churn") {
      job = NewBulkJob(a);
    } else {
      result = Perform(a);
    }
  } catch (const ActionError& e) {
    done(nullptr, e);
    return;
  } catch (const std::exception& e) {  // bad JSON types and the like: the caller's input
    done(nullptr, ActionError(400, e.what()));
    return;
  }
  if (job) {
    RunSliced(std::move(job), std::move(done));
  } else {
    done(std::move(result), std::nullopt);
  }
}

void Actions::PerformAllAsync(json actions, Done done) {
  PerformNext(std::make_shared<json>(std::move(actions)), 0, std::make_shared<json>(json::array()), std::move(done));
}

void Actions::PerformNext(std::shared_ptr<json> actions, size_t index, std::shared_ptr<json> results, Done done) {
  if (index == actions->size()) {
    done(std::move(*results), std::nullopt);
    return;
  }
  const json action = (*actions)[index];
  PerformAsync(action, [this, actions, index, results, done = std::move(done)](
                           json result, std::optional<ActionError> error) mutable {
    if (error) {
      done(nullptr, std::move(error));
      return;
    }
    results->push_back(std::move(result));
    // The next one on a later turn: no recursion however long the array,
    // and the loop serves signals in between.
    boost::asio::post(daemon_.io(), [this, actions, index, results, done = std::move(done)]() mutable {
      PerformNext(actions, index + 1, results, std::move(done));
    });
  });
}

json Actions::Perform(const json& a) {
  ValidateAction(a);
  const std::string name = a["action"].get<std::string>();
  if (name == "add" || name == "churn") {
    auto job = NewBulkJob(a);
    while (!Step(*job, SIZE_MAX)) {
    }
    return Result(*job);
  }
  if (name == "fault") {
    json spec = a;
    for (const char* k : {"action", "at", "every", "times", "until"}) spec.erase(k);
    uint64_t id = daemon_.faults().Add(FaultSpec::FromJson(spec));
    return {{"fault_id", id}};
  }
  if (name == "clear_faults") {
    if (a.contains("id")) return {{"removed", daemon_.faults().Remove(a["id"].get<uint64_t>()) ? 1 : 0}};
    std::optional<FaultKind> kind;
    if (a.contains("kind")) {
      kind = ParseFaultKind(a["kind"].get<std::string>());
      if (!kind) throw ActionError(400, "unknown fault kind \"" + a["kind"].get<std::string>() + "\"");
    }
    return {{"removed", daemon_.faults().Clear(kind)}};
  }
  if (name == "restart_daemon") {
    auto down = Duration(a, "down", std::chrono::seconds(1));
    if (!restart_api_) throw ActionError(500, "this daemon cannot restart its API");
    restart_api_(down);
    return {{"down_ns", down.count()}};
  }
  if (name == "reset_peaks") {
    daemon_.truth().ResetPeaks();
    return json::object();
  }
  json affected = json::array();
  for (auto& c : Targets(a)) {
    if (name == "start") {
      Check(daemon_.Start(*c));
    } else if (name == "stop") {
      Check(daemon_.Stop(*c));
    } else if (name == "restart") {
      Check(daemon_.Restart(*c));
    } else if (name == "kill") {
      Check(daemon_.Kill(*c, static_cast<int>(Number(a, "signal", 9, 1, 64))));
    } else if (name == "remove") {
      Check(daemon_.Remove(*c, a.value("force", true), Duration(a, "delay", {})));
    } else if (name == "rename") {
      if (!a.contains("name") || !a["name"].is_string()) throw ActionError(400, "rename needs \"name\"");
      Check(daemon_.Rename(*c, a["name"].get<std::string>()));
    } else if (name == "emit") {
      daemon_.Emit(*c, static_cast<size_t>(Number(a, "lines", 1, 0, 1e7)), a.value("same_timestamp", false));
    } else if (name == "set") {
      GeneratorSpec g = c->spec().generator;
      ApplyGenerator(a, &g);
      c->set_generator(g, NowNanos());
    }
    affected.push_back(c->id());
  }
  return {{"affected", affected}};
}

}  // namespace fakedocker
