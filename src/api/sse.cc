#include "airlock/api/sse.h"

namespace airlock::api {

void SseParser::Feed(std::string_view bytes) {
  if (pos_ > 0 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

bool SseParser::Next(std::string* data) {
  // An event ends at an empty line; lines end in \n, \r\n or \r.
  std::string out;
  bool have_data = false;
  std::size_t p = pos_;
  while (true) {
    std::size_t eol = buf_.find_first_of("\r\n", p);
    if (eol == std::string::npos) return false;
    // A lone \r at the end of the buffer may be the first half of \r\n.
    if (buf_[eol] == '\r' && eol + 1 == buf_.size()) return false;
    std::string_view line(buf_.data() + p, eol - p);
    std::size_t next = eol + 1;
    if (buf_[eol] == '\r' && buf_[eol + 1] == '\n') ++next;
    p = next;
    if (line.empty()) {
      if (!have_data) {  // stray blank line: skip
        pos_ = p;
        continue;
      }
      pos_ = p;
      *data = std::move(out);
      return true;
    }
    if (line.rfind("data:", 0) == 0) {
      std::string_view v = line.substr(5);
      if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      if (have_data) out.push_back('\n');
      out.append(v);
      have_data = true;
    }
    // Other fields (event:, id:, retry:, comments) are ignored.
  }
}

std::string SseFrame(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 8);
  std::size_t start = 0;
  while (true) {
    std::size_t nl = data.find('\n', start);
    out += "data: ";
    out.append(data.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out += '\n';
  return out;
}

}  // namespace airlock::api
