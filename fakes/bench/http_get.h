// One-shot HTTP GET over a Unix socket ("Connection: close") for follow-load's setup and truth queries.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace followload {

struct HttpResult {
  std::string error;  // empty on success (any status)
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased keys
  std::string body;                            // decoded (Content-Length or chunked)
};

// Decodes a whole response read to EOF: head, then a chunked or
// Content-Length body (or everything after the head).
HttpResult DecodeResponse(std::string_view raw);

// Connects to `socket_path`, sends GET `target`, reads the response to EOF and
// calls done(result) once, on `io`'s thread; result.error says what failed
// (connect, write, read, "timed out" after `timeout`, or the decoding).
void HttpGet(boost::asio::io_context& io, const std::string& socket_path, const std::string& target,
             std::function<void(HttpResult)> done, std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace followload
