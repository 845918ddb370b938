// The analyzer's evasion views (see "Evasion resistance" in analyzer.h): the
// normalised text, the spaced-out runs joined, and decoded segments,
// recursively. Kept apart from analyzer.cc, which hands in its one-text scan
// as a callback.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"
#include "airlock/detect/finding.h"

namespace airlock::detect::internal {

// Steps 1-4 of Analyze over one text: its findings (spans into that text),
// before overlap resolution. spaced_only: only detectors with `spaced`.
using ViewScan =
    std::function<Status(std::string_view text, bool spaced_only, std::vector<Finding>* out)>;

struct EvasionLimits {
  unsigned max_depth = 3;
  // Decoded bytes allowed per window, across depths: twice the window + 4 KiB.
  // Texts longer than window_bytes are processed in line-aligned windows
  // overlapping by min(4 KiB, window / 4), so that the views' offset maps
  // (8 bytes per byte) stay bounded; a value or encoded segment longer than
  // the overlap that straddles two windows is seen only in the raw scan.
  std::size_t window_bytes = 1 << 20;
};

// Appends to `found` the findings of the views of `input` other than the raw
// one (which the caller scans itself), with spans in input offsets and the
// evasion fields of Finding set. `signals` is EvasionSignals(input).
Status ScanEvasionViews(std::string_view input, unsigned signals, const EvasionLimits& limits,
                        const ViewScan& scan, std::vector<Finding>* found);

// Marks the findings with the same span and detector as an earlier one, so
// that the rawest view's finding is the one kept.
std::vector<char> DuplicateFlags(const std::vector<Finding>& found);

}  // namespace airlock::detect::internal
