// The checksum family: payment identifiers (checksum_payment.cc) and
// national identifiers and VAT numbers (checksum_ids.cc), in one table.
#include <vector>

#include "internal/validator_table.h"

namespace airlock::detect::internal {

// Defined in checksum_payment.cc and checksum_ids.cc.
std::span<const ValidatorEntry> PaymentValidators();
std::span<const ValidatorEntry> NationalIdValidators();

std::span<const ValidatorEntry> ChecksumValidators() {
  static const std::vector<ValidatorEntry> table = [] {
    std::vector<ValidatorEntry> all;
    for (auto part : {PaymentValidators(), NationalIdValidators()}) {
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }();
  return table;
}

}  // namespace airlock::detect::internal
