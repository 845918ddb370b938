// A fast, exact stand-in for libphonenumber's Parse + IsValidNumber on the
// plain phone candidates the `phone` validator sees most: a leading '+' or
// not, ASCII digits, and the separators " -.()/".
//
// libphonenumber answers through ICU regular expressions (tens of
// microseconds a number: the parse alone runs several, the validity check
// one per number type). Most candidates of digit-dense text are valid
// numbers, so a prefilter that only rejects cannot save that time. Instead,
// this replays the steps of PhoneNumberUtil::ParseHelper and
// GetNumberTypeHelper (libphonenumber 8.12) on libphonenumber's own metadata
// (the serialized PhoneMetadataCollection it exports), with the metadata's
// patterns compiled by vectorscan, once per region and process.
//
// It answers only where the replay is exact and declines otherwise, and the
// caller then asks libphonenumber:
//   - any other character in the candidate (extensions "x"/"ext"/"#",
//     letters, tabs, non-ASCII), or more than 250 bytes;
//   - a region whose national prefix for parsing is a regular expression
//     rather than a digit literal, or that has a national prefix transform
//     rule (carrier codes, AR/BR/MX-style rewrites);
//   - a national-format candidate whose digits may start with the region's
//     international call prefix ("00", "011", ...);
//   - a country code prefix that names no region, a pattern vectorscan does
//     not compile, and the other rare parse errors.
// tests/detect/phone_fast_test.cc compares the answers with libphonenumber's
// on real and on generated candidates.
//
// Thread-safe: the tables are built once (std::call_once), each region's
// pattern database on its first use.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/detect/validators.h"

namespace airlock::detect::internal {

struct PhoneDecision {
  bool valid = false;
  // libphonenumber's GetRegionCodeForNumber when valid ("DE", "001" for
  // non-geographic numbers); empty otherwise.
  std::string region;
};

// What PhoneNumberUtil::Parse(text, region) followed by IsValidNumber and
// GetRegionCodeForNumber would say, or nullopt when this cannot tell exactly
// (see above). `region` is a default region ("DE") or "ZZ" for a number
// with a leading '+'.
std::optional<PhoneDecision> DecidePhoneFast(std::string_view text, std::string_view region);

// Compiles the tables of `regions` (ISO 3166 alpha-2) now instead of on
// their first number (3-40 ms each), in order, checking `stop` before each;
// unknown regions are skipped. Returns how many are ready.
std::size_t PreparePhoneRegions(const std::vector<std::string>& regions, const std::function<bool()>& stop);
// Whether `region`'s tables are compiled (for tests).
bool PhoneRegionPrepared(std::string_view region);

// ValidatePhone without its per-thread answer cache. With `fast` false,
// every number goes to libphonenumber (the path before DecidePhoneFast);
// the differential test and the benchmark compare the two.
ValidationResult ValidatePhoneUncachedForTest(std::string_view candidate,
                                              const ValidationContext& ctx, bool fast);

}  // namespace airlock::detect::internal
