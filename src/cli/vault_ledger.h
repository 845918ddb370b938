// The generation ledger of sanitize mapping files, kept in the store
// database (table mapping_generations): the last generation written per
// mapping file path, so that a file put back from an older copy is refused
// (transform::MappingFile::Open).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "airlock/store/database.h"
#include "airlock/transform/transform.h"

namespace airlock::cli {

class StoreMappingLedger : public transform::MappingGenerationLedger {
 public:
  explicit StoreMappingLedger(std::shared_ptr<store::Database> db) : db_(std::move(db)) {}
  Result<std::optional<Record>> Get(const std::string& path) override;
  Status Put(const std::string& path, const Record& r) override;

 private:
  std::shared_ptr<store::Database> db_;
};

}  // namespace airlock::cli
