// Validators: the checks that turn a pattern match into a validated finding.
//
// A validator receives the exact bytes a detector pattern matched (separators
// such as spaces, dashes, dots and slashes included) and decides whether they
// form a valid identifier of its kind. A validator's answer depends on the
// candidate's bytes alone (some keep per-thread caches keyed by content), so
// validators are safe to call from any thread.
//
// The catalog names validators by string (`validator: iban`); the registry
// below maps names to functions. Adding a validator = one function + one line
// in the registry (validators/registry.cc).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::detect {

struct ValidationContext {
  // Region (ISO 3166 alpha-2) for phone numbers written without a country code.
  std::string default_region = "DE";
};

struct ValidationResult {
  bool valid = false;
  // Optional value-free detail, e.g. the region of a phone number ("FR") or
  // the country of an IBAN. Never the value itself.
  std::string detail;
};

using ValidatorFn = ValidationResult (*)(std::string_view candidate, const ValidationContext& ctx);

// nullptr when no validator has this name.
ValidatorFn FindValidator(std::string_view name);
std::vector<std::string> ValidatorNames();

// The `phone` validator compiles libphonenumber's patterns of a region on
// the first number of that region it sees (a few to tens of milliseconds,
// once per process). This compiles them now: `default_region` first, then
// the EEA countries, GB, CH and US, checking `stop` before each. Returns how
// many regions are ready. `airlock serve` runs it on a background thread at
// start, so that early requests do not pay for it.
std::size_t WarmUpPhoneValidation(std::string_view default_region, const std::function<bool()>& stop = {});

// Helpers shared by validators.
// Keeps only ASCII digits.
std::string DigitsOnly(std::string_view s);
// Keeps ASCII letters and digits, letters upper-cased.
std::string AlnumUpper(std::string_view s);
// True when every byte of `s` is an ASCII letter or digit or one of `seps`.
bool OnlyAlnumAnd(std::string_view s, std::string_view seps);
// True when every byte of `s` equals the first ("0000000000").
bool AllSame(std::string_view s);
// Luhn (mod 10) over a string of ASCII digits.
bool LuhnValid(std::string_view digits);
// ISO 7064 mod 97-10 over an alphanumeric string (letters A=10..Z=35).
bool Mod97Valid(std::string_view alnum);

}  // namespace airlock::detect
