#include "airlock/detect/document.h"

#include <cstring>

namespace airlock::detect {

ByteSpan Segment::ToInputSpan(ByteSpan s) const {
  if (offsets.empty()) return {input_offset + s.begin, input_offset + s.end};
  return {input_offset + offsets[s.begin], input_offset + offsets[s.end]};
}

std::string JsonPointerEscape(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

void AppendUtf8(std::uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class JsonParser {
 public:
  JsonParser(std::string_view in, std::size_t base, std::vector<Segment>* out,
             std::string pointer_prefix, std::size_t line_no)
      : in_(in), base_(base), out_(out), prefix_(std::move(pointer_prefix)), line_no_(line_no) {}

  Status ParseDocument() {
    SkipWs();
    if (pos_ >= in_.size()) return Error("empty document, expected a JSON value");
    if (Status s = ParseValue(prefix_, 0); !s.ok()) return s;
    SkipWs();
    if (pos_ != in_.size()) return Error("unexpected data after the JSON value");
    return Status::Ok();
  }

 private:
  static constexpr int kMaxDepth = 512;

  Status Error(const std::string& what) const {
    // Line and column of pos_ within the whole input.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < pos_ && i < in_.size(); ++i) {
      if (in_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    if (line_no_ != 0) line = line_no_;
    return Status::InvalidArgument("malformed JSON at line " + std::to_string(line) + ", column " +
                                   std::to_string(col) + " (byte " + std::to_string(base_ + pos_) +
                                   "): " + what);
  }

  void SkipWs() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }

  Status ParseValue(const std::string& ptr, int depth) {
    if (depth > kMaxDepth) return Error("nesting deeper than 512 levels");
    SkipWs();
    if (pos_ >= in_.size()) return Error("unexpected end of input, expected a value");
    char c = in_[pos_];
    switch (c) {
      case '{': return ParseObject(ptr, depth);
      case '[': return ParseArray(ptr, depth);
      case '"': {
        Segment seg;
        if (Status s = ParseString(&seg); !s.ok()) return s;
        if (!seg.text().empty()) {
          seg.pointer = ptr;
          seg.line = line_no_;
          out_->push_back(std::move(seg));
        }
        return Status::Ok();
      }
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(ptr);
        return Error("unexpected character, expected a value");
    }
  }

  Status Literal(const char* word) {
    std::size_t n = std::strlen(word);
    if (in_.substr(pos_, n) != word) return Error(std::string("invalid literal, expected ") + word);
    pos_ += n;
    return Status::Ok();
  }

  Status ParseNumber(const std::string& ptr) {
    std::size_t start = pos_;
    if (in_[pos_] == '-') ++pos_;
    auto digits = [&] {
      std::size_t s = pos_;
      while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
      return pos_ - s;
    };
    if (digits() == 0) return Error("invalid number");
    if (pos_ < in_.size() && in_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Error("invalid number: digits expected after '.'");
    }
    if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Error("invalid number: digits expected in exponent");
    }
    Segment seg;
    seg.view = in_.substr(start, pos_ - start);
    seg.input_offset = base_ + start;
    seg.pointer = ptr;
    seg.line = line_no_;
    out_->push_back(std::move(seg));
    return Status::Ok();
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  Status ReadHex4(std::uint32_t* out) {
    if (pos_ + 4 > in_.size()) return Error("truncated \\u escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = Hex(in_[pos_ + i]);
      if (h < 0) return Error("invalid \\u escape");
      v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    pos_ += 4;
    *out = v;
    return Status::Ok();
  }

  // Parses a string starting at the opening quote. seg->text views the input
  // when there are no escapes; otherwise it views seg->owned with offsets.
  Status ParseString(Segment* seg) {
    const std::size_t open = pos_;
    ++pos_;
    const std::size_t start = pos_;
    // Fast path: find the closing quote with no backslash before it.
    while (pos_ < in_.size() && in_[pos_] != '"' && in_[pos_] != '\\') {
      if (static_cast<unsigned char>(in_[pos_]) < 0x20) {
        return Error("control character inside a string");
      }
      ++pos_;
    }
    if (pos_ >= in_.size()) {
      pos_ = open;
      return Error("unterminated string");
    }
    seg->input_offset = base_ + start;
    if (in_[pos_] == '"') {
      seg->view = in_.substr(start, pos_ - start);
      ++pos_;
      return Status::Ok();
    }
    // Slow path with escapes.
    std::string& out = seg->owned;
    auto& offs = seg->offsets;
    out.assign(in_.data() + start, pos_ - start);
    for (std::size_t i = 0; i < out.size(); ++i) offs.push_back(static_cast<std::uint32_t>(i));
    while (true) {
      if (pos_ >= in_.size()) {
        pos_ = open;
        return Error("unterminated string");
      }
      char c = in_[pos_];
      if (c == '"') break;
      const auto rel = static_cast<std::uint32_t>(pos_ - start);
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character inside a string");
      if (c != '\\') {
        out.push_back(c);
        offs.push_back(rel);
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= in_.size()) return Error("truncated escape");
      char e = in_[pos_++];
      std::size_t before = out.size();
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          std::uint32_t cp;
          if (Status s = ReadHex4(&cp); !s.ok()) return s;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t lo = 0;
            if (pos_ + 1 < in_.size() && in_[pos_] == '\\' && in_[pos_ + 1] == 'u') {
              pos_ += 2;
              if (Status s = ReadHex4(&lo); !s.ok()) return s;
            }
            if (lo < 0xDC00 || lo > 0xDFFF) return Error("unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Error("unpaired surrogate in \\u escape");
          }
          AppendUtf8(cp, &out);
          break;
        }
        default:
          --pos_;
          return Error("invalid escape sequence");
      }
      for (std::size_t k = before; k < out.size(); ++k) offs.push_back(rel);
    }
    offs.push_back(static_cast<std::uint32_t>(pos_ - start));
    ++pos_;
    seg->decoded = true;
    return Status::Ok();
  }

  Status ParseObject(const std::string& ptr, int depth) {
    ++pos_;
    SkipWs();
    if (pos_ < in_.size() && in_[pos_] == '}') {
      ++pos_;
      return Status::Ok();
    }
    while (true) {
      SkipWs();
      if (pos_ >= in_.size() || in_[pos_] != '"') return Error("expected a string key");
      Segment key;
      if (Status s = ParseString(&key); !s.ok()) return s;
      SkipWs();
      if (pos_ >= in_.size() || in_[pos_] != ':') return Error("expected ':' after key");
      ++pos_;
      if (Status s = ParseValue(ptr + "/" + JsonPointerEscape(key.text()), depth + 1); !s.ok()) {
        return s;
      }
      SkipWs();
      if (pos_ >= in_.size()) return Error("unexpected end of input, expected ',' or '}'");
      if (in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (in_[pos_] == '}') {
        ++pos_;
        return Status::Ok();
      }
      return Error("expected ',' or '}'");
    }
  }

  Status ParseArray(const std::string& ptr, int depth) {
    ++pos_;
    SkipWs();
    if (pos_ < in_.size() && in_[pos_] == ']') {
      ++pos_;
      return Status::Ok();
    }
    for (std::size_t index = 0;; ++index) {
      if (Status s = ParseValue(ptr + "/" + std::to_string(index), depth + 1); !s.ok()) return s;
      SkipWs();
      if (pos_ >= in_.size()) return Error("unexpected end of input, expected ',' or ']'");
      if (in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (in_[pos_] == ']') {
        ++pos_;
        return Status::Ok();
      }
      return Error("expected ',' or ']'");
    }
  }

  std::string_view in_;
  std::size_t base_;
  std::vector<Segment>* out_;
  std::string prefix_;
  std::size_t line_no_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<std::vector<Segment>> SplitJson(std::string_view input) {
  std::vector<Segment> out;
  JsonParser p(input, 0, &out, "", 0);
  if (Status s = p.ParseDocument(); !s.ok()) return s;
  return out;
}

Result<std::vector<Segment>> SplitJsonLines(std::string_view input) {
  std::vector<Segment> out;
  std::size_t pos = 0;
  std::size_t line = 0;
  while (pos < input.size()) {
    std::size_t nl = input.find('\n', pos);
    if (nl == std::string_view::npos) nl = input.size();
    ++line;
    std::string_view text = input.substr(pos, nl - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    bool blank = text.find_first_not_of(" \t") == std::string_view::npos;
    if (!blank) {
      JsonParser p(text, pos, &out, "", line);
      if (Status s = p.ParseDocument(); !s.ok()) return s;
    }
    pos = nl + 1;
  }
  return out;
}

Result<std::vector<Segment>> SplitCsv(std::string_view input) {
  std::vector<Segment> out;
  std::vector<std::string> header;
  std::size_t pos = 0;
  std::size_t line = 1;
  std::size_t record = 0;  // 0 = header
  // UTF-8 byte order mark, common in Excel-made exports.
  if (input.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  while (pos < input.size()) {
    const std::size_t record_line = line;
    std::vector<Segment> fields;
    bool end_of_record = false;
    while (!end_of_record) {
      Segment seg;
      if (pos < input.size() && input[pos] == '"') {
        const std::size_t open_line = line;
        ++pos;
        const std::size_t start = pos;
        bool escaped = false;
        std::size_t close = std::string_view::npos;
        for (std::size_t i = pos; i < input.size(); ++i) {
          if (input[i] == '\n') ++line;
          if (input[i] == '"') {
            if (i + 1 < input.size() && input[i + 1] == '"') {
              escaped = true;
              ++i;
              continue;
            }
            close = i;
            break;
          }
        }
        if (close == std::string_view::npos) {
          return Status::InvalidArgument("malformed CSV: quoted field opened at line " +
                                         std::to_string(open_line) + " is never closed");
        }
        seg.input_offset = start;
        if (!escaped) {
          seg.view = input.substr(start, close - start);
        } else {
          for (std::size_t i = start; i < close; ++i) {
            seg.offsets.push_back(static_cast<std::uint32_t>(i - start));
            seg.owned.push_back(input[i]);
            if (input[i] == '"') ++i;  // skip the doubled quote
          }
          seg.offsets.push_back(static_cast<std::uint32_t>(close - start));
          seg.decoded = true;
        }
        pos = close + 1;
        if (pos < input.size() && input[pos] != ',' && input[pos] != '\n' && input[pos] != '\r') {
          return Status::InvalidArgument("malformed CSV at line " + std::to_string(line) +
                                         ": unexpected character after a closing quote (byte " +
                                         std::to_string(pos) + ")");
        }
      } else {
        std::size_t end = pos;
        while (end < input.size() && input[end] != ',' && input[end] != '\n' && input[end] != '\r') {
          if (input[end] == '"') {
            return Status::InvalidArgument("malformed CSV at line " + std::to_string(line) +
                                           ": quote inside an unquoted field (byte " +
                                           std::to_string(end) + ")");
          }
          ++end;
        }
        seg.input_offset = pos;
        seg.view = input.substr(pos, end - pos);
        pos = end;
      }
      fields.push_back(std::move(seg));
      if (pos >= input.size()) {
        end_of_record = true;
      } else if (input[pos] == ',') {
        ++pos;
      } else {
        if (input[pos] == '\r') ++pos;
        if (pos < input.size() && input[pos] == '\n') ++pos;
        ++line;
        end_of_record = true;
      }
    }
    if (record == 0) {
      for (auto& f : fields) header.emplace_back(f.text());
      if (header.empty() || (header.size() == 1 && header[0].empty())) {
        return Status::InvalidArgument("malformed CSV: empty header row");
      }
    } else {
      bool blank = fields.size() == 1 && fields[0].text().empty();
      if (blank) {
        ++record;
        continue;
      }
      if (fields.size() != header.size()) {
        return Status::InvalidArgument(
            "malformed CSV at line " + std::to_string(record_line) + ": record has " +
            std::to_string(fields.size()) + " fields, the header has " +
            std::to_string(header.size()));
      }
      for (std::size_t c = 0; c < fields.size(); ++c) {
        if (fields[c].text().empty()) continue;
        fields[c].row = record;
        fields[c].line = record_line;
        fields[c].column = header[c];
        out.push_back(std::move(fields[c]));
      }
    }
    ++record;
  }
  if (record == 0) return Status::InvalidArgument("malformed CSV: no header row");
  return out;
}

}  // namespace airlock::detect
