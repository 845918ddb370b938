// Source code and configuration in prose (an IP signal).
//
// The `source_code` detector's pattern (data/detectors/source_code.yaml)
// finds runs of three or more code-shaped lines: lines that end in code
// punctuation, are indented, start with a keyword, a comment or a closing
// bracket, or have a `key: value` / `key = value` shape. Prose lists, letter
// signatures and wrapped paragraphs have such lines too, so this validator
// decides: it accepts a run when most of its lines carry code evidence
// (operators, call syntax, statement ends, language keywords, config keys)
// and few read as sentences, and guesses the language from weighted
// markers. The language is the finding's detail ("python", "apex", ...).
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "internal/validator_table.h"

namespace airlock::detect::internal {
namespace {

struct Marker {
  std::string_view text;
  int weight;
  bool at_line_start;  // must begin the line (after indentation)
};

struct Language {
  std::string_view name;
  std::vector<Marker> markers;
};

constexpr std::size_t kLanguageCount = 11;

// Weighted markers per language; a line adds each marker's weight once.
const std::array<Language, kLanguageCount>& Languages() {
  static const std::array<Language, kLanguageCount> langs = {{
      {"python",
       {{"def ", 3, true}, {"import ", 2, true}, {"from ", 1, true}, {"self.", 2, false},
        {"elif ", 3, true}, {"print(", 1, false}, {"__init__", 3, false}, {"None", 1, false},
        {"except ", 2, true}, {"except:", 3, true}, {"lambda ", 2, false}, {"with open(", 3, false},
        {"True", 1, false}, {"False", 1, false}, {"@staticmethod", 3, true}, {"async def ", 3, true}}},
      {"javascript",
       {{"function", 2, false}, {"const ", 2, true}, {"let ", 2, true}, {"var ", 1, true},
        {"=>", 2, false}, {"console.log", 3, false}, {"===", 3, false}, {"!==", 3, false},
        {"require(", 3, false}, {"module.exports", 3, false}, {"export ", 2, true},
        {"document.", 2, false}, {"await ", 1, false}, {"undefined", 2, false}}},
      {"typescript",
       {{"interface ", 3, true}, {": string", 3, false}, {": number", 3, false},
        {": boolean", 3, false}, {"export type ", 3, true}, {"): Promise<", 3, false},
        {"readonly ", 2, false}, {"implements ", 1, false}}},
      {"java",
       {{"public class ", 3, false}, {"public static void main", 4, false},
        {"System.out.", 4, false}, {"private final ", 3, false}, {"@Override", 3, true},
        {"import java.", 4, true}, {"package ", 2, true}, {"String[]", 3, false},
        {"throws ", 2, false}, {"extends ", 1, false}, {"new ", 1, false},
        {"private ", 1, true}, {"public ", 1, true}}},
      {"c/c++",
       {{"#include", 4, true}, {"#define ", 4, true}, {"int main(", 4, false}, {"std::", 4, false},
        {"printf(", 3, false}, {"->", 1, false}, {"nullptr", 3, false}, {"template <", 3, false},
        {"template<", 3, false}, {"malloc(", 3, false}, {"sizeof(", 2, false},
        {"unsigned ", 2, false}, {"char *", 2, false}, {"#pragma", 4, true}, {"void ", 1, false}}},
      {"c#",
       {{"using System", 5, true}, {"namespace ", 2, true}, {"Console.Write", 5, false},
        {"{ get; set; }", 5, false}, {"async Task", 4, false}, {"public void ", 1, false},
        {"[HttpGet", 4, true}, {"[HttpPost", 4, true}, {"string ", 1, false}, {"var ", 1, false},
        {"public override ", 2, false}}},
      {"go",
       {{"package main", 5, true}, {"func ", 3, true}, {":=", 3, false}, {"fmt.", 4, false},
        {"err != nil", 5, false}, {"import (", 4, true}, {"defer ", 4, true}, {"chan ", 3, false},
        {"go func", 4, false}}},
      {"rust",
       {{"fn ", 3, true}, {"pub fn ", 4, true}, {"let mut ", 5, false}, {"impl ", 3, true},
        {"println!", 5, false}, {"use std::", 5, true}, {"-> Result<", 4, false},
        {"match ", 2, false}, {"&mut ", 4, false}, {"Option<", 2, false}, {".unwrap()", 4, false},
        {"::new(", 2, false}, {"#[derive", 5, true}}},
      {"sql",
       {{"SELECT ", 2, false}, {"FROM ", 2, false}, {"WHERE ", 2, false}, {"INSERT INTO", 4, false},
        {"UPDATE ", 1, true}, {" SET ", 2, false}, {"CREATE TABLE", 5, false}, {"JOIN ", 2, false},
        {"GROUP BY", 3, false}, {"ORDER BY", 3, false}, {"VALUES", 2, false},
        {"DELETE FROM", 4, false}, {"select ", 2, true}, {" from ", 1, false},
        {"where ", 1, false}, {"PRIMARY KEY", 4, false}, {"ALTER TABLE", 5, false}}},
      {"shell",
       {{"#!/bin/", 6, true}, {"#!/usr/bin/env bash", 6, true}, {"echo ", 2, true},
        {"export ", 1, true}, {"sudo ", 3, true}, {"apt-get ", 3, false}, {"fi", 1, true},
        {"then", 1, false}, {"done", 1, true}, {"$(", 2, false}, {"${", 1, false},
        {"| grep", 3, false}, {"chmod ", 3, true}, {"cd ", 1, true}, {"mkdir ", 2, true},
        {"curl ", 2, true}, {"esac", 4, true}, {" && ", 1, false}, {"$1", 2, false}}},
      {"apex",
       {{"trigger ", 3, true}, {"System.debug", 6, false}, {"[SELECT", 6, false},
        {"__c", 4, false}, {"Database.", 3, false}, {"@AuraEnabled", 6, true},
        {"with sharing", 6, false}, {"without sharing", 6, false}, {"Trigger.", 5, false},
        {"@isTest", 6, true}, {"Schema.", 3, false}, {"SObject", 4, false},
        {"List<Account>", 5, false}, {"List<Contact>", 5, false}, {"insert ", 1, true},
        {"update ", 1, true}, {"ApexPages.", 6, false}}},
  }};
  return langs;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}
std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

// `key: value`, `key = value`, `"key": value`, `[section]`, `- item`:
// returns the config flavour or an empty view.
std::string_view ConfigShape(std::string_view t) {
  if (t.size() >= 3 && t.front() == '[' && t.back() == ']' &&
      t.find(' ') == std::string_view::npos) {
    return "ini";
  }
  if (t.size() > 2 && t.front() == '"') {
    std::size_t q = t.find('"', 1);
    if (q != std::string_view::npos && q + 1 < t.size() && t[q + 1] == ':') return "json";
  }
  std::size_t k = 0;
  while (k < t.size() && IsIdentChar(t[k])) ++k;
  if (k == 0 || k > 64) return {};
  // Keys start lower case or are dotted/underscored ("Tel: ..." in a
  // signature is not configuration).
  const std::string_view key = t.substr(0, k);
  const bool code_key = std::islower(static_cast<unsigned char>(key[0])) != 0 ||
                        key.find_first_of("_.") != std::string_view::npos;
  std::size_t p = k;
  while (p < t.size() && t[p] == ' ') ++p;
  if (p >= t.size()) return {};
  if (t[p] == '=' && code_key && (p + 1 >= t.size() || t[p + 1] != '=')) return "ini";
  if (t[p] == ':' && p == k && code_key && (p + 1 == t.size() || t[p + 1] == ' ')) return "yaml";
  return {};
}

// Looks like a sentence: mostly alphabetic words, few code symbols.
bool ProseLine(std::string_view t) {
  int words = 0, symbols = 0, letters = 0;
  bool in_word = false;
  for (char ch : t) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalpha(c) != 0 || c >= 0x80) {
      ++letters;
      if (!in_word) ++words;
      in_word = true;
      continue;
    }
    in_word = false;
    if (std::strchr("{}[]();=<>_|&*+#$@\\/\"'`", c) != nullptr) ++symbols;
  }
  if (words < 5) return false;
  return symbols * 30 < letters;  // under ~3% code symbols
}

