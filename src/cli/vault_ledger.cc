#include "vault_ledger.h"

#include <chrono>

#include "airlock/core/bytes.h"

namespace airlock::cli {

Result<std::optional<StoreMappingLedger::Record>> StoreMappingLedger::Get(const std::string& path) {
  auto lock = db_->Lock();
  auto st = db_->Prepare("SELECT file_id, generation FROM mapping_generations WHERE path = ?");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, path);
  std::optional<Record> rec;
  switch ((*st)->Next()) {
    case store::Statement::Step::kRow: {
      auto id = HexDecode((*st)->Text(0));
      if (!id.has_value()) return Status::Corruption(db_->path() + ": a mapping_generations row is malformed");
      rec = Record{std::move(*id), static_cast<std::uint64_t>((*st)->Int(1))};
      break;
    }
    case store::Statement::Step::kDone:
      break;
    case store::Statement::Step::kError:
      return Status::IoError(db_->path() + ": cannot read mapping_generations");
  }
  return rec;
}

Status StoreMappingLedger::Put(const std::string& path, const Record& r) {
  auto lock = db_->Lock();
  auto st = db_->Prepare(
      "INSERT INTO mapping_generations(path, file_id, generation, updated_ms) VALUES(?, ?, ?, ?) "
      "ON CONFLICT(path) DO UPDATE SET file_id = excluded.file_id, generation = excluded.generation, "
      "updated_ms = excluded.updated_ms");
  if (!st.ok()) return st.status();
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  (*st)->Bind(1, path);
  (*st)->Bind(2, HexEncode(r.file_id));
  (*st)->Bind(3, static_cast<int64_t>(r.generation));
  (*st)->Bind(4, static_cast<int64_t>(now));
  return (*st)->Run();
}

}  // namespace airlock::cli
