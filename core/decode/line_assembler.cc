#include "core/decode/line_assembler.h"

#include <algorithm>

namespace logcap {

LineAssembler::LineAssembler(LineAssemblerOptions options) : options_(options) {
  options_.max_line_bytes = std::max<std::size_t>(options_.max_line_bytes, 1);
}

void LineAssembler::Deliver(StreamType stream, Pending& pending, bool complete,
                            const LineCallback& on_line) {
  Line line;
  line.stream = stream;
  line.ts_ns = pending.ts_ns;
  line.text = pending.text;
  line.frames = pending.frames;
  line.complete = complete;
  line.truncated = pending.truncated;
  line.part_index = pending.part_index;
  if (pending.truncated) ++lines_truncated_;
  if (!complete) ++unterminated_lines_;
  on_line(line);
  pending.text.clear();
  // Do not keep a huge buffer alive for the sake of one long line.
  if (pending.text.capacity() > 64 * 1024) pending.text.shrink_to_fit();
  pending.frames = 0;
  pending.part_index = 0;
  pending.active = false;
  pending.truncated = false;
  pending.ts_ns = kNoTimestamp;
}

void LineAssembler::Add(const Message& message, const LineCallback& on_line) {
  if (message.stream == StreamType::kSystemError) {
    Line line;
    line.stream = StreamType::kSystemError;
    line.ts_ns = message.ts_ns;
    line.text = message.bytes;
    line.frames = 0;
    on_line(line);
    return;
  }
  const auto index = static_cast<std::size_t>(message.stream);
  Pending& pending = pending_[index];
  const std::size_t max = options_.max_line_bytes;

  if (pending.active && pending.ts_ns != message.ts_ns) {
    Deliver(message.stream, pending, /*complete=*/false, on_line);
  }
  if (!pending.active && !message.partial && message.bytes.size() <= max) {
    Line line;  // the common case: a whole line in one record, no copy
    line.stream = message.stream;
    line.ts_ns = message.ts_ns;
    line.ts_text = message.ts_text;
    line.text = message.bytes;
    line.frames = 1;
    on_line(line);
    return;
  }

  if (message.drop_trailing_cr && pending.active && !pending.truncated &&
      !pending.text.empty() && pending.text.back() == '\r') {
    pending.text.pop_back();  // the TTY's "\r" of a "\r\n" cut by a piece boundary
  }
  pending.active = true;
  pending.ts_ns = message.ts_ns;
  std::string_view data = message.bytes;
  if (options_.overlong == OverlongPolicy::kTruncate) {
    const std::size_t take = std::min(max - pending.text.size(), data.size());
    pending.text.append(data.substr(0, take));
    if (take < data.size()) {
      pending.truncated = true;
      bytes_truncated_ += data.size() - take;
    }
  } else {
    // Emit a part only when more bytes than fit are known to exist, so a
    // line of exactly max_line_bytes stays whole.
    while (pending.text.size() + data.size() > max) {
      const std::size_t take = max - pending.text.size();
      pending.text.append(data.substr(0, take));
      data.remove_prefix(take);
      if (pending.part_index == 0) ++lines_split_;
      const uint32_t next_part = pending.part_index + 1;
      const int64_t ts = pending.ts_ns;
      Line line;
      line.stream = message.stream;
      line.ts_ns = ts;
      line.text = pending.text;
      line.frames = pending.frames;  // this message ends in a later part
      line.complete = false;
      line.part_index = pending.part_index;
      on_line(line);
      pending.text.clear();
      pending.frames = 0;
      pending.part_index = next_part;
    }
    pending.text.append(data);
  }
  ++pending.frames;
  if (!message.partial) Deliver(message.stream, pending, /*complete=*/true, on_line);
}

void LineAssembler::Flush(const LineCallback& on_line) {
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (pending_[i].active) {
      Deliver(static_cast<StreamType>(i), pending_[i], /*complete=*/false, on_line);
    }
  }
}

uint32_t LineAssembler::Discard() {
  uint32_t dropped = 0;
  for (Pending& pending : pending_) {
    dropped += pending.frames;
    pending = Pending{};
  }
  return dropped;
}

uint32_t LineAssembler::PendingFrames(StreamType stream) const {
  const auto index = static_cast<std::size_t>(stream);
  return index < pending_.size() ? pending_[index].frames : 0;
}

uint32_t LineAssembler::PendingFrames() const {
  uint32_t total = 0;
  for (const Pending& pending : pending_) total += pending.frames;
  return total;
}

int64_t LineAssembler::PendingTimestamp(StreamType stream) const {
  const auto index = static_cast<std::size_t>(stream);
  return index < pending_.size() && pending_[index].active ? pending_[index].ts_ns
                                                           : kNoTimestamp;
}

}  // namespace logcap
