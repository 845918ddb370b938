// JSON records embedded in free text: a prompt that carries a CRM record
// ("Summarise this contact: {"attributes": {"type": "Contact"},
// "LastName": "Tamm", "MailingStreet": "Allika 46"}").
//
// Analyze sees the record as text: a value whose pattern needs a context
// word finds it in the key next to it, but a value that only its field name
// gives away ("Tamm" under LastName, "Allika 46" under MailingStreet) is
// missed. EmbeddedFieldFindings finds the JSON objects and arrays in a text,
// walks their values with the key of each, and runs the detectors that list
// that key in `fields` (Analyzer::PrepareField) on the value.
//
// Thread-safety: free functions over an immutable Analyzer.
#pragma once

#include <string_view>
#include <vector>

#include "airlock/core/status.h"
#include "airlock/detect/analyzer.h"
#include "airlock/detect/finding.h"

namespace airlock::detect {

// The findings of field detectors on the values of JSON records inside
// `text`, spans in `text`'s byte offsets. A candidate record starts at '{'
// or '[' followed (after white space) by '"', '{' or '['; it must parse as
// JSON whole (SplitJson), else it is skipped. At most kMaxEmbeddedAttempts
// candidates are parsed per text, so that prose full of braces costs linear
// time. Empty when the catalog has no field detectors.
inline constexpr int kMaxEmbeddedAttempts = 16;
Result<std::vector<Finding>> EmbeddedFieldFindings(const Analyzer& analyzer, std::string_view text);

// Adds `extra` to `found` (sorted by span start, no overlaps) keeping it so:
// an extra finding inside or equal to one already there is dropped; one that
// covers every finding it overlaps replaces them (the larger span wins, as in
// the analyzer); one that overlaps a finding only in part is dropped.
void MergeFindings(std::vector<Finding>* found, std::vector<Finding> extra);

}  // namespace airlock::detect