int CountOf(std::string_view s, std::string_view what) {
  int n = 0;
  for (std::size_t p = s.find(what); p != std::string_view::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// Statement keywords that start a line of code (lower case; SQL upper case).
bool KeywordStart(std::string_view t) {
  static constexpr std::array kKeywords = std::to_array<std::string_view>({
      "return", "if",     "elif",    "else",   "for",     "while",  "try",    "except",
      "with",   "def",    "class",   "import", "from",    "fn",     "let",    "const",
      "var",    "func",   "package", "use",    "using",   "echo",   "export", "fi",
      "done",   "break",  "continue", "pass",  "raise",   "throw",  "SELECT", "FROM",
      "WHERE",  "JOIN",   "GROUP",   "ORDER",  "LIMIT",   "AND",    "INSERT", "UPDATE",
      "DELETE", "VALUES", "SET",     "print",  "yield",   "await",  "async",  "static",
      "set",    "sudo",   "cd",      "chmod",  "mkdir",   "curl",   "git",    "npm",
      "pip",    "docker", "kubectl", "source", "case",    "esac",   "do",     "then",
      "local",  "apt",    "make",    "cmake",  "python",  "node",   "go",     "cargo",
  });
  std::size_t k = 0;
  while (k < t.size() && (std::isalpha(static_cast<unsigned char>(t[k])) != 0)) ++k;
  if (k == 0 || (k < t.size() && t[k] != ' ' && t[k] != ':' && t[k] != '(')) return false;
  const std::string_view w = t.substr(0, k);
  return std::find(kKeywords.begin(), kKeywords.end(), w) != kKeywords.end();
}

// Evidence that a line is code, whatever the language.
bool CodeLine(std::string_view t) {
  if (t.empty()) return false;
  if (KeywordStart(t) && !ProseLine(t)) return true;
  for (std::string_view c : {"#!", "//", "/*", "* ", "#include", "#define", "@"}) {
    if (t.substr(0, c.size()) == c) return true;
  }
  const char last = t.back();
  if (last == ';' || last == '{' || last == '}') return true;
  if (t == ")" || t == "]" || t == "});" || t == "]," || t == "}," || t == "end") return true;
  for (std::string_view op : {"==", "!=", "=>", "->", "::", "&&", "||", "+=", ":=", "();", "()",
                              "[]", "{}", "</", "/>", "#include", "//", "/*", "*/"}) {
    if (t.find(op) != std::string_view::npos) return true;
  }
  // name(args) or name = value without sentence shape.
  const std::size_t paren = t.find('(');
  if (paren != std::string_view::npos && paren > 0 && IsIdentChar(t[paren - 1]) &&
      t.find(')', paren) != std::string_view::npos && !ProseLine(t)) {
    return true;
  }
  if (last == ':' && !ProseLine(t) && t.find(' ') != std::string_view::npos &&
      t.find('(') != std::string_view::npos) {
    return true;  // def f(x):
  }
  return !ConfigShape(t).empty();
}

// What the validator needs to know about one line; it depends on the
// line's bytes alone.
struct LineFeatures {
  bool code = false;         // CodeLine
  bool prose = false;        // reads as a sentence and is not code
  bool indented = false;
  bool json = false;         // a JSON key line or a lone bracket
  bool commas_only = false;  // a CSV row: two or more commas, nothing code-like
  std::string_view shape;    // ConfigShape (a literal)
  std::array<int, kLanguageCount> score{};  // marker weight per language
};

LineFeatures Features(std::string_view raw) {
  LineFeatures f;
  const std::string_view t = TrimLeft(raw);
  f.code = CodeLine(t);
  f.prose = ProseLine(t) && !f.code;
  f.indented = t.size() < raw.size();
  f.shape = ConfigShape(t);
  f.json = f.shape == "json" || t == "{" || t == "}" || t == "[" || t == "]" || t == "}," || t == "],";
  f.commas_only = CountOf(t, ",") >= 2 && !f.code;
  for (std::size_t l = 0; l < kLanguageCount; ++l) {
    for (const Marker& m : Languages()[l].markers) {
      const bool hit = m.at_line_start ? t.substr(0, m.text.size()) == m.text
                                       : t.find(m.text) != std::string_view::npos;
      if (hit) f.score[l] += m.weight;
    }
  }
  return f;
}

// The features of recently seen lines, by content, per thread.
class LineCache {
 public:
  const LineFeatures& Get(std::string_view raw) {
    if (auto it = map_.find(raw); it != map_.end()) return it->second;
    if (map_.size() >= kMaxLines) map_.clear();
    return map_.emplace(std::string(raw), Features(raw)).first->second;
  }

 private:
  static constexpr std::size_t kMaxLines = 16384;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
  };
  std::unordered_map<std::string, LineFeatures, Hash, std::equal_to<>> map_;
};

// What the decision needs about a block: sums over its non-blank lines.
struct Totals {
  int lines = 0, code = 0, prose = 0, indented = 0, config = 0, json = 0, commas_only = 0;
  int ini = 0, yaml = 0;
  std::array<int, kLanguageCount> score{};

  void Add(const LineFeatures& f) {
    ++lines;
    code += f.code;
    prose += f.prose;
    indented += f.indented;
    config += !f.shape.empty();
    json += f.json;
    commas_only += f.commas_only;
    ini += f.shape == "ini";
    yaml += f.shape == "yaml";
    for (std::size_t l = 0; l < kLanguageCount; ++l) score[l] += f.score[l];
  }
  Totals Minus(const Totals& o) const {
    Totals d;
    d.lines = lines - o.lines;
    d.code = code - o.code;
    d.prose = prose - o.prose;
    d.indented = indented - o.indented;
    d.config = config - o.config;
    d.json = json - o.json;
    d.commas_only = commas_only - o.commas_only;
    d.ini = ini - o.ini;
    d.yaml = yaml - o.yaml;
    for (std::size_t l = 0; l < kLanguageCount; ++l) d.score[l] = score[l] - o.score[l];
    return d;
  }
};

// Adds one line (the bytes between two line breaks) as the validator splits
// a block: trailing blanks trimmed, blank lines not counted.
void AddLine(std::string_view line, LineCache& cache, Totals& t) {
  const std::string_view raw = TrimRight(line);
  if (!TrimLeft(raw).empty()) t.Add(cache.Get(raw));
}

// The detector's candidates are overlapping runs of lines: one per run end,
// each reaching back up to about 1 KiB, so consecutive calls see mostly the
// same lines. The memo keeps the text of recent calls with running totals
// per line, and a block that continues it (same bytes at the same address:
// the content is compared, never trusted) costs a comparison and two
// binary searches instead of a pass over its lines. Before it, 128 KiB of
// ";\n" took 20 s (and 1.8 s with the line cache alone).
class RunMemo {
 public:
  Totals Of(std::string_view block, LineCache& cache) {
    if (!Extend(block, cache)) Reset(block, cache);
    std::size_t off = Offset(block.data());
    std::size_t i = LineAt(off);
    if (i == kNone) {  // the block starts inside a remembered line
      Reset(block, cache);
      off = 0;
      i = 0;
    }
    // Lines i..j-1 end (their line break) inside the block; the block's
    // last line runs from bounds_[j] to its end.
    const std::size_t end = off + block.size();
    const std::size_t j =
        static_cast<std::size_t>(std::upper_bound(bounds_.begin(), bounds_.end(), end) - bounds_.begin()) - 1;
    Totals t = prefix_[j].Minus(prefix_[i]);
    AddLine(block.substr(bounds_[j] - off), cache, t);
    return t;
  }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  static constexpr std::size_t kMinCapacity = 16384;

  std::size_t Offset(const char* p) const {
    return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(p) -
                                    reinterpret_cast<std::uintptr_t>(base_));
  }

  // The index of the line that starts at `off`, or kNone.
  std::size_t LineAt(std::size_t off) const {
    auto it = std::lower_bound(bounds_.begin(), bounds_.end(), off);
    if (it == bounds_.end() || *it != off) return kNone;
    return static_cast<std::size_t>(it - bounds_.begin());
  }

  bool Extend(std::string_view block, LineCache& cache) {
    if (base_ == nullptr) return false;
    const auto p = reinterpret_cast<std::uintptr_t>(block.data());
    const auto b = reinterpret_cast<std::uintptr_t>(base_);
    if (p < b || p - b > text_.size()) return false;
    const std::size_t off = p - b;
    const std::size_t overlap = std::min(block.size(), text_.size() - off);
    if (std::memcmp(block.data(), text_.data() + off, overlap) != 0) return false;
    const std::size_t tail = block.size() - overlap;
    if (text_.size() + tail > std::max(kMinCapacity, 2 * block.size())) return false;
    text_.append(block.data() + overlap, tail);
    Split(cache);
    return true;
  }

  void Reset(std::string_view block, LineCache& cache) {
    base_ = block.data();
    text_.assign(block);
    bounds_.assign(1, 0);
    prefix_.assign(1, Totals{});
    Split(cache);
  }

  // Adds the complete lines after the last remembered line break.
  void Split(LineCache& cache) {
    std::size_t from = bounds_.back();
    for (std::size_t nl = text_.find('\n', from); nl != std::string::npos; nl = text_.find('\n', from)) {
      Totals t = prefix_.back();
      AddLine(std::string_view(text_).substr(from, nl - from), cache, t);
      prefix_.push_back(t);
      from = nl + 1;
      bounds_.push_back(from);
    }
  }

  const char* base_ = nullptr;  // where text_[0] was read from
  std::string text_;
  // bounds_[k]: where line k starts; the last entry is just past the last
  // line break. prefix_[k]: totals over lines before k.
  std::vector<std::size_t> bounds_;
  std::vector<Totals> prefix_;
};

