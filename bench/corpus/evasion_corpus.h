// A corpus with heavy Unicode and encoded segments, for the evasion-resistance
// benchmark (issue 3: >= 150 MB/s target).
//
//   std::string text = GenerateEvasionCorpus(8 << 20);
//
// Made from the prose corpus (crm_corpus.h), line by line: about a third of
// the lines stay as they are; the others are disguised the ways
// normalizer.h and decoders.h undo: zero-width characters and Cyrillic /
// Greek homoglyphs sprinkled in, digits written full-width or Arabic-Indic,
// non-ASCII written as JSON \u escapes or HTML entities, URLs
// percent-encoded, whole lines as base64, hex or quoted-printable. So every
// 4 KiB chunk takes the slow path. Deterministic like GenerateCorpus.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "corpus/crm_corpus.h"

namespace airlock::bench {

std::string GenerateEvasionCorpus(std::size_t bytes, std::uint64_t seed = kDefaultCorpusSeed);

}  // namespace airlock::bench
