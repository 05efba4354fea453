#include "fakes/dockerd/api/docker_api.h"

#include <algorithm>
#include <charconv>
// GCC 12 at -O1 with -fsanitize=address (the asan preset) reports a false
// -Wmaybe-uninitialized inside libstdc++'s regex compiler, which -Werror
// turns into a broken build. (Clang has no such warning.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "fakes/dockerd/api/api_response.h"
#include "fakes/dockerd/api/docker_documents.h"
#include "fakes/dockerd/api/event_stream.h"
#include "fakes/dockerd/api/log_stream.h"
#include "fakes/dockerd/api/time_range.h"

namespace fakedocker {
namespace {

using Conn = std::shared_ptr<HttpConnection>;

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

// "1.41" -> {1, 41}; false when it is not a version.
bool ParseVersion(const std::string& v, int* major, int* minor) {
  size_t dot = v.find('.');
  if (dot == std::string::npos) return false;
  auto a = std::from_chars(v.data(), v.data() + dot, *major);
  auto b = std::from_chars(v.data() + dot + 1, v.data() + v.size(), *minor);
  return a.ec == std::errc() && a.ptr == v.data() + dot && b.ec == std::errc() && b.ptr == v.data() + v.size();
}

int CompareVersions(const std::string& a, const std::string& b) {
  int a1 = 0, a2 = 0, b1 = 0, b2 = 0;
  ParseVersion(a, &a1, &a2);
  ParseVersion(b, &b1, &b2);
  if (a1 != b1) return a1 < b1 ? -1 : 1;
  if (a2 != b2) return a2 < b2 ? -1 : 1;
  return 0;
}

// Go's path.Clean, keeping a trailing slash as gorilla/mux's cleanPath does.
std::string CleanPath(const std::string& p) {
  if (p.empty()) return "/";
  std::vector<std::string> out;
  for (const auto& part : SplitPath(p)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(part);
  }
  std::string clean;
  for (const auto& part : out) clean += "/" + part;
  if (clean.empty()) clean = "/";
  if (p.back() == '/' && clean != "/") clean += "/";
  return clean;
}

bool IsMutatingMethod(const std::string& m) {
  return m == "POST" || m == "PUT" || m == "DELETE" || m == "PATCH";
}

// Top-level resources of the Docker API that the fake does not serve.
bool IsDockerResource(const std::string& first) {
  static const char* kResources[] = {"containers", "images", "networks", "volumes", "exec", "build", "session",
                                     "swarm", "nodes", "services", "tasks", "secrets", "configs", "plugins",
                                     "system", "distribution", "auth", "commit", "grpc"};
  return std::any_of(std::begin(kResources), std::end(kResources), [&](const char* r) { return first == r; });
}

}  // namespace

bool BoolParam(const HttpRequest& req, const std::string& key) {
  auto v = req.Param(key);
  if (!v) return false;
  std::string s = *v;
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return !(s.empty() || s == "0" || s == "no" || s == "false" || s == "none");
}

void DockerApi::Refuse(const Conn& conn, const HttpRequest& req, int status, const std::string& message,
                       const std::string& reason) {
  daemon_.truth().Refuse(conn->id(), req.method, req.target, status, reason);
  if (reason == "unsupported" && status == 404 && message == "page not found") {
    // dockerd's router answers unknown paths and wrong methods alike, without
    // the headers its handlers add.
    ResponseHead head;
    head.status = 404;
    head.headers = {{"Content-Type", "application/json"}};
    const std::string body = "{\"message\":\"page not found\"}\n";
    if (req.method == "HEAD") {  // net/http: the length of the body it did not send
      head.content_length = body.size();
      head.close = !req.keep_alive;
      conn->Write(FormatHead(head), [conn, keep = req.keep_alive](bool ok) {
        if (ok) conn->EndResponse(keep);
      });
      return;
    }
    conn->Respond(head, body, req.keep_alive);
    return;
  }
  RespondError(conn, req, daemon_.config(), status, message);
}

void DockerApi::Handle(const Conn& conn, HttpRequest req) {
  const DaemonConfig& cfg = daemon_.config();
  // gorilla/mux redirects an unclean path ("//_ping", "/containers//x/json")
  // to its cleaned form before routing (measured: 301 with Location only).
  if (std::string clean = CleanPath(req.path); clean != req.path) {
    daemon_.truth().CountRequest(conn->id(), "redirect");
    ResponseHead head;
    head.status = 301;
    size_t q = req.target.find('?');
    head.headers = {{"Location", clean + (q == std::string::npos ? "" : req.target.substr(q))}};
    head.content_length = 0;
    head.close = !req.keep_alive;
    conn->Write(FormatHead(head), [conn, keep = req.keep_alive](bool ok) {
      if (ok) conn->EndResponse(keep);
    });
    return;
  }
  // dockerd's router matches no route for a trailing slash (measured:
  // "/containers/json/" and "/_ping/" are 404 page not found).
  if (req.path.size() > 1 && req.path.back() == '/') {
    daemon_.truth().CountRequest(conn->id(), "refused");
    return Refuse(conn, req, 404, "page not found", "unsupported");
  }
  std::vector<std::string> parts = SplitPath(req.path);
  // An optional /vX.Y prefix, checked against the supported range.
  if (!parts.empty() && parts[0].size() > 1 && parts[0][0] == 'v') {
    std::string version = parts[0].substr(1);
    int major = 0, minor = 0;
    if (ParseVersion(version, &major, &minor)) {
      parts.erase(parts.begin());
      // dockerd's version middleware answers before the handlers run, so
      // these lack Docker-Experimental; "too old" goes through http.Error.
      ResponseHead head;
      head.status = 400;
      head.headers = {{"Api-Version", cfg.api_version}, {"Ostype", "linux"},
                      {"Server", "Docker/" + cfg.engine_version + " (linux)"}};
      if (CompareVersions(version, cfg.api_version) > 0) {
        daemon_.truth().CountRequest(conn->id(), "version_rejected");
        head.headers.emplace_back("Content-Type", "application/json");
        nlohmann::json body = {{"message", "client version " + version +
                                               " is too new. Maximum supported API version is " + cfg.api_version}};
        return conn->Respond(head, body.dump() + "\n", req.keep_alive);
      }
      if (CompareVersions(version, cfg.min_api_version) < 0) {
        daemon_.truth().CountRequest(conn->id(), "version_rejected");
        head.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
        head.headers.emplace_back("X-Content-Type-Options", "nosniff");
        return conn->Respond(head,
                             "client version " + version + " is too old. Minimum supported API version is " +
                                 cfg.min_api_version + ", please upgrade your client to a newer version\n",
                             req.keep_alive);
      }
    }
  }
  const std::string& m = req.method;
  // dockerd routes HEAD for /_ping only; anywhere else it is the router's 404.
  const bool get = m == "GET";
  const size_t n = parts.size();

  if (n == 1 && parts[0] == "_ping") {
    daemon_.truth().CountRequest(conn->id(), "ping");
    if (get || m == "HEAD") return Ping(conn, req);
    return Refuse(conn, req, 404, "page not found", "unsupported");
  }
  if (n == 1 && (parts[0] == "version" || parts[0] == "info")) {
    daemon_.truth().CountRequest(conn->id(), parts[0]);
    if (!get) return Refuse(conn, req, 404, "page not found", "unsupported");
    if (parts[0] == "version") return RespondJson(conn, req, cfg, 200, VersionDocument(cfg));
    return RespondJson(conn, req, cfg, 200, InfoDocument(daemon_, daemon_.List()));
  }
  if (n == 1 && parts[0] == "events") {
    daemon_.truth().CountRequest(conn->id(), "events");
    if (!get) return Refuse(conn, req, 404, "page not found", "unsupported");
    return Events(conn, req);
  }
  if (n == 2 && parts[0] == "containers" && parts[1] == "json" && get) {
    daemon_.truth().CountRequest(conn->id(), "containers_list");
    return ListContainers(conn, req);
  }
  if (n == 3 && parts[0] == "containers" && parts[2] == "json" && get) {
    daemon_.truth().CountRequest(conn->id(), "containers_inspect");
    return Inspect(conn, req, parts[1]);
  }
  if (n == 3 && parts[0] == "containers" && parts[2] == "logs" && get) {
    daemon_.truth().CountRequest(conn->id(), "containers_logs");
    return Logs(conn, req, parts[1]);
  }
  if (n == 3 && parts[0] == "images" && parts[2] == "json" && get) {
    daemon_.truth().CountRequest(conn->id(), "images_inspect");
    return Refuse(conn, req, 404, "No such image: " + parts[1], "unsupported");
  }
  daemon_.truth().CountRequest(conn->id(), "refused");
  if (n >= 1 && IsDockerResource(parts[0]) && IsMutatingMethod(m)) {
    // dockerd refuses a request it will not serve through an authorization
    // plugin; the fake answers in that shape so clients report it sensibly.
    return Refuse(conn, req, 403,
                  "authorization denied by plugin fake-dockerd: " + m + " " + req.path +
                      " changes state; the fake is read-only, drive it through its control socket",
                  "mutating");
  }
  return Refuse(conn, req, 404, "page not found", "unsupported");
}

void DockerApi::Ping(const Conn& conn, const HttpRequest& req) {
  ResponseHead head;
  head.headers = DockerHeaders(daemon_.config());
  head.headers.emplace_back("Cache-Control", "no-cache, no-store, must-revalidate");
  head.headers.emplace_back("Pragma", "no-cache");
  if (req.method == "HEAD") {
    // The handler sets both itself, so Go sorts them among the others.
    head.headers.emplace_back("Content-Length", "0");
    head.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    head.close = !req.keep_alive;
    conn->Write(FormatHead(head), [conn, keep = req.keep_alive](bool ok) {
      if (ok) conn->EndResponse(keep);
    });
    return;
  }
  head.sniffed_content_type = "text/plain; charset=utf-8";
  conn->Respond(head, "OK", req.keep_alive);
}

void DockerApi::ListContainers(const Conn& conn, const HttpRequest& req) {
  static const std::set<std::string> kAllowed = {"ancestor", "before", "expose", "exited", "health", "id",
                                                 "isolation", "is-task", "label", "name", "network", "publish",
                                                 "since", "status", "volume"};
  std::string error;
  int error_status = 400;
  auto filters = Filters::Parse(req.Param("filters").value_or(""), &kAllowed, &error, &error_status);
  if (!filters) return RespondError(conn, req, daemon_.config(), error_status, error);
  static const std::set<std::string> kStatuses = {"created", "restarting", "running", "removing",
                                                  "paused", "exited", "dead"};
  for (const auto& s : filters->get("status")) {
    if (!kStatuses.count(s)) return RespondError(conn, req, daemon_.config(), 400, "Invalid filter 'status=" + s + "'");
  }
  bool all = BoolParam(req, "all") || filters->has("status") || filters->has("exited");
  int limit = -1;
  if (auto l = req.Param("limit"); l && !l->empty()) {
    auto r = std::from_chars(l->data(), l->data() + l->size(), limit);
    if (r.ec != std::errc()) limit = -1;
    if (limit > 0) all = true;
  }
  UnixNanos now = NowNanos();
  auto containers = daemon_.List();
  std::reverse(containers.begin(), containers.end());  // newest first, as dockerd
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& c : containers) {
    if (!all && !c->running()) continue;
    if (!filters->AnyOrAbsent("id", [&](const std::string& v) { return c->id().starts_with(v); })) continue;
    if (!filters->AnyOrAbsent("name", [&](const std::string& v) {
          try {
            std::regex re(v);
            return std::regex_search("/" + c->name(), re) || std::regex_search(c->name(), re);
          } catch (const std::regex_error&) {
            return false;
          }
        })) {
      continue;
    }
    if (!filters->AnyOrAbsent("status", [&](const std::string& v) { return v == StateName(c->state()); })) continue;
    if (!filters->AnyOrAbsent("exited", [&](const std::string& v) {
          return c->state() == ContainerState::kExited && v == std::to_string(c->exit_code());
        })) {
      continue;
    }
    if (!filters->AnyOrAbsent("ancestor", [&](const std::string& v) { return v == c->spec().image; })) continue;
    if (!filters->MatchLabels(c->spec().labels)) continue;
    out.push_back(ContainerSummary(*c, now));
    if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
  }
  RespondJson(conn, req, daemon_.config(), 200, out);
}

