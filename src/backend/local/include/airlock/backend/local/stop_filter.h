// StopFilter: streams generated text while keeping stop sequences out of it.
//
// Text that might be the beginning of a stop sequence (or of a UTF-8
// character whose remaining bytes have not arrived) is held back until the
// next piece decides it. When a stop sequence completes, the text before it
// is released and the stop sequence and anything after it are dropped.
//
// Thread-safety: none; one filter per request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace airlock::backend::local {

class StopFilter {
 public:
  explicit StopFilter(std::vector<std::string> stops = {}) : stops_(std::move(stops)) {}

  // Adds `piece`; returns the text that is now safe to emit. Sets *stopped
  // when a stop sequence completed (the filter then holds nothing).
  std::string Push(std::string_view piece, bool* stopped);

  // The held-back text, for when generation ends for another reason.
  std::string Flush();

 private:
  std::vector<std::string> stops_;
  std::string held_;
};

}  // namespace airlock::backend::local
