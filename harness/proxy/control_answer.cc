#include "harness/proxy/control_answer.h"

#include <charconv>
#include <string_view>

namespace leakbench::proxy {
namespace {

using json = nlohmann::json;

std::string Param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return "";
}

ControlReply Error(int status, const std::string& message) { return {status, json{{"message", message}}.dump(-1, ' ', false, json::error_handler_t::replace)}; }

}  // namespace

ControlReply AnswerControl(const ProxyRecord& record, const std::string& method, const std::string& target) {
  const std::size_t q = target.find('?');
  const std::string path = target.substr(0, q);
  const std::string_view query = q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);
  if (method != "GET") return Error(405, method + " " + path + ": the proxy's control API only answers GET");
  std::size_t limit = 1'000'000;
  if (const std::string l = Param(query, "limit"); !l.empty()) {
    const auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), limit);
    if (ec != std::errc() || end != l.data() + l.size()) return Error(400, "limit=" + l.substr(0, 40) + " is not a count");
  }
  if (path == "/truth") return {200, record.Truth().dump(-1, ' ', false, json::error_handler_t::replace)};
  if (path == "/streams") {
    std::string state = Param(query, "state");
    if (state.empty()) state = "all";
    if (state != "all" && state != "open" && state != "closed") {
      return Error(400, "state=" + state.substr(0, 40) + ": give open, closed or all");
    }
    return {200, record.Streams(state, limit).dump(-1, ' ', false, json::error_handler_t::replace)};
  }
  if (path == "/requests") return {200, record.Requests(limit).dump(-1, ' ', false, json::error_handler_t::replace)};
  return Error(404, path.substr(0, 200) + ": not a control path (the proxy answers /truth, /streams, /requests)");
}

}  // namespace leakbench::proxy
