// Validators for e-mail addresses, domain names / URLs and IP addresses.
//
// These are structural checks: the pattern finds something address-shaped,
// the validator rejects what cannot be one (an empty label, a numeric TLD, an
// octet above 255, a colon run that inet_pton refuses).
#include <arpa/inet.h>

#include <cctype>
#include <string>
#include <string_view>

#include "airlock/detect/validators.h"

namespace airlock::detect::internal {

namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c); }
bool IsHex(char c) { return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 1035 host name with at least two labels; the last label (TLD) is
// letters only, at least two, or an IDNA "xn--" label.
bool ValidHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.back() == '.') host.remove_suffix(1);
  int labels = 0;
  std::string_view last;
  while (!host.empty()) {
    std::size_t dot = host.find('.');
    std::string_view label = host.substr(0, dot);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!IsAsciiAlnum(c) && c != '-') return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
    if (host.empty()) return false;  // "a..b" or trailing dot after strip
  }
  if (labels < 2) return false;
  if (last.size() >= 4 && (last.substr(0, 4) == "xn--" || last.substr(0, 4) == "XN--")) return true;
  if (last.size() < 2 || last.size() > 24) return false;
  for (char c : last) {
    if (!IsAsciiAlpha(c)) return false;
  }
  return true;
}

// Dot-atom local part (RFC 5322 3.2.3): atext characters, dots only between
// them. Quoted local parts are legal but practically unused; not accepted.
bool ValidLocalPart(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  char prev = 0;
  for (char c : local) {
    if (c == '.' && prev == '.') return false;
    prev = c;
    if (IsAsciiAlnum(c) || c == '.') continue;
    if (std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos) continue;
    return false;
  }
  return true;
}

}  // namespace

ValidationResult ValidateEmail(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  if (candidate.size() > 254) return result;
  std::size_t at = candidate.rfind('@');
  if (at == std::string_view::npos || candidate.find('@') != at) return result;
  result.valid = ValidLocalPart(candidate.substr(0, at)) && ValidHostName(candidate.substr(at + 1));
  return result;
}

// A URL with an http(s) scheme or a "www." host: the host must be a valid
// host name (or an IPv4 literal).
ValidationResult ValidateDomain(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  std::string_view s = candidate;
  for (std::string_view scheme : {"https://", "http://", "HTTPS://", "HTTP://"}) {
    if (s.substr(0, scheme.size()) == scheme) {
      s.remove_prefix(scheme.size());
      break;
    }
  }
  std::size_t end = 0;
  while (end < s.size() && (IsAsciiAlnum(s[end]) || s[end] == '.' || s[end] == '-')) ++end;
  std::string_view host = s.substr(0, end);
  if (end < s.size() && s[end] != '/' && s[end] != ':' && s[end] != '?' && s[end] != '#') {
    return result;
  }
  if (ValidHostName(host)) {
    result.valid = true;
    return result;
  }
  in_addr v4{};
  std::string host_str(host);
  result.valid = inet_pton(AF_INET, host_str.c_str(), &v4) == 1;
  return result;
}

// Dotted quad, each octet 0-255 without leading zeros (a leading zero makes
// the octet ambiguous: some parsers read it as octal).
ValidationResult ValidateIpv4(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  int octets = 0;
  std::size_t i = 0;
  while (i <= candidate.size()) {
    std::size_t j = i;
    int value = 0;
    while (j < candidate.size() && IsAsciiDigit(candidate[j])) {
      value = value * 10 + (candidate[j] - '0');
      ++j;
    }
    std::size_t len = j - i;
    if (len == 0 || len > 3 || value > 255) return result;
    if (len > 1 && candidate[i] == '0') return result;
    ++octets;
    if (j == candidate.size()) break;
    if (candidate[j] != '.') return result;
    i = j + 1;
  }
  result.valid = octets == 4;
  if (result.valid) result.detail = "v4";
  return result;
}

// Any RFC 4291 text form inet_pton accepts (full, "::"-compressed, with an
// embedded IPv4 tail). Bare colon runs that inet_pton also accepts but that
// are far more often something else are refused: "::" alone, and compressed
// forms with fewer than three groups that contain no digit ("abc::def",
// "a::b" in C++ source). "::1" and "fe80::1" pass.
ValidationResult ValidateIpv6(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  if (candidate.size() < 3 || candidate.size() > 45) return result;
  std::string text(candidate);
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return result;
  bool compressed = text.find("::") != std::string::npos;
  int groups = 0;
  bool has_digit = false;
  bool in_group = false;
  for (char c : text) {
    if (IsHex(c) || c == '.') {
      if (!in_group) ++groups;
      in_group = true;
      if (IsAsciiDigit(c)) has_digit = true;
    } else {
      in_group = false;
    }
  }
  if (groups == 0) return result;
  if (compressed && groups < 3 && !has_digit) return result;
  result.valid = true;
  result.detail = "v6";
  return result;
}

// Either family; for detectors whose pattern may match both.
ValidationResult ValidateIp(std::string_view candidate, const ValidationContext& ctx) {
  if (candidate.find(':') != std::string_view::npos) return ValidateIpv6(candidate, ctx);
  return ValidateIpv4(candidate, ctx);
}

}  // namespace airlock::detect::internal