void DockerApi::Inspect(const Conn& conn, const HttpRequest& req, const std::string& ref) {
  OpError error;
  auto c = daemon_.Resolve(ref, &error);
  if (!c) return RespondError(conn, req, daemon_.config(), error.status, error.message);
  RespondJson(conn, req, daemon_.config(), 200, ContainerInspect(*c));
}

bool DockerApi::InjectHttpError(const Conn& conn, const HttpRequest& req, std::vector<FaultSpec>* faults) {
  for (const auto& f : *faults) {
    if (f.kind == FaultKind::kHttp500 || f.kind == FaultKind::kHttp503) {
      int status = f.kind == FaultKind::kHttp500 ? 500 : 503;
      daemon_.truth().Refuse(conn->id(), req.method, req.target, status, std::string("fault:") + FaultKindName(f.kind));
      RespondError(conn, req, daemon_.config(), status,
                   std::string("fake-dockerd injected fault (") + FaultKindName(f.kind) + ")");
      return true;
    }
  }
  return false;
}

void DockerApi::Logs(const Conn& conn, const HttpRequest& req, const std::string& ref) {
  const DaemonConfig& cfg = daemon_.config();
  LogQuery q;
  q.follow = BoolParam(req, "follow");
  q.stdout = BoolParam(req, "stdout");
  q.stderr = BoolParam(req, "stderr");
  q.timestamps = BoolParam(req, "timestamps");
  if (!q.stdout && !q.stderr) {
    return RespondError(conn, req, cfg, 400, "Bad parameters: you must choose at least one stream");
  }
  OpError error;
  auto c = daemon_.Resolve(ref, &error);
  if (!c) return RespondError(conn, req, cfg, error.status, error.message);
  if (c->state() == ContainerState::kRemoving) {
    return RespondError(conn, req, cfg, 409, "can not get logs from container which is dead or marked for removal");
  }
  std::string perr;
  auto range = ParseTimeRange(req, &perr);
  if (!range) return RespondError(conn, req, cfg, 500, perr);
  // since=0 means "from the beginning", as in moby; until=0 means no end.
  if (range->since && *range->since != 0) q.since = range->since;
  if (range->until && *range->until != 0) q.until = range->until;
  if (auto tail = req.Param("tail"); tail && *tail != "all" && !tail->empty()) {
    int64_t n = -1;
    auto r = std::from_chars(tail->data(), tail->data() + tail->size(), n);
    if (r.ec == std::errc() && r.ptr == tail->data() + tail->size() && n >= 0) q.tail = static_cast<uint64_t>(n);
  }
  auto faults = daemon_.faults().Draw("logs", [&](const std::string& target) {
    return target == c->id() || target == c->name() || c->id().starts_with(target);
  });
  if (InjectHttpError(conn, req, &faults)) return;
  if (q.follow) daemon_.SettleClosedStreams();
  StreamRecord& record = daemon_.truth().OpenStream(conn->id(), "logs", c->id(), q.follow, req.target);
  for (const auto& f : faults) record.faults.push_back(FaultKindName(f.kind));
  auto stream = std::make_shared<LogStream>(daemon_, c, conn, q, std::move(faults), req.keep_alive, record.id);
  daemon_.Register(record.id, stream);
  if (q.follow && conn->open()) daemon_.WatchHangup(record.id, conn->native_handle());
  stream->Start();
}

