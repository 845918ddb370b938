// Finding: one piece of sensitive data the analyzer found.
//
// A Finding points at bytes of the caller's input by span; it never copies the
// matched value. Code that needs to show a finding to a person uses
// MaskedPreview(); the raw value is only reachable by slicing the input, which
// the CLI does only under --show-values.
#pragma once

#include <string>
#include <string_view>

#include "airlock/core/bytes.h"

namespace airlock::detect {

// What kind of data a finding is, for policy. Mirrors the catalog's
// `data_class` field.
enum class DataClass {
  kPersonal,          // names, addresses, dates of birth
  kSpecialCategory,   // GDPR Art. 9: health, religion, union membership, ...
  kFinancial,         // cards, IBANs, account numbers
  kGovernmentId,      // national identifiers, tax ids, passports
  kContact,           // e-mail, phone
  kCredential,        // secrets, keys, tokens
  kConfidential,      // classification labels, privileged material, IP
  kTechnical,         // IP addresses, record ids: identifying in context
};

std::string_view DataClassName(DataClass c);
// Returns false when `name` is not a known data class.
bool ParseDataClass(std::string_view name, DataClass* out);

struct Finding {
  std::string detector;     // catalog id, e.g. "iban"
  std::string entity_type;  // e.g. "IBAN_CODE"
  DataClass data_class = DataClass::kPersonal;
  std::string jurisdiction;  // ISO 3166 alpha-2, "EU", or "INTL"
  ByteSpan span;             // into the analysed text
  double score = 0;          // 0..1
  bool validated = false;    // a checksum / structural validator accepted it
  // Why it was reported: pattern, validator outcome, context words seen.
  // Holds detector metadata only, never input text.
  std::string explanation;
  // Extra, value-free facts a validator derived (e.g. phone region "DE").
  std::string detail;

  // Evasion resistance (normalizer.h, decoders.h). A finding made on the raw
  // bytes has normalized == false and an empty encoding; `span` is always in
  // input offsets.
  // Found in a derived text: normalised (NFKC, zero-width characters,
  // homoglyphs, escapes, ...), spaced-out characters joined, or decoded.
  bool normalized = false;
  // Decoders that revealed it, outermost first: "base64", "base64>hex",
  // "qp>base64url". Empty when no decoder was involved.
  std::string encoding;
  // With `encoding`: the outermost encoded segment, in input offsets. `span`
  // is then the part of it that encodes the value.
  ByteSpan encoded_span;
  // With `normalized`: MaskedPreview of the value as the detector saw it (the
  // input bytes at `span` may be base64 or escapes).
  std::string matched_preview;
};

// A preview that keeps the shape but hides the value: separators stay; cards
// and IBANs show their first four and last two alphanumerics ("DE89 ****
// **** **** **** 00"), as their industries do; other values of 12+
// alphanumerics the first and last two, of 8-11 one each, shorter ones none;
// names keep each word's first letter ("J*** S****").
std::string MaskedPreview(std::string_view value, std::string_view entity_type);

}  // namespace airlock::detect
