#include "core/sink/loki_response.h"

namespace logcap {

LokiVerdict ClassifyLokiStatus(long status) {
  if (status >= 200 && status < 300) return LokiVerdict::kAccepted;
  if (status == 408 || status == 429 || status >= 500) return LokiVerdict::kRetry;
  return LokiVerdict::kRejected;
}

std::string LokiRejectHint(long status) {
  switch (status) {
    case 401:
    case 403:
      return "check the credentials and the tenant (X-Scope-OrgID) that Loki or the proxy in "
             "front of it expects";
    case 404:
    case 405:
      return "check sink.url: it must be Loki's base URL (e.g. http://loki:3100), the sink "
             "appends /loki/api/v1/push";
    case 413:
      return "the batch is too large for Loki or its proxy: lower sink.batch_bytes";
    default:
      return "check sink.url, the tenant (X-Scope-OrgID) and credentials, and Loki's limits "
             "(Loki's reply below says which)";
  }
}

std::string LokiReplyExcerpt(std::string_view reply, std::size_t max_bytes) {
  std::string out(reply.substr(0, max_bytes));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (reply.size() > max_bytes) out += "...";
  if (out.empty()) out = "(empty reply)";
  return out;
}

}  // namespace logcap
