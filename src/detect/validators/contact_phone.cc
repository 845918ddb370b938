// Phone number validators, backed by libphonenumber.
//
// `phone` accepts a candidate only when libphonenumber calls it a valid
// number (IsValidNumber: the number plan of the region is known and the
// number falls in an allocated range), not merely a possible one.
// IsPossibleNumber checks length only, and almost any run of 7-12 digits
// (order numbers, amounts, dates without separators) has a possible length
// somewhere.
//
// Numbers with a country code (+CC or 00CC) are parsed on their own. Numbers
// in national format are tried in the caller's default region first, then
// in a short list of fallback regions. The fallback exists because CRM data
// in an EU deployment routinely holds US and UK contacts written nationally
// ("(602) 272-9781", "07700 900123"); the list is kept short because each
// region added makes more random digit runs valid somewhere.
//
// `phone_shape` is the weaker check for the context-gated detector: a
// plausible digit count and separators that look like a phone number rather
// than a date, time, amount or version. It is only used by a detector that
// requires a phone context word ("tel", "phone", "mobile", ...).
//
// libphonenumber's Parse and IsValidNumber run ICU regular expressions, tens
// of microseconds a number. Plain candidates (digits, '+', " -.()/") are
// answered by DecidePhoneFast (phone_fast.h), an exact replay of those two
// calls on libphonenumber's metadata; the rest still go to libphonenumber.
#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <optional>
#include <cctype>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "airlock/detect/validators.h"
#include "validators/phone_fast.h"

namespace airlock::detect::internal {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Tried after the default region for numbers without a country code.
constexpr std::array<const char*, 4> kFallbackRegions = {"US", "GB", "FR", "DE"};

struct DigitShape {
  int digits = 0;       // digits before any extension marker
  int groups = 0;       // digit runs before any extension marker
  int max_group = 0;    // longest digit run
  bool plus = false;    // leading '+'
  bool bad_char = false;
};

// Counts digits and digit groups up to an extension marker ("x", "ext").
DigitShape ShapeOf(std::string_view s) {
  DigitShape shape;
  int run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      ++shape.digits;
      ++run;
      if (run > shape.max_group) shape.max_group = run;
      continue;
    }
    if (run > 0) ++shape.groups;
    run = 0;
    if (c == '+' && i == 0) {
      shape.plus = true;
    } else if (c == 'x' || c == 'X' || c == 'e' || c == 'E' || c == '#') {
      return shape;  // extension follows
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/' &&
               c != '\t') {
      shape.bad_char = true;
    }
  }
  if (run > 0) ++shape.groups;
  return shape;
}

// Digit-group lengths, in order, up to an extension marker.
std::vector<int> GroupLengths(std::string_view s) {
  std::vector<int> groups;
  int run = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      ++run;
      continue;
    }
    if (run > 0) groups.push_back(run);
    run = 0;
    if (c == 'x' || c == 'X' || c == 'e' || c == 'E' || c == '#') return groups;
  }
  if (run > 0) groups.push_back(run);
  return groups;
}

// Shapes that are digit-dense but not phone numbers: an ISO date followed by
// a time ("2000-04-16 11"), a US SSN ("123-45-6789"), a grouped amount
// ("1.234.567").
bool LooksLikeOtherNumber(std::string_view s) {
  std::vector<int> g = GroupLengths(s);
  if (g.size() >= 3 && g[0] == 4 && g[1] == 2 && g[2] == 2 && s.size() > 7 && s[4] == '-' &&
      s[7] == '-') {
    return true;
  }
  if (g.size() == 3 && g[0] == 3 && g[1] == 2 && g[2] == 4 && s.find('(') == std::string_view::npos) {
    return true;
  }
  if (g.size() >= 3 && g[0] <= 3 && s.find('.') != std::string_view::npos) {
    bool thousands = true;
    for (std::size_t i = 1; i < g.size(); ++i) thousands = thousands && g[i] == 3;
    if (thousands) return true;
  }
  return false;
}

bool LooksLikeDate(std::string_view s) {
  // d.m.yyyy, yyyy-mm-dd, dd/mm/yy: three groups with 1-2 / 1-2 / 2 or 4
  // digits (or 4 / 2 / 2) separated by the same '.', '/' or '-'.
  int groups[3] = {0, 0, 0};
  int g = 0;
  char sep = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      if (g > 2) return false;
      ++groups[g];
    } else if (c == '.' || c == '/' || c == '-') {
      if (sep != 0 && c != sep) return false;
      sep = c;
      ++g;
    } else {
      return false;
    }
  }
  if (g != 2) return false;
  bool dmy = groups[0] <= 2 && groups[1] <= 2 && (groups[2] == 2 || groups[2] == 4);
  bool ymd = groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2;
  return dmy || ymd;
}

