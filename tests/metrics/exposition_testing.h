// Helpers for reading Prometheus text exposition in tests: a line grammar
// check independent of the renderer, and lookup of one sample's value.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace airlock::metrics::testing {

// Text format 0.0.4, one line at a time (a label value is any run of
// non-quote, non-backslash characters or an escape of \, " or n).
inline void ExpectWellFormed(const std::string& text) {
  static const std::regex kHelp(R"(# HELP [a-zA-Z_:][a-zA-Z0-9_:]* ([^\\\n]|\\[\\n])*)");
  static const std::regex kType(R"(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram))");
  static const std::regex kSample(
      R"re([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? ([-+]?[0-9.eE+-]+|[+-]Inf|NaN))re");
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const bool ok = std::regex_match(line, kHelp) || std::regex_match(line, kType) ||
                    std::regex_match(line, kSample);
    EXPECT_TRUE(ok) << "line " << n << " is not exposition format: " << line;
  }
}

// The value of the sample whose name-and-labels part is exactly `series`.
inline std::optional<std::string> Sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ')
      return line.substr(series.size() + 1);
  }
  return std::nullopt;
}

// Every label value in the sample lines (unescaped).
inline std::set<std::string> LabelValues(const std::string& text) {
  static const std::regex kLabel(R"re([a-zA-Z_][a-zA-Z0-9_]*="((?:[^"\\]|\\.)*)")re");
  std::set<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    for (std::sregex_iterator it(line.begin(), line.end(), kLabel), end; it != end; ++it) {
      std::string v, raw = (*it)[1];
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
          ++i;
          v.push_back(raw[i] == 'n' ? '\n' : raw[i]);
        } else {
          v.push_back(raw[i]);
        }
      }
      out.insert(v);
    }
  }
  return out;
}

}  // namespace airlock::metrics::testing
