// Made-up identifiers for the corpus generator, with valid checksums where the
// real ones have them (Luhn for cards, ISO 7064 mod 97-10 for IBANs, the
// case-bit suffix of 18-character Salesforce ids). None refers to a real
// person, account or card: names come from short built-in lists, IBAN bank
// codes and card numbers are random apart from their check digits.
//
// Thread-safety: an Rng is a plain value; share none between threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace airlock::bench {

// SplitMix64: tiny, fast, and the same output everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). REQUIRES: n > 0. The modulo bias is irrelevant here.
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }
  // Uniform in [lo, hi].
  std::int64_t Between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }

 private:
  std::uint64_t state_;
};

enum class Lang { kEn, kDe, kFr };

// Check digits, exposed for tests of the generator itself.
int LuhnCheckDigit(std::string_view digits_without_check);
// Two IBAN check digits for country code `cc` and the BBAN.
std::string IbanCheckDigits(std::string_view cc, std::string_view bban);
// The three-character suffix that turns a 15-character Salesforce id into
// the 18-character, case-insensitive form.
std::string SalesforceIdSuffix(std::string_view id15);

std::string Digits(Rng& rng, int n);

// Identifiers. Each returns the value formatted as people write it, with the
// separators varying by `rng` and `lang`.
std::string CardNumber(Rng& rng);
std::string Iban(Rng& rng, Lang lang);
std::string Phone(Rng& rng, Lang lang);
std::string Email(Rng& rng, std::string_view given, std::string_view surname,
                  std::string_view company);
std::string Date(Rng& rng, Lang lang);
std::string Amount(Rng& rng, Lang lang);
std::string OrderNumber(Rng& rng);
std::string SalesforceId(Rng& rng, std::string_view key_prefix);  // 18 chars
std::string Ipv4(Rng& rng);
std::string VatNumber(Rng& rng, Lang lang);
std::string PostalAddress(Rng& rng, Lang lang);

// Names and companies, from small built-in lists per language.
std::string_view GivenName(Rng& rng, Lang lang);
std::string_view Surname(Rng& rng, Lang lang);
std::string_view Company(Rng& rng);
std::string_view City(Rng& rng, Lang lang);
std::string_view Product(Rng& rng);

}  // namespace airlock::bench