std::string Trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// True when `text` starts (after punctuation) with `prefix`'s digits.
bool StartsWithDigits(const std::string& text, const std::string& prefix) {
  std::size_t p = 0;
  for (char c : text) {
    if (p == prefix.size()) break;
    if (c < '0' || c > '9') continue;
    if (c != prefix[p]) return false;
    ++p;
  }
  return p == prefix.size();
}

// Cheap necessary conditions for a national number of `region` to be valid,
// checked before libphonenumber (whose Parse runs several ICU regular
// expressions: it was most of the analyzer's time on digit-dense text).
// `digits` counts the digits before any extension, `first`/`second` are the
// first two. Only regions whose rules are known here are checked; for any
// other region this returns true and libphonenumber decides.
bool PlausibleNational(std::string_view region, int digits, char first, char second) {
  if (region == "US" || region == "CA") {
    // NANP: ten digits, area code [2-9]xx, optionally after the "1" trunk
    // prefix; "011" is the international call prefix (011 49 30 ...).
    if (digits == 10) return first >= '2';
    if (digits == 11) return first == '1' && second >= '2';
    return first == '0' && second == '1' && digits >= 10;
  }
  if (region == "FR") return first == '0' && digits == 10;  // 0X XX XX XX XX
  if (region == "GB") return first == '0' && digits >= 8 && digits <= 11;
  if (region == "DE" || region == "AT") return first == '0' && digits >= 6 && digits <= 15;
  return true;
}

