// OutputGuard: scans model output before it is released to the client.
//
// Streamed text arrives in pieces; the stream guard feeds them to the
// detection engine's StreamAnalyzer and releases text only up to its safe
// offset (no finding that starts before it is still to come), so every
// finding is seen whole before any byte of it is released, however long it
// is. It holds `hold_back` bytes more for the indexes.
//
// A leak (a finding in the output whose value the request did not itself
// carry) is redacted, or stops the stream, as the workflow's `output` says.
//
// Indexes (detection.indexes: exact data match, document fingerprints) run
// over the output too. A record's values or a document's passage can span
// more than the held text, so a streaming guard keeps the last 1 KiB of
// released text as context for the index scanners (never re-sent): an
// index finding that reaches into held text holds the text from its start
// (or from the release point, when it began in released text) until its
// end is known, then redacts that held part with one marker, or stops the
// stream. A finding seen only once entirely released is still counted.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "airlock/config/config.h"
#include "airlock/core/status.h"
#include "airlock/detect/analyzer.h"
#include "airlock/detect/index_loader.h"

namespace airlock::server {

struct OutputFindings {
  std::map<std::string, int> counts;  // entity type -> leaks seen
  std::map<std::string, std::string> classes;  // entity type -> its data class
  bool blocked = false;               // output: block and a leak was seen
};

class OutputGuard {
 public:
  virtual ~OutputGuard() = default;
  // Text in; the part that may be released now (leaks already redacted).
  virtual Result<std::string> Feed(std::string_view piece) = 0;
  // End of the text: the rest, scanned. Text fed after Finish is scanned
  // as a new text.
  virtual Result<std::string> Finish() = 0;
};

// `allowed`: fingerprints (any stable digest) of values the request itself
// carried in the clear; the same value in the output is not a leak.
// `fingerprint` computes that digest. `findings` accumulates across guards.
// `indexes` must outlive the guard (the request's Runtime holds them).
std::unique_ptr<OutputGuard> MakeStreamGuard(std::shared_ptr<const detect::Analyzer> analyzer,
                                             const std::vector<detect::IndexScanner>* indexes,
                                             config::OutputAction action, std::size_t hold_back,
                                             const std::set<std::string>* allowed,
                                             std::function<std::string(std::string_view)> fingerprint,
                                             OutputFindings* findings);

// Scans a whole text at once (non-streamed responses).
Result<std::string> GuardWhole(const detect::Analyzer& analyzer, const std::vector<detect::IndexScanner>& indexes,
                               config::OutputAction action, std::string_view text, const std::set<std::string>& allowed,
                               const std::function<std::string(std::string_view)>& fingerprint,
                               OutputFindings* findings);

}  // namespace airlock::server
