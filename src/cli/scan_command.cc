// `airlock scan`: files (or standard input) in, findings out.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "airlock/core/bytes.h"
#include "airlock/detect/doc_fingerprint.h"
#include "airlock/detect/document.h"
#include "airlock/detect/embedded.h"
#include "airlock/detect/stream_analyzer.h"
#include "catalog_loader.h"
#include "commands.h"
#include "airlock/detect/index_loader.h"
#include "report.h"

namespace airlock::cli {

namespace {

Result<std::string> ReadInput(const std::string& name) {
  std::string data;
  if (name == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    if (std::cin.bad()) return Status::IoError("read failed");
    return ss.str();
  }
  std::error_code ec;
  if (std::filesystem::is_directory(name, ec)) return Status::IoError("is a directory");
  std::ifstream in(name, std::ios::binary);
  if (!in) return Status::IoError(std::string("cannot open: ") + std::strerror(errno));
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) {
    // Not seekable (a pipe or a directory): read it as a stream.
    in.clear();
    in.seekg(0);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Status::IoError(std::string("read failed: ") + std::strerror(errno));
    return ss.str();
  }
  in.seekg(0);
  data.resize(static_cast<std::size_t>(size));
  in.read(data.data(), size);
  if (in.gcount() != size) return Status::IoError(std::string("read failed: ") + std::strerror(errno));
  return data;
}

std::string DetectFormat(const std::string& name, const std::string& requested,
                         std::string_view data) {
  if (requested != "auto") return requested;
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           std::equal(suffix.rbegin(), suffix.rend(), name.rbegin(),
                      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
  };
  if (ends_with(".jsonl") || ends_with(".ndjson")) return "jsonl";
  if (ends_with(".json")) return "json";
  if (ends_with(".csv")) return "csv";
  (void)data;
  return "text";
}

// Finds NUL bytes in the first 8 KiB, as grep and git do to call a file binary.
std::size_t FirstNul(std::string_view data) {
  std::size_t n = std::min<std::size_t>(data.size(), 8192);
  const void* p = std::memchr(data.data(), 0, n);
  return p == nullptr ? std::string_view::npos
                      : static_cast<std::size_t>(static_cast<const char*>(p) - data.data());
}

// The name of the field a segment is the value of: the CSV column, or the
// last JSON Pointer token that is not an array index.
std::string FieldName(const detect::Segment& seg, const std::string& format) {
  if (format == "csv") return seg.column;
  std::string_view p = seg.pointer;
  while (!p.empty()) {
    const std::size_t slash = p.rfind('/');
    std::string_view token = p.substr(slash + 1);
    p = p.substr(0, slash == std::string_view::npos ? 0 : slash);
    const bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string_view::npos;
    if (!index) {
      std::string out;
      for (std::size_t i = 0; i < token.size(); ++i) {  // RFC 6901 unescaping
        if (token[i] == '~' && i + 1 < token.size()) {
          out.push_back(token[i + 1] == '1' ? '/' : '~');
          ++i;
        } else {
          out.push_back(token[i]);
        }
      }
      return out;
    }
  }
  return "";
}

// The text fed `chunk` bytes at a time through a StreamAnalyzer.
Result<std::vector<detect::Finding>> AnalyzeStreamed(
    const std::shared_ptr<const detect::Analyzer>& analyzer, std::string_view text,
    std::size_t chunk) {
  auto stream = detect::StreamAnalyzer::Create(analyzer);
  if (!stream.ok()) return stream.status();
  std::vector<detect::Finding> found;
  for (std::size_t p = 0; p < text.size(); p += chunk) {
    if (Status s = (*stream)->Write(text.substr(p, chunk), &found); !s.ok()) return s;
  }
  if (Status s = (*stream)->Finish(&found); !s.ok()) return s;
  return found;
}

}  // namespace

