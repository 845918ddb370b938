// Server-sent events (text/event-stream) framing, as OpenAI streams use it.
//
// SseParser takes bytes as they arrive (split anywhere, also inside a line or
// a CRLF) and yields whole events; only `data:` lines matter to OpenAI, so an
// event is its data lines joined by "\n". SseFrame writes one event.
//
// Thread-safety: a parser is used by one stream at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace airlock::api {

class SseParser {
 public:
  // Bytes in. REQUIRES: total buffered (unterminated) bytes stay below a
  // caller-chosen limit checked through buffered().
  void Feed(std::string_view bytes);
  // Next complete event's data into *data; false when none is complete.
  bool Next(std::string* data);
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::string buf_;
  std::size_t pos_ = 0;
};

// "data: <data>\n\n" (multi-line data becomes several data: lines).
std::string SseFrame(std::string_view data);

}  // namespace airlock::api
