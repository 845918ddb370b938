// Span expanders: C++ hooks named by a detector's `expander:` field.
#pragma once

#include <string_view>

#include "airlock/core/bytes.h"

namespace airlock::detect::internal {

// Widens or trims a candidate span for detectors with `expander:`; returns
// false to drop it. `text` is the whole analysed text. Unknown names return
// true unchanged.
bool ExpandSpan(std::string_view expander, std::string_view text, ByteSpan* span);

// Whether `expander` names an expander; the analyzer rejects a catalog that
// names an unknown one.
bool IsKnownExpander(std::string_view expander);

}  // namespace airlock::detect::internal