int RunScan(const ScanOptions& opts) {
  FailRule fail_rule;
  if (Status s = ParseFailOn(opts.fail_on, &fail_rule); !s.ok()) {
    std::cerr << "airlock scan: " << s.message() << "\n";
    return kExitError;
  }
  if (opts.output_format != "table" && opts.output_format != "json" &&
      opts.output_format != "sarif") {
    std::cerr << "airlock scan: unknown --format '" << opts.output_format
              << "' (expected table, json or sarif)\n";
    return kExitError;
  }
  // With --no-builtin and only --index, the indexes are the whole scan.
  const bool indexes_only =
      !opts.catalog.builtin && opts.catalog.extra_catalogs.empty() && !opts.indexes.empty();
  auto analyzer = indexes_only ? Result<std::shared_ptr<const detect::Analyzer>>(
                                     std::shared_ptr<const detect::Analyzer>())
                               : BuildAnalyzer(opts.catalog);
  if (!analyzer.ok()) {
    std::cerr << "airlock scan: detector catalog: " << analyzer.status().message() << "\n";
    return kExitError;
  }
  auto indexes = detect::LoadIndexes(opts.indexes);
  if (!indexes.ok()) {
    std::cerr << "airlock scan: --index: " << indexes.status().message() << "\n";
    return kExitError;
  }
  std::vector<std::string> inputs = opts.inputs;
  if (inputs.empty()) inputs.push_back("-");

  Report report(opts.show_values);
  bool had_error = false;
  for (const auto& name : inputs) {
    const std::string display = name == "-" ? "<stdin>" : name;
    auto data = ReadInput(name);
    if (!data.ok()) {
      report.AddError(display, data.status().message());
      had_error = true;
      continue;
    }
    std::string_view bytes = *data;
    if (bytes.empty()) {
      report.AddNotice(display, "empty input, nothing to scan");
      continue;
    }
    // PDF and DOCX files are read as their text, as `index documents` and
    // the gateway's attachments read them.
    std::string extracted;
    std::string input_format = opts.input_format;
    const bool pdf = bytes.starts_with("%PDF-"), docx = bytes.starts_with(std::string_view("PK\x03\x04", 4));
    if (!opts.binary && input_format == "auto" && (pdf || docx)) {
      auto text = detect::ExtractDocumentBytes(bytes);
      if (!text.ok()) {
        report.AddError(display, text.status().message());
        had_error = true;
        continue;
      }
      extracted = std::move(*text);
      bytes = extracted;
      input_format = "text";
      report.AddNotice(display, std::string("read as the text of a ") + (pdf ? "PDF" : "DOCX") +
                                    " file; offsets, lines and columns are into that text");
      if (bytes.empty()) continue;
    }
    if (std::size_t nul = FirstNul(bytes); nul != std::string_view::npos && !opts.binary) {
      report.AddError(display, "binary data (NUL byte at offset " + std::to_string(nul) +
                                   "); not scanned. Use --binary to scan its bytes.");
      had_error = true;
      continue;
    }
    if (std::size_t bad = FirstInvalidUtf8(bytes); bad != std::string_view::npos) {
      report.AddNotice(display, "invalid UTF-8 at byte " + std::to_string(bad) +
                                    "; scanned as bytes, offsets are byte offsets");
    }
    const std::string format = DetectFormat(name, input_format, bytes);
    FileScan file{display, bytes, format};
    // Indexes see the whole input: a record's values sit in several CSV
    // columns or JSON fields, and only together are they a match.
    for (const auto& scan_index : *indexes) {
      for (auto& f : scan_index(bytes)) report.Add(file, nullptr, std::move(f));
    }
    if (*analyzer == nullptr) continue;
    if (format == "text") {
      auto findings = opts.stream_chunk > 0 ? AnalyzeStreamed(*analyzer, bytes, opts.stream_chunk)
                                            : (*analyzer)->Analyze(bytes);
      if (!findings.ok()) {
        report.AddError(display, findings.status().message());
        had_error = true;
        continue;
      }
      // JSON records inside the text (a prompt carrying a CRM record): values
      // that only their key gives away, as the gateway finds them.
      auto embedded = detect::EmbeddedFieldFindings(**analyzer, bytes);
      if (!embedded.ok()) {
        report.AddError(display, embedded.status().message());
        had_error = true;
        continue;
      }
      detect::MergeFindings(&*findings, std::move(*embedded));
      for (auto& f : *findings) report.Add(file, nullptr, std::move(f));
      continue;
    }
    if (opts.stream_chunk > 0) {
      report.AddNotice(display, "--stream-chunk applies to text input; scanned whole");
    }
    Result<std::vector<detect::Segment>> segments =
        format == "json"    ? detect::SplitJson(bytes)
        : format == "jsonl" ? detect::SplitJsonLines(bytes)
        : format == "csv"   ? detect::SplitCsv(bytes)
                            : Result<std::vector<detect::Segment>>(Status::InvalidArgument(
                                  "unknown input format '" + format +
                                  "' (expected auto, text, json, jsonl or csv)"));
    if (!segments.ok()) {
      report.AddError(display, segments.status().message());
      had_error = true;
      continue;
    }
    // Field names (CSV columns, JSON keys) are context; prepare each once.
    std::map<std::string, detect::FieldContext> fields;
    for (const auto& seg : *segments) {
      const std::string field = FieldName(seg, format);
      auto it = fields.find(field);
      if (it == fields.end()) it = fields.emplace(field, (*analyzer)->PrepareField(field)).first;
      auto findings = (*analyzer)->Analyze(seg.text(), &it->second);
      if (!findings.ok()) {
        report.AddError(display, findings.status().message());
        had_error = true;
        break;
      }
      for (auto& f : *findings) report.Add(file, &seg, std::move(f));
    }
  }

  if (opts.output_format == "json") {
    report.WriteJson(std::cout);
    std::cout << "\n";
  } else if (opts.output_format == "sarif") {
    std::cout << report.ToSarif((*analyzer)->catalog()).dump(2) << "\n";
  } else {
    report.PrintTable(std::cout);
  }
  report.PrintDiagnostics(std::cerr);
  if (had_error) return kExitError;
  return report.AnyFails(fail_rule) ? kExitFindings : kExitClean;
}