ValidationResult ValidateSourceCode(std::string_view block, const ValidationContext&) {
  ValidationResult r;
  thread_local LineCache cache;
  thread_local RunMemo memo;
  const Totals t = memo.Of(block, cache);
  const int n = t.lines;
  if (n < 3) return r;
  // Mostly code, hardly any sentences, not a table. (Checked before the
  // language markers: most candidate blocks in prose stop here.)
  if (t.code * 10 < n * 6 || t.prose * 4 > n || t.commas_only * 2 > n) return r;
  const std::array<int, kLanguageCount>& score = t.score;
  // The language: the best marker score; configuration when the lines are
  // mostly key/value shapes and no language stands out.
  std::size_t best = 0;
  for (std::size_t l = 1; l < score.size(); ++l) {
    if (score[l] > score[best]) best = l;
  }
  std::string language;
  if (t.json * 2 >= n && block.find('"') != std::string_view::npos) {
    language = "json";
  } else if (score[best] >= 4 && score[best] >= n) {
    language = std::string(Languages()[best].name);
    // TypeScript is JavaScript with types; Apex is Java-like with its own
    // markers, which win when present.
    if (language == "javascript" || language == "typescript") {
      const int ts = score[2];
      language = ts >= 3 ? "typescript" : "javascript";
    }
    if (language == "java" && score[kLanguageCount - 1] >= 5) language = "apex";
  } else if (t.config * 10 >= n * 7) {
    // YAML nests by indentation or lists. Flat `key: value` lines
    // ("mobile: ...", "fax: ...") are as likely a contact block in a
    // letter; they count as YAML from five lines on.
    if (t.yaml >= t.ini && (t.indented > 0 || block.find("\n- ") != std::string_view::npos ||
                            (n >= 5 && t.yaml * 10 >= n * 9))) {
      language = "yaml";
    } else if (t.ini > t.yaml) {
      language = block.find('[') != std::string_view::npos ? "ini" : "properties";
    }
  }
  if (language.empty()) return r;
  r.valid = true;
  r.detail = language;
  return r;
}

constexpr ValidatorEntry kEntries[] = {
    {"source_code", ValidateSourceCode},
};

}  // namespace

std::span<const ValidatorEntry> SourceCodeValidators() { return kEntries; }

}  // namespace airlock::detect::internal
