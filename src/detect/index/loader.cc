#include "airlock/detect/index_loader.h"

#include <fstream>
#include <memory>

#include "airlock/detect/doc_fingerprint.h"
#include "airlock/detect/edm.h"

namespace airlock::detect {

Result<std::vector<IndexScanner>> LoadIndexes(const std::vector<std::string>& paths) {
  std::vector<IndexScanner> out;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return Status::IoError(p + ": cannot read index");
    char magic[12] = {};
    in.read(magic, sizeof magic);
    const std::string m(magic, static_cast<std::size_t>(in.gcount()));
    if (m == "AIRLOCK-EDM1") {
      auto idx = EdmIndex::Load(p);
      if (!idx.ok()) return idx.status();
      std::shared_ptr<const EdmIndex> shared(std::move(*idx));
      out.push_back([shared](std::string_view t) { return shared->Scan(t); });
    } else if (m == "AIRLOCK-DOC1") {
      auto idx = DocumentIndex::Load(p);
      if (!idx.ok()) return idx.status();
      std::shared_ptr<const DocumentIndex> shared(std::move(*idx));
      out.push_back([shared](std::string_view t) { return shared->Scan(t); });
    } else {
      return Status::InvalidArgument(p + ": not an Airlock index (made by `airlock index`)");
    }
  }
  return out;
}

}  // namespace airlock::detect
