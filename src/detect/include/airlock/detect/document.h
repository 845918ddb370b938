// Structured inputs: JSON, JSON Lines and CSV split into Segments that the
// analyzer scans one by one, each mapped back to byte offsets of the input.
//
// A Segment's text() is either a view of the input (no escapes to resolve) or a
// decoded copy with an offset map. Findings in a segment are reported at
// input byte offsets through Segment::ToInputSpan, plus a location a person
// understands: a JSON Pointer (RFC 6901), or a CSV row and column.
//
// Parse errors say where (line, column, byte offset) and what was expected;
// they never quote the input.
//
// Thread-safety: free functions over immutable input; Segments hold views
// into the input, which must outlive them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/bytes.h"
#include "airlock/core/status.h"

namespace airlock::detect {

struct Segment {
  std::string_view view;   // verbatim slice of the input (when !decoded)
  std::string owned;       // decoded text (when decoded)
  bool decoded = false;
  // What to analyse. (A view into `owned` would dangle when a Segment moves,
  // hence the accessor.)
  std::string_view text() const { return decoded ? std::string_view(owned) : view; }
  std::size_t input_offset = 0;  // where the segment's raw form starts in the input
  // Empty when `text` is a verbatim slice of the input at input_offset.
  // Otherwise offsets[i] is the input offset (relative to input_offset) of the
  // raw source of decoded byte i; it has text.size() + 1 entries.
  std::vector<std::uint32_t> offsets;

  std::string pointer;      // JSON / JSONL: RFC 6901 pointer of the value
  std::size_t line = 0;     // JSONL: 1-based line; CSV: 1-based line of the record
  std::size_t row = 0;      // CSV: 1-based data row (the header is row 0)
  std::string column;       // CSV: the header's name for the column

  ByteSpan ToInputSpan(ByteSpan in_segment) const;
};

// Parses one JSON document (RFC 8259). Every string value and every number
// becomes a Segment (numbers: a card number stored as a number is still a
// card number); object keys are not scanned. Nesting deeper than 512 levels
// is rejected.
Result<std::vector<Segment>> SplitJson(std::string_view input);

// One JSON document per non-empty line; pointers are prefixed with the line
// ("/3/email" is the e-mail of line 3... see Segment::line).
Result<std::vector<Segment>> SplitJsonLines(std::string_view input);

// RFC 4180 CSV with a header row (Salesforce Data Loader and Bulk API
// exports): quoted fields, doubled quotes, CRLF or LF, embedded newlines.
// A record whose field count differs from the header's is an error.
Result<std::vector<Segment>> SplitCsv(std::string_view input);

// RFC 6901 escaping of one reference token.
std::string JsonPointerEscape(std::string_view token);

}  // namespace airlock::detect
