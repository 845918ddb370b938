#include "internal/code_lines.h"

#include <array>
#include <string>
#include <vector>

namespace airlock::detect::internal {
namespace {

// LINE of the source_code pattern, as in data/detectors/source_code.yaml.
constexpr std::string_view kLine =
    R"((?:(?:[ \t]*[#/*@<}\])-]|  |\t|[ \t]*(?:import|from|return|def|class|if|elif|else|for|while|try|except|with|SELECT|FROM|WHERE|JOIN|GROUP|ORDER|LIMIT|AND|select|where|join|package|use|using|echo|export|sudo|cd|set|fi|done|end)\b|[ \t]*[A-Za-z_"][\w.\-"]*:|[^\n]*[=(])[^\n]*|[^\n]*[{};,)\]\\][ \t\r]*))";

// The keywords of LINE's fourth alternative (compared without case and
// without the \b after them: a superset).
constexpr auto kKeywords = std::to_array<std::string_view>(
    {"import", "from",   "return", "def",     "class", "if",    "elif",  "else",
     "for",    "while",  "try",    "except",  "with",  "select", "where", "join",
     "group",  "order",  "limit",  "and",     "package", "use", "using", "echo",
     "export", "sudo",   "cd",     "set",     "fi",    "done",  "end"});

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsCodeRunPattern(std::string_view expression) {
  static const std::string expected = "(?m)^" + std::string(kLine) + R"((?:\r?\n(?:[ \t]*\r?\n)?)" +
                                      std::string(kLine) + "){2,}$";
  return expression == expected;
}

bool IsBlankLine(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

bool MayBeCodeLine(std::string_view line) {
  // Two spaces or a tab first.
  if (line.substr(0, 2) == "  " || (!line.empty() && line[0] == '\t')) return true;
  // Anywhere: '=' or '(' (two memchr passes: find_first_of with a set
  // calls memchr once per byte of the line).
  if (line.find('=') != std::string_view::npos || line.find('(') != std::string_view::npos) return true;
  // Last byte before trailing spaces, tabs and carriage returns.
  const std::size_t last = line.find_last_not_of(" \t\r");
  if (last != std::string_view::npos && std::string_view("{};,)]\\").find(line[last]) != std::string_view::npos) {
    return true;
  }
  const std::size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return false;
  const std::string_view rest = line.substr(first);
  // A comment, tag or closing bracket first.
  if (std::string_view("#/*@<}])-").find(rest[0]) != std::string_view::npos) return true;
  // The keywords that begin with the line's first letter (any case).
  static const auto kByLetter = [] {
    std::array<std::vector<std::string_view>, 26> by;
    for (std::string_view k : kKeywords) by[static_cast<std::size_t>(k[0] - 'a')].push_back(k);
    return by;
  }();
  if (const char c0 = Lower(rest[0]); c0 >= 'a' && c0 <= 'z') {
    for (std::string_view k : kByLetter[static_cast<std::size_t>(c0 - 'a')]) {
      if (StartsWithNoCase(rest, k)) return true;
    }
  }
  // `name:`: [A-Za-z_"] then [\w.\-"]* (any byte >= 0x80 counted as a word
  // byte: \w in UTF-8 mode) then ':'.
  if (IsAlpha(rest[0]) || rest[0] == '_' || rest[0] == '"') {
    for (std::size_t i = 1; i < rest.size(); ++i) {
      const char c = rest[i];
      if (c == ':') return true;
      if (!(IsAlpha(c) || IsDigit(c) || c == '_' || c == '.' || c == '-' || c == '"' ||
            static_cast<unsigned char>(c) >= 0x80)) {
        break;
      }
    }
  }
  return false;
}

}  // namespace airlock::detect::internal
