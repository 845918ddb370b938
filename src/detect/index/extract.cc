// Text of protected documents for fingerprinting: plain text, PDF (poppler),
// DOCX (the word/document.xml part of the zip, via libzip).
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>
#include <zip.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "airlock/core/bytes.h"
#include "airlock/detect/doc_fingerprint.h"

namespace airlock::detect {

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// word/document.xml -> text: <w:t> contents, a line per paragraph (</w:p>),
// tabs and breaks as spaces and lines, XML entities decoded.
std::string DocxXmlToText(const std::string& xml) {
  std::string out;
  bool in_text = false;
  std::size_t i = 0;
  while (i < xml.size()) {
    if (xml[i] == '<') {
      const std::size_t close = xml.find('>', i);
      if (close == std::string::npos) break;
      std::string tag = xml.substr(i + 1, close - i - 1);
      const bool self_closing = !tag.empty() && tag.back() == '/';
      const std::string name = tag.substr(0, tag.find_first_of(" /"));
      if (name == "w:t") in_text = !self_closing;
      else if (name == "/w:t") in_text = false;
      else if (name == "/w:p") out += '\n';
      else if (name == "w:tab") out += '\t';
      else if (name == "w:br" || name == "w:cr") out += '\n';
      i = close + 1;
      continue;
    }
    if (xml[i] == '&') {
      const std::size_t semi = xml.find(';', i);
      const std::string ent = semi == std::string::npos ? "" : xml.substr(i + 1, semi - i - 1);
      std::string rep;
      if (ent == "amp") rep = "&";
      else if (ent == "lt") rep = "<";
      else if (ent == "gt") rep = ">";
      else if (ent == "quot") rep = "\"";
      else if (ent == "apos") rep = "'";
      if (!rep.empty()) {
        if (in_text) out += rep;
        i = semi + 1;
        continue;
      }
    }
    if (in_text) out += xml[i];
    ++i;
  }
  return out;
}

// word/document.xml of an open zip, as text; `name` says what it is in errors.
Result<std::string> DocxText(zip_t* z, const std::string& path);

Result<std::string> ExtractDocx(const std::string& path) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (z == nullptr) return Status::InvalidArgument(path + ": not a DOCX (zip) file");
  std::unique_ptr<zip_t, decltype(&zip_discard)> owner(z, zip_discard);
  return DocxText(z, path);
}

Result<std::string> DocxText(zip_t* z, const std::string& path) {
  zip_stat_t st;
  if (zip_stat(z, "word/document.xml", 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
    return Status::InvalidArgument(path + ": DOCX without word/document.xml");
  }
  if (st.size > (512u << 20)) return Status::InvalidArgument(path + ": document part too large");
  zip_file_t* f = zip_fopen(z, "word/document.xml", 0);
  if (f == nullptr) return Status::InvalidArgument(path + ": cannot open word/document.xml");
  std::string xml(st.size, '\0');
  const zip_int64_t n = zip_fread(f, xml.data(), st.size);
  zip_fclose(f);
  if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) {
    return Status::InvalidArgument(path + ": truncated word/document.xml");
  }
  return DocxXmlToText(xml);
}

Result<std::string> PdfText(std::unique_ptr<poppler::document> doc, const std::string& path);

Result<std::string> ExtractPdf(const std::string& path) {
  return PdfText(std::unique_ptr<poppler::document>(poppler::document::load_from_file(path)), path);
}

Result<std::string> PdfText(std::unique_ptr<poppler::document> doc, const std::string& path) {
  if (!doc) return Status::InvalidArgument(path + ": not a readable PDF");
  if (doc->is_locked()) return Status::InvalidArgument(path + ": PDF is encrypted");
  std::string out;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    const auto bytes = page->text().to_utf8();
    out.append(bytes.begin(), bytes.end());
    out += '\n';
  }
  return out;
}

}  // namespace

Result<std::string> ExtractDocumentBytes(std::string_view bytes) {
  const std::string what = "the file";
  if (bytes.substr(0, 5) == "%PDF-") {
    // Poppler reports malformed PDFs on stderr, in messages that may quote
    // bytes of the file: an attachment's content must not reach a log.
    static const bool quiet = [] {
      poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
      return true;
    }();
    (void)quiet;
    if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) return Status::InvalidArgument(what + ": too large");
    return PdfText(std::unique_ptr<poppler::document>(
                       poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size()))),
                   what);
  }
  if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4)) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (src == nullptr) return Status::InvalidArgument(what + ": not a readable zip file");
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &error);
    zip_error_fini(&error);
    if (z == nullptr) {
      zip_source_free(src);
      return Status::InvalidArgument(what + ": not a DOCX (zip) file");
    }
    std::unique_ptr<zip_t, decltype(&zip_discard)> owner(z, zip_discard);
    return DocxText(z, what);
  }
  if (bytes.find('\0') != std::string_view::npos || FirstInvalidUtf8(bytes) != std::string_view::npos) {
    return Status::InvalidArgument(what + ": neither PDF, DOCX nor UTF-8 text (the kinds Airlock reads)");
  }
  return std::string(bytes);
}

Result<std::string> ExtractDocumentText(const std::string& path) {
  const std::string ext = Lower(std::filesystem::path(path).extension().string());
  if (ext == ".pdf") return ExtractPdf(path);
  if (ext == ".docx") return ExtractDocx(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace airlock::detect