void RegisterScanCommands(CLI::App& app, Commands& out) {
  auto opts = std::make_shared<ScanOptions>();
  auto* cmd = app.add_subcommand("scan", "Scan files (text, JSON, JSONL, CSV) or stdin");
  cmd->add_option("inputs", opts->inputs, "Files to scan; '-' or nothing reads stdin");
  cmd->add_option("--input", opts->input_format, "Input format")
      ->default_val("auto")
      ->check(CLI::IsMember({"auto", "text", "json", "jsonl", "csv"}));
  cmd->add_option("-f,--format", opts->output_format, "Output format")
      ->default_val("table")
      ->check(CLI::IsMember({"table", "json", "sarif"}));
  cmd->add_option("--fail-on", opts->fail_on,
                  "Exit 1 when a finding reaches this: a score (0.8), data classes "
                  "(financial,contact), 'any' (default) or 'none'");
  cmd->add_flag("--show-values", opts->show_values,
                "Print the detected values themselves (off by default)");
  cmd->add_flag("--binary", opts->binary, "Scan files with NUL bytes as raw bytes");
  cmd->add_option("--index", opts->indexes,
                  "Exact-data-match or document fingerprint index (from `airlock index`); "
                  "repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--stream-chunk", opts->stream_chunk,
                  "Text input: analyse it as a stream of N-byte chunks (as a streamed model "
                  "answer); the findings are the same as without");
  AddCatalogOptions(cmd, &opts->catalog);
  out.push_back({cmd, [opts] { return RunScan(*opts); }});
}

}  // namespace airlock::cli
