#include "fakes/dockerd/control/control_api.h"

#include <unistd.h>

#include <charconv>

namespace fakedocker {
namespace {

using json = nlohmann::json;

uint64_t UintParam(const HttpRequest& req, const std::string& key, uint64_t def) {
  auto v = req.Param(key);
  if (!v) return def;
  uint64_t out = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), out);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size()) {
    throw ActionError(400, "query parameter \"" + key + "\" must be a non-negative integer");
  }
  return out;
}

}  // namespace

void ControlApi::Handle(const std::shared_ptr<HttpConnection>& conn, HttpRequest req) {
  daemon_.truth().CountRequest(conn->id(), "control");
  const bool keep_alive = req.keep_alive;
  auto respond = [conn, keep_alive](int status, const json& body) {
    ResponseHead head;
    head.status = status;
    head.headers = {{"Content-Type", "application/json"}};
    conn->Respond(head, body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", keep_alive);
  };
  if (req.method == "POST" && req.path == "/actions") {
    // A big add or churn runs in slices on the loop: answer when it is done.
    json j = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (j.is_discarded()) {
      respond(400, {{"error", "request body is not valid JSON"}});
      return;
    }
    Actions::Done done = [respond](json result, std::optional<ActionError> error) {
      if (error) {
        respond(error->status(), {{"error", error->what()}});
      } else {
        respond(200, result);
      }
    };
    if (j.is_array()) {
      actions_.PerformAllAsync(std::move(j), std::move(done));
    } else {
      actions_.PerformAsync(j, std::move(done));
    }
    return;
  }
  int status = 200;
  json body;
  try {
    body = Route(req, &status);
  } catch (const ActionError& e) {
    status = e.status();
    body = {{"error", e.what()}};
  } catch (const std::exception& e) {  // bad JSON types and the like: the caller's input
    status = 400;
    body = {{"error", e.what()}};
  }
  respond(status, body);
}

json ControlApi::Route(const HttpRequest& req, int* status) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  auto body = [&]() {
    json j = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (j.is_discarded()) throw ActionError(400, "request body is not valid JSON");
    return j;
  };
  if (m == "GET" && p == "/ping") return {{"ok", true}, {"pid", ::getpid()}};
  if (m == "GET" && p == "/truth") {
    json t = daemon_.truth().Summary();
    t["containers_live"] = daemon_.List().size();
    t["containers_created"] = daemon_.created_count();
    t["events_published"] = daemon_.events().published();
    return t;
  }
  if (m == "GET" && p == "/streams") {
    return daemon_.truth().Streams(req.Param("state").value_or("all"), UintParam(req, "after", 0),
                                   static_cast<int>(UintParam(req, "pid", 0)), UintParam(req, "limit", 100000));
  }
  if (m == "GET" && p == "/connections") return daemon_.truth().Connections();
  if (m == "GET" && p == "/refused") return daemon_.truth().Refused();
  if (m == "GET" && p == "/containers") return Containers();
  if (m == "GET" && p.starts_with("/containers/") && p.ends_with("/lines")) {
    return Lines(p.substr(12, p.size() - 12 - 6), req, status);
  }
  if (p == "/faults") {
    if (m == "GET") {
      json out = json::array();
      for (const auto& f : daemon_.faults().all()) out.push_back(f.ToJson());
      return out;
    }
    if (m == "POST") {
      json spec = body();
      spec["action"] = "fault";
      return actions_.Perform(spec);
    }
    if (m == "DELETE") return actions_.Perform({{"action", "clear_faults"}});
  }
  if (m == "DELETE" && p.starts_with("/faults/")) {
    uint64_t id = 0;
    std::string s = p.substr(8);
    auto r = std::from_chars(s.data(), s.data() + s.size(), id);
    if (r.ec != std::errc()) throw ActionError(400, "fault id must be a number");
    if (!daemon_.faults().Remove(id)) throw ActionError(404, "no fault with id " + s);
    return {{"removed", 1}};
  }
  *status = 404;
  return {{"error", "no such control endpoint: " + m + " " + p +
                        " (see fakes/README.md: /ping /truth /streams /connections /refused /containers "
                        "/containers/{ref}/lines /faults /actions)"}};
}

json ControlApi::Containers() const {
  json out = json::array();
  for (const auto& c : daemon_.List()) {
    const auto& h = c->history();
    const auto& g = c->spec().generator;
    out.push_back({{"id", c->id()},
                   {"cid", std::string(c->cid12())},
                   {"name", c->name()},
                   {"image", c->spec().image},
                   {"tty", c->tty()},
                   {"state", StateName(c->state())},
                   {"created_ns", c->created()},
                   {"started_at_ns", c->started_at()},
                   {"labels", c->spec().labels},
                   {"rate", g.rate},
                   {"line_bytes", {g.min_bytes, g.max_bytes}},
                   {"emitted", c->emitted()},
                   {"emitted_stdout", c->emitted_stdout()},
                   {"emitted_stderr", c->emitted_stderr()},
                   {"emitted_bytes", c->emitted_bytes()},
                   {"first_seq_held", h.empty() ? 0 : h.at(h.begin()).seq},
                   {"last_seq", h.empty() ? 0 : h.back().seq},
                   {"last_ts_ns", h.empty() ? 0 : h.back().ts},
                   {"evicted", h.evicted()}});
  }
  return out;
}

json ControlApi::Lines(const std::string& ref, const HttpRequest& req, int* status) const {
  OpError error;
  auto c = daemon_.Resolve(ref, &error);
  if (!c) {
    *status = error.status;
    return {{"error", error.message}};
  }
  uint64_t after = UintParam(req, "after_seq", 0);
  uint64_t limit = UintParam(req, "limit", 10000);
  const auto& h = c->history();
  json lines = json::array();
  // seq is dense per container, so the index of seq s is s - first seq held.
  uint64_t first_seq = h.empty() ? 0 : h.at(h.begin()).seq;
  uint64_t start = h.begin() + (after >= first_seq ? after - first_seq + 1 : 0);
  for (uint64_t i = start; i < h.end() && lines.size() < limit; ++i) {
    const LogEntry& e = h.at(i);
    lines.push_back({{"seq", e.seq}, {"ts_ns", e.ts}, {"stream", e.stream == StreamId::kStderr ? "stderr" : "stdout"},
                     {"bytes", e.bytes}});
  }
  return {{"id", c->id()}, {"evicted", h.evicted()}, {"lines", lines}};
}

}  // namespace fakedocker
