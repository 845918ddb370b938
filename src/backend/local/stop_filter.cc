#include "airlock/backend/local/stop_filter.h"

#include <algorithm>

namespace airlock::backend::local {
namespace {

// Bytes at the end of `s` that start a UTF-8 character not yet complete.
size_t IncompleteUtf8Tail(std::string_view s) {
  for (size_t back = 1; back <= std::min<size_t>(3, s.size()); ++back) {
    const auto c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: look further back
    size_t need = 1;
    if ((c & 0xE0) == 0xC0)
      need = 2;
    else if ((c & 0xF0) == 0xE0)
      need = 3;
    else if ((c & 0xF8) == 0xF0)
      need = 4;
    return need > back ? back : 0;
  }
  return 0;
}

}  // namespace

std::string StopFilter::Push(std::string_view piece, bool* stopped) {
  *stopped = false;
  // With nothing held back (the usual case) the piece is examined in place;
  // only what must wait is copied into held_.
  const bool held = !held_.empty();
  if (held) held_.append(piece);
  const std::string_view text = held ? std::string_view(held_) : piece;
  size_t first = std::string::npos;
  for (const auto& s : stops_) first = std::min(first, text.find(s));
  if (first != std::string::npos) {
    std::string out(text.substr(0, first));
    held_.clear();
    *stopped = true;
    return out;
  }
  // Longest suffix of the text that is a proper prefix of some stop sequence.
  size_t keep = IncompleteUtf8Tail(text);
  for (const auto& s : stops_) {
    for (size_t k = std::min(s.size() - 1, text.size()); k > keep; --k) {
      if (text.substr(text.size() - k) == std::string_view(s).substr(0, k)) {
        keep = k;
        break;
      }
    }
  }
  std::string out(text.substr(0, text.size() - keep));
  if (held) {
    held_.erase(0, held_.size() - keep);
  } else {
    held_.assign(piece.substr(piece.size() - keep));
  }
  return out;
}

std::string StopFilter::Flush() {
  std::string out;
  out.swap(held_);
  return out;
}

}  // namespace airlock::backend::local
