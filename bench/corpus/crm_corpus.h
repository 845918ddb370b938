// Synthetic CRM text for throughput benchmarks.
//
//   std::string prose = GenerateCorpus(Profile::kProseHeavy, 8 << 20).text;
//   std::string dense = GenerateCorpus(Profile::kDigitDense, 8 << 20).text;
//
// The text looks like what a legal or HR team keeps in a CRM: case notes,
// e-mails with signatures, contract clauses, JSON records shaped like the
// Salesforce REST API, and CSV rows shaped like a Data Loader export, in
// English, German and French. All people, companies and numbers are made up;
// identifiers that carry a checksum (card numbers, IBANs, 18-character
// Salesforce ids) are generated with a valid one, so validators do real work.
//
// Deterministic: the same (profile, bytes, seed) gives the same bytes on every
// platform and compiler (the generator uses its own PRNG, not <random>'s
// distributions, whose output is implementation-defined). This matters
// because the JavaScript comparison reads the corpus that airlock-bench wrote
// (`airlock-bench --write-corpus DIR`), and because numbers from different
// runs must be about the same text.
//
// Thread-safety: GenerateCorpus is a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace airlock::bench {

enum class Profile {
  // Mostly sentences: case notes, e-mails and clauses, with a name, an e-mail
  // address or a date here and there. Roughly 1-2 % of bytes are digits.
  kProseHeavy,
  // Mostly records and figures: JSON and CSV exports, invoices, payment notes
  // full of amounts, dates, order numbers, phone numbers, IBANs and cards.
  // Roughly a quarter of the bytes are digits.
  kDigitDense,
};

// "prose" or "digits": used in benchmark names and corpus file names.
std::string_view ProfileName(Profile p);

struct Corpus {
  std::string text;            // UTF-8; documents separated by a blank line
  std::size_t documents = 0;   // documents (notes, mails, records...) in text
  std::size_t identifiers = 0; // synthetic identifiers planted (names excluded)
};

inline constexpr std::uint64_t kDefaultCorpusSeed = 20240611;

// Generates at most `bytes` bytes of text (short by less than one document)
// that ends at a line boundary, so it never splits a UTF-8 sequence.
Corpus GenerateCorpus(Profile profile, std::size_t bytes,
                      std::uint64_t seed = kDefaultCorpusSeed);

}  // namespace airlock::bench
