// Exact data match (EDM): protect the values of a CRM export themselves.
//
// Regexes find an IBAN because IBANs have a shape; a client's name, a
// settlement figure or an employee's birth date have none. EDM indexes the
// protected records and, at scan time, says "values of one protected record
// appear together in this text" — with the record's row number and the
// columns that matched, never the values.
//
//   auto schema = EdmSchema::Parse(yaml_text, "schema.yaml");
//   auto index = EdmIndex::BuildFromCsvFile(*schema, "contacts.csv");
//   (*index)->Save("contacts.idx");                  // hashes only
//   auto loaded = EdmIndex::Load("contacts.idx");
//   std::vector<Finding> f = (*loaded)->Scan(text);  // thread-safe, const
//
// The schema names the columns to protect, their type (which decides the
// normalisation: case and whitespace for names and text, canonical e-mail,
// national significant number for phones, separators dropped for ids, ISO
// form for dates) and which combinations of columns count:
//
//   name: salesforce-contacts
//   entity_type: CRM_CONTACT          # reported entity type
//   data_class: personal              # for policy
//   region: DE                        # phones without a country code
//   columns:
//     - {name: FirstName, type: name}
//     - {name: LastName, type: name}
//     - {name: Birthdate, type: date}
//     - {name: Email, type: email}
//     - {name: AccountNumber__c, type: id}
//   proximity: 400                    # bytes within which a combination's values must lie
//   match:                            # any one combination suffices
//     - [FirstName, LastName, Birthdate]
//     - [LastName, Email]
//     - [AccountNumber__c]            # a single column fires alone only if listed alone
//
// A first name alone never fires unless a combination lists it alone.
//
// Storage: each normalised value becomes a 64-bit SipHash-2-4 under a random
// 128-bit key made at build time (the index's salt); the index stores
// (hash, row, column) triples and the key, never a value. Anyone holding the
// index can test guesses, as with every EDM product: protect the file like
// the export (it is written mode 0600).
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"
#include "airlock/detect/finding.h"

namespace airlock::detect {

enum class EdmType : std::uint8_t { kText = 0, kName, kEmail, kPhone, kId, kDate };
std::string_view EdmTypeName(EdmType t);

struct EdmSchema {
  std::string name = "records";
  std::string entity_type = "CRM_RECORD";
  DataClass data_class = DataClass::kPersonal;
  std::string region = "DE";
  struct Column {
    std::string name;
    EdmType type = EdmType::kText;
  };
  std::vector<Column> columns;
  std::vector<std::vector<int>> combos;  // indices into columns
  // Values of one combination must lie within this many bytes of each other
  // (a CSV row, a JSON object, a paragraph); scattered mentions across a
  // long document are not a record.
  std::size_t proximity = 400;

  // Errors name the source and line: unknown type or key, a combination
  // naming a column not listed, no columns, no combinations.
  static Result<EdmSchema> Parse(const std::string& yaml_text, const std::string& source);
  static Result<EdmSchema> LoadFile(const std::string& path);
};

struct EdmBuildStats {
  std::uint64_t rows = 0;
  std::uint64_t values = 0;         // non-empty protected values indexed
  std::uint64_t skipped_rows = 0;   // rows with a different number of fields
};

class EdmIndex {
 public:
  // Reads a CSV export with a header row (RFC 4180 quoting), streaming: the
  // export is never held in memory whole. Columns of the schema must be in
  // the header (error names the missing one).
  static Result<std::unique_ptr<EdmIndex>> BuildFromCsvFile(const EdmSchema& schema,
                                                            const std::string& path,
                                                            EdmBuildStats* stats = nullptr);
  static Result<std::unique_ptr<EdmIndex>> BuildFromCsv(const EdmSchema& schema,
                                                        std::string_view csv,
                                                        EdmBuildStats* stats = nullptr);
  // Written mode 0600. The file ends with a SHA-256 of its contents; Load
  // rejects truncated, corrupted or foreign files with a clear message.
  Status Save(const std::string& path) const;
  static Result<std::unique_ptr<EdmIndex>> Load(const std::string& path);

  // Findings for every protected record whose values (for at least one
  // combination) all appear in `text`. Span: from the first to the last
  // matched value; detail: "row=N columns=A,B,C". Thread-safe.
  std::vector<Finding> Scan(std::string_view text) const;

  const EdmSchema& schema() const { return schema_; }
  std::uint64_t records() const { return records_; }
  std::uint64_t entries() const { return entries_.size(); }
  std::uint64_t MemoryBytes() const;

  struct Entry {
    std::uint64_t hash;
    std::uint32_t row;
    std::uint16_t column;
    std::uint16_t pad = 0;
  };

 private:
  EdmIndex() = default;
  static Result<std::unique_ptr<EdmIndex>> BuildFromStream(const EdmSchema& schema,
                                                           std::istream& in,
                                                           EdmBuildStats* stats);
  void Finish();  // sorts entries, builds the bucket directory
  struct Range {
    std::uint32_t begin, end;
  };
  Range Lookup(std::uint64_t h) const;

  EdmSchema schema_;
  std::uint64_t key_[2] = {0, 0};
  std::uint64_t records_ = 0;
  std::vector<Entry> entries_;      // sorted by (hash, column, row)
  std::vector<std::uint32_t> dir_;  // bucket -> first entry, by top bits of hash
  int dir_bits_ = 0;
  std::vector<std::uint64_t> filter_;  // one bit per hash (low bits)
  std::uint64_t filter_mask_ = 0;
  std::size_t max_words_ = 1;       // longest name/text value in words
};

}  // namespace airlock::detect
