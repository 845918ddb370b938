// StreamAnalyzer: the analyzer over text that arrives in chunks, as a
// model's answer does (a few bytes per token).
//
//   auto analyzer = Analyzer::Create(...);            // shared, immutable
//   auto stream = StreamAnalyzer::Create(*analyzer);  // one per response
//   for (chunk : response) {
//     std::vector<Finding> found;
//     stream->Write(chunk, &found);         // findings now final
//     Release(stream->SafeOffset());        // bytes [0, SafeOffset()) may go
//   }
//   stream->Finish(&found);                 // the rest; SafeOffset() == end
//
// The contract the gateway's streamed responses are built on:
//
//   * Same findings as block mode. The concatenation of every finding that
//     Write and Finish return equals Analyzer::Analyze(whole text), finding
//     for finding (spans in stream offsets: byte 0 is the first byte of the
//     first chunk), however the text is cut into chunks -- for the raw
//     bytes: the evasion views (normalised and decoded text, normalizer.h)
//     are block mode only, so for text with EvasionSignals the stream
//     reports the raw scan's findings. A caller that needs the views runs
//     Analyze over the text it still holds (the gateway's stream guard does,
//     at each release).
//   * Findings come in order of start, each exactly once.
//   * SafeOffset() never decreases, never exceeds bytes_written(), and no
//     finding that starts before it is still to come: every finding with
//     span.begin < SafeOffset() has already been returned. Text before
//     SafeOffset() can be released (after masking the findings in it).
//   * Finish() returns the remaining findings and sets SafeOffset() to
//     bytes_written().
//
// How (the same steps as Analyzer::Analyze, see analyzer.h):
//   1. The first-pass databases (every pattern and context word; dictionary
//      literals) run in vectorscan stream mode over each chunk, so matches
//      that straddle chunks are found without rescanning. A streaming-mode
//      copy of each is compiled on first use and cached like the others.
//      A match ending at e is known once bytes_written() >= e + 2 (an `\b`
//      or `$` after it needs the next byte; `$` also matches before a final
//      newline).
//   2. The second pass (start-of-match for variable-width patterns) runs on
//      the same merged windows as in block mode, each once it can no longer
//      grow: no later end of that pattern can reach back into it. Ends of
//      patterns with a walk-back locator are located as they arrive (block
//      mode takes them one by one too), and so are the first four ends of a
//      wide pattern's window (located over the window so far: the start of
//      a match ending there depends only on the bytes before it).
//   3. A (detector, start) group of candidates is evaluated (expander,
//      validator, context words, score) once no candidate can join it and
//      the text it needs has arrived: kExpanderReach (256) bytes after it
//      for a detector with an expander (for the person_name expander, only
//      as far as it can read: internal::NameReadEnd, the chain of words
//      that may continue a name), plus the detector's context `after`
//      window and its longest context word, because a context word after a
//      match can lift its score over min_score. Expanders see 256 bytes
//      either side of a candidate in block mode too, so both see the same.
//   4. Overlap resolution runs per group of overlapping findings, once no
//      finding still to come can overlap the group.
//   Only a sliding buffer is kept: the text still needed by pending windows
//   and candidates.
//
// Hold-back: bytes_written() - SafeOffset() is at most MaxHoldBack(): the
// longest pattern reach (a variable-width pattern's second-pass window may
// grow to its reach plus 1024 bytes before a new one starts), or the longest
// match plus the wait for the text after it (expander window, context window,
// longest context word), plus the expander window before it, plus 256 bytes
// (candidates are evaluated in batches at most every 256 bytes), plus one
// finding's length (a finding waits while a later one could still overlap
// it), plus 256 bytes (writes shorter than that are gathered before the
// first-pass scans run: vectorscan stores its stream state on every call).
// For the built-in catalog that bound is about 9 KB, set by the private-key
// pattern (3.6 KB wide). In practice a match still to come is bounded more
// tightly than by its reach: by the last byte its pattern cannot match
// (PatternAlphabet); for patterns that prose never leaves, by the run of
// their head's bytes a short tail back (internal::HeadAndTail) or by the
// end of their prefix (a marker compiled into the streaming prefilter,
// internal::BoundedPrefix); for the source_code pattern, by the first line
// of the current run of code-shaped lines (a run that has ended is located
// at once); an open window by the starts its ends located to; and a name's
// left extension by the few words before it.
// On the benchmark corpora the hold-back averages about 0.3-1.1 KB
// (docs/detection-engine.md, "How far the safe offset trails").
//
// Cost: the first-pass scan is incremental; the per-candidate work is the
// block mode's. Most writes do no more than the two stream scans: pending
// candidates are looked at once one of them can be ready, at most once per
// 256 bytes.
//
// Structured input (fields) is block mode only. A StreamAnalyzer is not
// thread-safe: one per stream. The Analyzer must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"
#include "airlock/detect/analyzer.h"
#include "airlock/detect/finding.h"

namespace airlock::detect {

class StreamAnalyzer {
 public:
  // Fails only if the streaming databases cannot be built or opened.
  static Result<std::unique_ptr<StreamAnalyzer>> Create(std::shared_ptr<const Analyzer> analyzer);
  // Compiles (or loads from the cache) the analyzer's streaming databases
  // now; otherwise the first Create does, which takes as long as the block
  // databases' compile. A server calls it at start-up. Thread-safe.
  static Status Prepare(const Analyzer& analyzer);
  ~StreamAnalyzer();
  StreamAnalyzer(const StreamAnalyzer&) = delete;
  StreamAnalyzer& operator=(const StreamAnalyzer&) = delete;

  // Feeds the next chunk and appends the findings that became final to
  // `out`. After Finish, or after an error, every call fails.
  Status Write(std::string_view chunk, std::vector<Finding>* out);
  // Ends the stream and appends every remaining finding.
  Status Finish(std::vector<Finding>* out);

  std::uint64_t SafeOffset() const;
  std::uint64_t bytes_written() const;
  // See "Hold-back" above.
  std::uint64_t MaxHoldBack() const;
  // Bytes of text currently held (for tests and metrics).
  std::size_t buffered_bytes() const;

  struct State;

 private:
  explicit StreamAnalyzer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace airlock::detect
