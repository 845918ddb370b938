// `airlock index records|documents`: build exact-data-match and document
// fingerprint indexes (the loader is airlock/detect/index_loader.h).
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "airlock/detect/doc_fingerprint.h"
#include "airlock/detect/edm.h"
#include "commands.h"

namespace airlock::cli {

namespace fs = std::filesystem;

namespace {

struct RecordsOptions {
  std::string csv, schema, out;
};
struct DocumentsOptions {
  std::vector<std::string> inputs;
  std::string out;
  unsigned k = 4, window = 4, min_matches = 3, min_chars = 90;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int RunIndexRecords(const RecordsOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  auto schema = detect::EdmSchema::LoadFile(o.schema);
  if (!schema.ok()) {
    std::cerr << "airlock index: " << schema.status().message() << "\n";
    return kExitError;
  }
  detect::EdmBuildStats stats;
  auto index = detect::EdmIndex::BuildFromCsvFile(*schema, o.csv, &stats);
  if (!index.ok()) {
    std::cerr << "airlock index: " << index.status().message() << "\n";
    return kExitError;
  }
  if (Status s = (*index)->Save(o.out); !s.ok()) {
    std::cerr << "airlock index: " << s.message() << "\n";
    return kExitError;
  }
  std::cerr << "indexed " << stats.rows << " records (" << stats.values << " values, "
            << stats.skipped_rows << " malformed rows skipped) into " << o.out << ": "
            << (*index)->entries() << " hashes, " << (*index)->MemoryBytes() / 1024
            << " KiB in memory, " << Seconds(t0) << " s\n";
  return kExitClean;
}

int RunIndexDocuments(const DocumentsOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  detect::FingerprintOptions fo;
  fo.k = o.k;
  fo.window = o.window;
  fo.min_matches = o.min_matches;
  fo.min_chars = o.min_chars;
  auto index = detect::DocumentIndex::Create(fo);
  std::vector<fs::path> files;
  for (const auto& in : o.inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(in, ec)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else {
      files.push_back(in);
    }
  }
  std::sort(files.begin(), files.end());
  int errors = 0;
  std::size_t bytes = 0;
  for (const auto& f : files) {
    auto text = detect::ExtractDocumentText(f.string());
    if (!text.ok()) {
      std::cerr << "airlock index: " << text.status().message() << " (skipped)\n";
      ++errors;
      continue;
    }
    bytes += text->size();
    index->AddDocument(f.string(), *text);
  }
  index->Finish();
  if (index->documents() == 0) {
    std::cerr << "airlock index: no documents indexed\n";
    return kExitError;
  }
  if (Status s = index->Save(o.out); !s.ok()) {
    std::cerr << "airlock index: " << s.message() << "\n";
    return kExitError;
  }
  std::cerr << "indexed " << index->documents() << " documents (" << bytes << " bytes of text) into "
            << o.out << ": " << index->fingerprints() << " fingerprints, "
            << index->MemoryBytes() / 1024 << " KiB in memory, " << Seconds(t0) << " s\n";
  return errors == 0 ? kExitClean : kExitError;
}

}  // namespace

void RegisterIndexCommands(CLI::App& app, Commands& out) {
  auto* idx = app.add_subcommand("index", "Build exact-data-match and document fingerprint indexes");
  idx->require_subcommand(1);

  auto r = std::make_shared<RecordsOptions>();
  auto* rec = idx->add_subcommand("records", "Index a CRM export (CSV) for exact data match");
  rec->add_option("export", r->csv, "CSV export with a header row")->required();
  rec->add_option("--schema", r->schema, "Schema: columns, types, combinations (YAML)")->required();
  rec->add_option("-o,--out", r->out, "Index file to write (mode 0600)")->required();
  out.push_back({rec, [r] { return RunIndexRecords(*r); }});

  auto d = std::make_shared<DocumentsOptions>();
  auto* docs = idx->add_subcommand("documents", "Fingerprint protected documents (txt, md, pdf, docx)");
  docs->add_option("inputs", d->inputs, "Files or directories")->required();
  docs->add_option("-o,--out", d->out, "Index file to write (mode 0600)")->required();
  docs->add_option("--k", d->k, "Words per k-gram (default 4)")->check(CLI::Range(2, 20));
  docs->add_option("--window", d->window, "Winnowing window (default 4)")->check(CLI::Range(1, 50));
  docs->add_option("--min-matches", d->min_matches, "Shared fingerprints for a finding (default 3)")
      ->check(CLI::Range(1, 1000));
  docs->add_option("--min-chars", d->min_chars, "Copied bytes for a finding (default 90)");
  out.push_back({docs, [d] { return RunIndexDocuments(*d); }});
}

}  // namespace airlock::cli