// For a number written nationally: in regions with a trunk prefix other than
// NANP's "1" (DE, FR, GB, NL, AT, ...), a complete national number starts
// with it ("030 ...", "06 ..."). Without it, libphonenumber still accepts
// many digit runs as subscriber numbers, and those are mostly not phones.
bool ValidIn(const PhoneNumberUtil& util, const std::string& text, const std::string& region,
             bool fast, std::string* found_region) {
  PhoneNumber number;
  if (region != "ZZ" && region != "US" && region != "CA" && region != "FR" && region != "GB" &&
      region != "DE" && region != "AT") {
    // Regions PlausibleNational does not know: ask libphonenumber for the
    // trunk prefix.
    std::string ndd;
    util.GetNddPrefixForRegion(region, true, &ndd);
    if (!ndd.empty() && ndd != "1" && !StartsWithDigits(text, ndd)) return false;
  }
  if (fast) {
    if (std::optional<PhoneDecision> d = DecidePhoneFast(text, region)) {
      *found_region = std::move(d->region);
      return d->valid;
    }
  }
  if (util.Parse(text, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  if (!util.IsValidNumber(number)) return false;
  util.GetRegionCodeForNumber(number, found_region);
  return true;
}

// A decimal amount ("1234.56", "0815.99"): two digit groups joined by one
// '.' or ',' with two digits after it.
bool LooksLikeDecimal(std::string_view s, const DigitShape& shape) {
  if (shape.groups != 2) return false;
  std::size_t sep = s.find_first_of(".,");
  return sep != std::string_view::npos && sep + 3 == s.size() &&
         s.find_first_of(" -/()") == std::string_view::npos;
}

ValidationResult ValidatePhoneUncached(std::string text, const ValidationContext& ctx, bool fast) {
  ValidationResult result;
  DigitShape shape = ShapeOf(text);
  // Cheap rejections first, in order of cost: letters glued in, digit
  // counts no phone number has (card numbers, IBAN tails, long ids), then
  // dates, times, amounts and other grouped numbers.
  if (shape.bad_char || shape.digits < 6 || shape.digits > 17) return result;
  bool international = shape.plus;
  if (text.size() > 2 && text[0] == '0' && text[1] == '0') {
    international = true;
  } else if (text.size() > 3 && text[0] == '(' && text[1] == '0' && text[2] == '0') {
    international = true;
  }
  // E.164 caps a number at 15 digits with the country code; "00" adds two.
  // Written nationally, the longest numbers in use are 13 digits with the
  // trunk prefix; a longer run is a card number, an IBAN tail or an id.
  // Seven digits with the trunk prefix is the shortest number written in
  // practice ("030 1234"); six-digit candidates are amounts ("060 072" of
  // "2 060 072,81") and month/year pairs ("09/2021").
  if (!international && (shape.digits < 7 || shape.digits > 13)) return result;
  if (shape.plus && shape.digits > 15) return result;
  if (LooksLikeDecimal(text, shape)) return result;
  if (LooksLikeDate(text) || LooksLikeOtherNumber(text)) return result;

  char first = 0;
  char second = 0;
  for (char c : text) {
    if (c < '0' || c > '9') continue;
    if (first == 0) {
      first = c;
    } else {
      second = c;
      break;
    }
  }
  if (!international) {
    bool any = PlausibleNational(ctx.default_region, shape.digits, first, second);
    for (const char* fallback : kFallbackRegions) {
      if (any) break;
      any = PlausibleNational(fallback, shape.digits, first, second);
    }
    if (!any) return result;
  }

  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  if (international && text[0] == '0') {
    text = "+" + text.substr(2);
  } else if (international && text[0] == '(') {
    text = "+" + text.substr(3);
  }
  std::string region;
  if (international) {
    result.valid = ValidIn(util, text, "ZZ", fast, &region);
  } else {
    if (PlausibleNational(ctx.default_region, shape.digits, first, second)) {
      result.valid = ValidIn(util, text, ctx.default_region, fast, &region);
    }
    for (const char* fallback : kFallbackRegions) {
      if (result.valid) break;
      if (ctx.default_region == fallback) continue;
      if (!PlausibleNational(fallback, shape.digits, first, second)) continue;
      result.valid = ValidIn(util, text, fallback, fast, &region);
    }
  }
  if (result.valid) result.detail = region;
  return result;
}

// The answers of ValidatePhoneUncached for recent candidates, per thread.
// A libphonenumber parse costs tens of microseconds, and the same number
// recurs: a contact's phone in every record of an export, a conversation
// resent whole with each chat turn, and the analyzer trying the same digits
// for several phone detectors. The answer depends only on the trimmed text
// and the default region, so the cache changes no result. It is cleared
// when full (a bound on memory; no eviction order to maintain).
class PhoneCache {
 public:
  static PhoneCache& ForThread() {
    thread_local PhoneCache cache;
    return cache;
  }
  ValidationResult Validate(std::string text, const ValidationContext& ctx) {
    key_.assign(ctx.default_region).push_back('\0');
    key_.append(text);
    if (auto it = answers_.find(key_); it != answers_.end()) return it->second;
    ValidationResult r = ValidatePhoneUncached(std::move(text), ctx, /*fast=*/true);
    if (answers_.size() >= kMaxEntries) answers_.clear();
    answers_.emplace(key_, r);
    return r;
  }

 private:
  static constexpr std::size_t kMaxEntries = 4096;
  std::string key_;
  std::unordered_map<std::string, ValidationResult> answers_;
};

}  // namespace

ValidationResult ValidatePhone(std::string_view candidate, const ValidationContext& ctx) {
  std::string text = Trim(candidate);
  DigitShape shape = ShapeOf(text);
  // Candidates that the first checks reject are not worth a cache entry.
  if (shape.bad_char || shape.digits < 6 || shape.digits > 17) return {};
  return PhoneCache::ForThread().Validate(std::move(text), ctx);
}

ValidationResult ValidatePhoneUncachedForTest(std::string_view candidate,
                                              const ValidationContext& ctx, bool fast) {
  std::string text = Trim(candidate);
  DigitShape shape = ShapeOf(text);
  if (shape.bad_char || shape.digits < 6 || shape.digits > 17) return {};
  return ValidatePhoneUncached(std::move(text), ctx, fast);
}

ValidationResult ValidatePhoneShape(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  std::string text = Trim(candidate);
  DigitShape shape = ShapeOf(text);
  if (shape.bad_char || shape.digits < 7 || shape.digits > 15) return result;
  if (LooksLikeDate(text) || LooksLikeOtherNumber(text)) return result;
  // A single unbroken run of 11+ digits is more often an account or order
  // number than a phone number written by a person.
  if (shape.groups == 1 && shape.digits > 10 && !shape.plus) return result;
  // All digits the same ("0000000") is filler, not a number.
  char first = 0;
  bool all_same = true;
  for (char c : text) {
    if (c < '0' || c > '9') continue;
    if (first == 0) first = c;
    if (c != first) all_same = false;
  }
  if (all_same) return result;
  result.valid = true;
  return result;
}

}  // namespace airlock::detect::internal

namespace airlock::detect {

std::size_t WarmUpPhoneValidation(std::string_view default_region, const std::function<bool()>& stop) {
  // The EEA, then the other regions CRM text in Europe names most often.
  static constexpr const char* kCommon[] = {
      "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IE", "IT", "LV",
      "LI", "LT", "LU", "MT", "NL", "NO", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "CH", "US"};
  std::vector<std::string> regions;
  if (!default_region.empty()) regions.emplace_back(default_region);
  for (const char* r : kCommon)
    if (r != default_region) regions.emplace_back(r);
  return internal::PreparePhoneRegions(regions, stop);
}

}  // namespace airlock::detect
