// Placeholder table; the family's validators are added here.
#include "internal/validator_table.h"

namespace airlock::detect::internal {

std::span<const ValidatorEntry> ContactValidators() { return {}; }

}  // namespace airlock::detect::internal
