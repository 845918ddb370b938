// Fingerprints: how the trail remembers a detected value without holding it.
//
//   fingerprint = HMAC-SHA256(key, entity_type || 0x00 || Normalise(value))
//
// The key (keys.h) stays outside the trail, so the trail alone cannot be used
// to confirm guesses. The same value written differently ("DE89 3704 ..." vs
// "DE893704...", "Alice@Example.org" vs "alice@example.org") must give the
// same fingerprint, so values are normalised per entity type first:
//
//   EMAIL_ADDRESS        trimmed, lower-cased
//   IBAN_CODE, VAT_ID,   spaces, dots and hyphens removed, upper-cased
//   SWIFT_CODE, *_ID ...
//   PHONE_NUMBER         digits only, with a leading '+' kept; a leading "00"
//                        becomes '+'
//   CREDIT_CARD, US_SSN  digits only
//   IP_ADDRESS           trimmed, lower-cased
//   anything else        trimmed, runs of white space become one space
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "airlock/audit/event.h"
#include "airlock/audit/keys.h"

namespace airlock::audit {

std::string Normalise(std::string_view entity_type, std::string_view value);

// REQUIRES: `normalised` is Normalise(entity_type, value).
ValueFingerprint Fingerprint(const HmacKey& key, std::string_view entity_type,
                             std::string_view normalised);

// Normalise + Fingerprint.
ValueFingerprint FingerprintValue(const HmacKey& key, std::string_view entity_type,
                                  std::string_view value);

}  // namespace airlock::audit
