// Validator tables: each family of validators lives in its own file under
// validators/ and exports one table; registry.cc concatenates them. Tables are
// plain arrays (not static self-registration) so the linker cannot drop them
// from a static library.
#pragma once

#include <cstddef>
#include <span>

#include "airlock/detect/validators.h"

namespace airlock::detect::internal {

struct ValidatorEntry {
  const char* name;
  ValidatorFn fn;
};

// validators/checksum_*.cc: payment cards, IBAN, BIC, VAT, national ids.
std::span<const ValidatorEntry> ChecksumValidators();
// validators/contact.cc: e-mail, phone (libphonenumber), IP, dates, postcodes,
// Salesforce ids.
std::span<const ValidatorEntry> ContactValidators();
// validators/names.cc: person names.
std::span<const ValidatorEntry> NameValidators();
// validators/secrets*.cc: credentials (tokens, keys, JWTs, secret assignments).
std::span<const ValidatorEntry> SecretValidators();
// validators/source_code.cc: source code and configuration blocks.
std::span<const ValidatorEntry> SourceCodeValidators();

}  // namespace airlock::detect::internal
