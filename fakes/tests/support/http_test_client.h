// A small blocking HTTP/1.1 client over Unix sockets for tests: written
// independently of the fake's server code and of core/ (the chunked coding and
// the multiplexing headers are decoded by the fake's client library,
// fakes/client/, which follow-load uses too), it shows exactly what
// a client receives — status, headers, the de-chunked body, whether the body
// ended cleanly (terminating chunk), was cut off (EOF mid-body), or the
// connection was reset. Every read has a deadline, so no test can hang.
// One instance per thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fakes/client/chunk_decoder.h"

namespace leakbench::testing {

struct HttpResponse {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;  // in wire order
  std::string head;   // raw status line and headers
  std::string body;   // de-chunked
  bool chunked = false;
  bool complete = false;   // saw the terminating chunk or the whole Content-Length
  bool eof = false;        // the server closed the connection
  bool reset = false;      // ECONNRESET
  bool timed_out = false;  // the deadline passed first

  std::string Header(const std::string& name) const;  // case-insensitive; "" if absent
};

// One connection. Requests may be sent one after another (keep-alive).
class HttpTestClient {
 public:
  explicit HttpTestClient(const std::string& socket_path);
  ~HttpTestClient();
  HttpTestClient(const HttpTestClient&) = delete;
  HttpTestClient& operator=(const HttpTestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Sends a request and reads the whole response (until complete, EOF,
  // reset, or the deadline).
  HttpResponse Request(const std::string& method, const std::string& target, const std::string& body = "",
                       std::chrono::milliseconds deadline = std::chrono::seconds(10));

  // Sends a request and reads only the head; body bytes then come from Read.
  HttpResponse Open(const std::string& method, const std::string& target,
                    std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // Appends de-chunked body bytes to response->body until `min_bytes` more
  // arrived, the body ended, or the deadline; returns bytes added.
  size_t Read(HttpResponse* response, size_t min_bytes, std::chrono::milliseconds deadline);
  // Reads until the body ends (complete/eof/reset) or the deadline.
  void ReadToEnd(HttpResponse* response, std::chrono::milliseconds deadline);

  void Close();
  void SendRaw(const std::string& bytes);

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline, HttpResponse* r);
  bool ReadHead(HttpResponse* r, std::chrono::steady_clock::time_point deadline);
  size_t DecodeBody(HttpResponse* r);

  int fd_ = -1;
  std::string buf_;
  // body decoding state
  std::optional<size_t> content_length_;
  size_t body_read_ = 0;
  fakedocker::ChunkDecoder chunks_;
  bool body_done_ = false;
};

// Splits a multiplexed body into frames; stops at the first incomplete frame.
// Headers are taken as they are (a stream byte above 3 is reported, not
// refused), so a test sees exactly what a faulty server sent.
struct Frame {
  uint8_t stream = 0;
  std::string payload;
};
std::vector<Frame> Demux(const std::string& body, size_t* consumed = nullptr);

// "cid=... seq=N ..." -> N (0 if absent).
uint64_t SeqOf(const std::string& line);

}  // namespace leakbench::testing
