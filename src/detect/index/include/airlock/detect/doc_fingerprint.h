// Document fingerprints: find partial copies of protected documents.
//
// Winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003) over normalised
// word k-grams: the text is cut into words (case-folded; whitespace, line
// breaks and punctuation between words do not matter), every run of k words
// is hashed with a keyed SipHash, and in every window of w consecutive
// hashes the smallest is kept. Two texts that share a passage of at least
// w + k - 1 words share at least one kept hash, whatever surrounds it, so a
// copied paragraph is found after reformatting, re-casing, reordering of
// paragraphs and edits elsewhere.
//
//   auto index = DocumentIndex::Create();
//   index->AddDocument("contracts/msa-v3.pdf", text);     // hashes only are kept
//   index->Save("docs.idx");
//   auto loaded = DocumentIndex::Load("docs.idx");
//   for (const Finding& f : (*loaded)->Scan(prompt)) ...  // detail: document=... share=0.37
//
// A finding needs at least `min_matches` shared fingerprints that together
// cover at least `min_chars` bytes of the scanned text (defaults 3 and 90,
// with k = 4 and w = 4; docs/accuracy.md has the measurements that chose
// them; commercial IDM products quote about 300 characters).
// Its span runs from the first to the last shared passage; `detail` names the
// document and the share of the document's fingerprints seen.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"
#include "airlock/detect/finding.h"

namespace airlock::detect {

struct FingerprintOptions {
  std::uint32_t k = 4;            // words per k-gram
  std::uint32_t window = 4;       // winnowing window (hashes)
  std::uint32_t min_matches = 3;  // shared fingerprints for a finding
  std::uint32_t min_chars = 90;   // bytes of the scanned text they must cover
  // Fingerprints found in more protected documents than this are boilerplate
  // (disclaimers, formulae) and are dropped at Finish(): they say nothing
  // about which document was copied and cause false positives.
  std::uint32_t max_doc_frequency = 4;
};

class DocumentIndex {
 public:
  static std::unique_ptr<DocumentIndex> Create(const FingerprintOptions& options = {});
  // Fingerprints `text` under `name` (a path or title; kept in the index).
  // Not thread-safe; call Finish() after the last one.
  void AddDocument(const std::string& name, std::string_view text);
  // Sorts the fingerprint table. REQUIRES before Scan and Save (Load
  // returns a finished index).
  void Finish();

  Status Save(const std::string& path) const;  // mode 0600, SHA-256 trailer
  static Result<std::unique_ptr<DocumentIndex>> Load(const std::string& path);

  std::vector<Finding> Scan(std::string_view text) const;  // thread-safe
  // Thresholds can be changed after Load (the config's, or --index options).
  void set_thresholds(std::uint32_t min_matches, std::uint32_t min_chars);

  std::size_t documents() const { return docs_.size(); }
  std::size_t fingerprints() const { return entries_.size(); }
  std::uint64_t MemoryBytes() const;

  struct Fingerprint {
    std::uint64_t hash;
    std::size_t begin, end;  // bytes of the k-gram in the fingerprinted text
  };
  // The winnowed fingerprints of a text (exposed for tests and benchmarks).
  std::vector<Fingerprint> Winnow(std::string_view text) const;

 private:
  DocumentIndex() = default;
  struct Doc {
    std::string name;
    std::uint32_t fingerprints = 0;
  };
  struct Entry {
    std::uint64_t hash;
    std::uint32_t doc;
    std::uint32_t pad = 0;
  };
  FingerprintOptions options_;
  std::uint64_t key_[2] = {0, 0};
  std::vector<Doc> docs_;
  std::vector<Entry> entries_;  // sorted by (hash, doc) after Sort/Load
  bool sorted_ = true;
};

// Text of a protected document: .txt/.md as they are, .pdf through poppler,
// .docx from word/document.xml (paragraphs become lines). Errors name the
// file and what is wrong (encrypted PDF, not a zip, no document part).
Result<std::string> ExtractDocumentText(const std::string& path);

// The same for a file's bytes (an attachment in a request), by what the
// bytes are rather than a name: PDF ("%PDF-"), DOCX (a zip with
// word/document.xml), or UTF-8 text without NUL bytes; anything else is an
// error that says which kinds are read. Errors never quote the content.
Result<std::string> ExtractDocumentBytes(std::string_view bytes);

}  // namespace airlock::detect