void DockerApi::Events(const Conn& conn, const HttpRequest& req) {
  const DaemonConfig& cfg = daemon_.config();
  EventQuery q;
  std::string error;
  int error_status = 400;
  // /events ignores filter keys it does not know, unlike /containers/json.
  auto filters = Filters::Parse(req.Param("filters").value_or(""), nullptr, &error, &error_status);
  if (!filters) return RespondError(conn, req, cfg, error_status, error);
  q.filters = *filters;
  std::string perr;
  auto range = ParseTimeRange(req, &perr);
  // A strconv error reaches dockerd's error mapper unclassified: 500, as on /logs.
  if (!range) return RespondError(conn, req, cfg, 500, perr);
  q.since = range->since;
  q.until = range->until;
  if (q.since && q.until && *q.since > *q.until) {
    return RespondError(conn, req, cfg, 400, "`since` time (" + req.Param("since").value_or("") +
                                                 ") cannot be after `until` time (" + req.Param("until").value_or("") + ")");
  }
  auto faults = daemon_.faults().Draw("events", [](const std::string&) { return false; });
  if (InjectHttpError(conn, req, &faults)) return;
  StreamRecord& record = daemon_.truth().OpenStream(conn->id(), "events", "", true, req.target);
  for (const auto& f : faults) record.faults.push_back(FaultKindName(f.kind));
  auto stream = std::make_shared<EventStream>(daemon_, conn, std::move(q), std::move(faults), req.keep_alive, record.id);
  daemon_.Register(record.id, stream);
  stream->Start();
}

}  // namespace fakedocker
