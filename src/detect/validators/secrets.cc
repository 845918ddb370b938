// Validators for credentials (data/detectors/secrets.yaml).
//
// Provider tokens have distinctive prefixes, so their patterns are strong;
// what the validators add is the rejection of placeholders ("ghp_xxxx...",
// "AKIA...EXAMPLE", "<your token>", "${TOKEN}") and of low-entropy strings.
// The generic checks (assignments, URLs with passwords, Authorization
// headers, curl -u) extract the value and apply a Shannon-entropy floor and
// a stop list of documentation words, so that `password=changeme` is not
// reported.
//
// Thresholds are named constants below (the catalog has no entropy field);
// secrets.yaml says which validator applies which.
//
// Validators never copy the candidate into their result: `detail` holds only
// value-free facts (the kind of token, the JWT algorithm family).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/detect/validators.h"
#include "internal/validator_table.h"

namespace airlock::detect::internal {

namespace {

// --- thresholds (bits of Shannon entropy per byte, lengths in bytes) ------
// A provider token's random part (prefix removed).
constexpr double kTokenMinEntropy = 3.0;
// A value assigned to a token / secret / api-key name.
constexpr double kSecretMinEntropy = 3.0;
constexpr std::size_t kSecretMinLength = 10;
// A value assigned to a name that only says "key" (HEROKU_KEY, apiKey): the
// name is weaker, so the value must be longer.
constexpr std::size_t kKeyMinLength = 16;
constexpr double kKeyMinEntropy = 3.2;
// A value assigned to a password name: people choose passwords, so the
// entropy floor is lower and the stop list does most of the work.
constexpr double kPasswordMinEntropy = 2.3;
constexpr std::size_t kPasswordMinLength = 6;
// A run of one character this long marks a placeholder ("xxxxxxxx", "0000").
constexpr std::size_t kMaxRun = 6;
// Private key bodies: base64 characters needed between BEGIN and END.
constexpr std::size_t kMinKeyBody = 40;

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

double ShannonEntropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<std::size_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0;
  const double n = static_cast<double>(s.size());
  for (std::size_t k : counts) {
    if (k == 0) continue;
    const double p = static_cast<double>(k) / n;
    h -= p * std::log2(p);
  }
  return h;
}

std::size_t LongestRun(std::string_view s) {
  std::size_t best = 0;
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    run = (i > 0 && s[i] == s[i - 1]) ? run + 1 : 1;
    best = std::max(best, run);
  }
  return best;
}

// Length of the longest run of consecutive ascending characters ("12345",
// "abcdef"): typed placeholders, not random output.
std::size_t LongestAscending(std::string_view s) {
  std::size_t best = s.empty() ? 0 : 1;
  std::size_t run = 1;
  for (std::size_t i = 1; i < s.size(); ++i) {
    run = (IsAlnum(s[i]) && Lower(s[i]) == Lower(s[i - 1]) + 1) ? run + 1 : 1;
    best = std::max(best, run);
  }
  return best;
}
constexpr std::size_t kMaxAscending = 6;

// Words that mark documentation, templates and examples rather than a real
// credential. Matched as substrings of the lower-cased value.
constexpr std::string_view kStopSubstrings[] = {
    "changeme", "change_me", "change-me", "example",   "placeholder", "your_",
    "your-",    "yourpass",  "yourkey",   "yourtoken", "yoursecret",  "redacted",
    "dummy",    "sample",    "insert",    "replace",   "_here",       "-here",
    "xxxx",     "****",      "..",        "password",  "passwd",      "secret",
    "<",        ">",         "${",        "{{",        "$(",          "%(",
};
// Whole values that are never a credential.
constexpr std::string_view kStopWords[] = {
    "null",    "none",  "nil",    "true",    "false",   "undefined", "empty", "string",   "test",
    "testing", "admin", "root",   "pass",    "user",    "username",  "token", "key",      "foo",
    "bar",     "baz",   "qwerty", "letmein", "hunter2", "default",   "value", "required",
};

// True when the value reads like a placeholder rather than a credential.
bool IsPlaceholder(std::string_view value) {
  if (value.empty()) return true;
  const std::string low = ToLower(value);
  for (auto w : kStopWords) {
    if (low == w) return true;
  }
  for (auto w : kStopSubstrings) {
    if (Contains(low, w)) return true;
  }
  if (LongestRun(value) >= kMaxRun) return true;
  if (LongestAscending(value) >= kMaxAscending) return true;
  // Environment / template references: $VAR, %VAR%, #{...}, process.env.X.
  if (value.front() == '$' || value.front() == '%' || value.front() == '#') return true;
  if (Contains(low, "process.env") || Contains(low, "environ") || Contains(low, "getenv") ||
      Contains(low, "secrets.") || Contains(low, "vault:")) {
    return true;
  }
  // Mostly x / X: "sk-xxxxxxxxxx-xxxx".
  std::size_t xs = 0;
  std::size_t alnum = 0;
  for (char c : value) {
    if (IsAlnum(c)) ++alnum;
    if (c == 'x' || c == 'X') ++xs;
  }
  return alnum > 0 && xs * 3 >= alnum;
}

// A provider token: placeholder check on the whole token, entropy on the part
// after its prefix (the prefix is constant and would lower the figure).
bool TokenLooksRandom(std::string_view token, std::size_t prefix_len) {
  if (IsPlaceholder(token)) return false;
  std::string_view body = token.substr(std::min(prefix_len, token.size()));
  return ShannonEntropy(body) >= kTokenMinEntropy;
}

// Length of a token's fixed prefix: up to and including the last '_' or '-'
// among the first 16 bytes when what precedes is letters/digits only.
std::size_t PrefixLength(std::string_view token) {
  std::size_t len = 0;
  for (std::size_t i = 0; i < token.size() && i < 16; ++i) {
    const char c = token[i];
    if (c == '_' || c == '-' || c == '.') {
      len = i + 1;
    } else if (!IsAlnum(c)) {
      break;
    }
  }
  return len;
}

ValidationResult Valid(std::string detail = {}) {
  ValidationResult r;
  r.valid = true;
  r.detail = std::move(detail);
  return r;
}

// --- provider tokens -------------------------------------------------------

ValidationResult ValidateProviderToken(std::string_view candidate, const ValidationContext&) {
  std::string_view t = candidate;
  while (!t.empty() && (IsSpace(t.back()) || t.back() == '"' || t.back() == '\'')) {
    t.remove_suffix(1);
  }
  if (t.size() < 16) return {};
  if (!TokenLooksRandom(t, PrefixLength(t))) return {};
  return Valid();
}

// AKIA / ASIA / ... + 16 base32 characters. The documented example key ends
// in "EXAMPLE"; a run of one letter is a mask.
ValidationResult ValidateAwsKeyId(std::string_view candidate, const ValidationContext&) {
  if (candidate.size() != 20) return {};
  if (IsPlaceholder(candidate)) return {};
  std::string_view body = candidate.substr(4);
  if (ShannonEntropy(body) < 2.8) return {};
  std::string detail = candidate.substr(0, 4) == "ASIA" ? "temporary" : "long-term";
  return Valid(std::move(detail));
}

// The secret is the last 40 characters of the match.
ValidationResult ValidateAwsSecret(std::string_view candidate, const ValidationContext&) {
  if (candidate.size() < 40) return {};
  std::string_view s = candidate.substr(candidate.size() - 40);
  for (char c : s) {
    if (!IsAlnum(c) && c != '/' && c != '+') return {};
  }
  if (IsPlaceholder(s)) return {};
  if (ShannonEntropy(s) < 4.0) return {};
  return Valid();
}

// --- JWT -------------------------------------------------------------------

int B64Value(char c) {
  if (IsUpper(c)) return c - 'A';
  if (IsLower(c)) return c - 'a' + 26;
  if (IsDigit(c)) return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Decodes base64 or base64url (padding optional); false on a bad character.
bool DecodeBase64(std::string_view in, std::string* out) {
  out->clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const int v = B64Value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

// header.payload.signature: the header must decode to a JSON object naming
// "alg", the payload to a JSON object.
ValidationResult ValidateJwt(std::string_view candidate, const ValidationContext&) {
  const std::size_t d1 = candidate.find('.');
  if (d1 == std::string_view::npos) return {};
  std::size_t d2 = candidate.find('.', d1 + 1);
  // A long token matched by its first 1 KB: header and payload start only.
  const bool truncated = d2 == std::string_view::npos;
  if (truncated) d2 = candidate.size() - (candidate.size() - d1 - 1) % 4;
  std::string header;
  std::string payload;
  if (!DecodeBase64(candidate.substr(0, d1), &header)) return {};
  if (!DecodeBase64(candidate.substr(d1 + 1, d2 - d1 - 1), &payload)) return {};
  if (header.size() < 8 || header.front() != '{' || !Contains(header, "\"alg\"")) return {};
  if (payload.size() < 2 || payload.front() != '{') return {};
  if (truncated) return Valid("signed (long token)");
  const std::string_view sig = candidate.substr(d2 + 1);
  std::string detail = "signed";
  if (Contains(header, "\"none\"") || Contains(header, "\"None\"")) {
    detail = "unsigned (alg none)";
  } else if (sig.empty()) {
    return {};  // header.payload. with a signing alg: a fragment, not a token
  }
  return Valid(std::move(detail));
}

// --- private keys ----------------------------------------------------------

// BEGIN line, body, optional END line. The body (escaped "\n" and header
// lines such as "Proc-Type: 4,ENCRYPTED" aside) must hold enough base64.
ValidationResult ValidatePrivateKey(std::string_view candidate, const ValidationContext&) {
  std::size_t p = candidate.find("-----", 5);  // end of the BEGIN marker
  if (p == std::string_view::npos) return {};
  std::string_view body = candidate.substr(p + 5);
  const std::size_t end = body.find("-----END");
  if (end != std::string_view::npos) body = body.substr(0, end);
  if (Contains(body, "-----BEGIN")) return {};  // two keys: try a shorter end
  std::string b64;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    const bool eol = i == body.size() || body[i] == '\n' ||
                     (body[i] == '\\' && i + 1 < body.size() && body[i + 1] == 'n');
    if (!eol) continue;
    std::string_view line = body.substr(line_start, i - line_start);
    if (!Contains(line, ":")) {
      for (char c : line) {
        if (IsAlnum(c) || c == '+' || c == '/') b64.push_back(c);
      }
    }
    line_start = (i < body.size() && body[i] == '\\') ? i + 2 : i + 1;
    if (i < body.size() && body[i] == '\\') ++i;
  }
  if (b64.size() < kMinKeyBody) return {};
  if (IsPlaceholder(b64) || ShannonEntropy(b64) < 4.0) return {};
  std::string detail = "private key";
  if (Contains(candidate.substr(0, p), "RSA")) detail = "RSA";
  if (Contains(candidate.substr(0, p), "EC ")) detail = "EC";
  if (Contains(candidate.substr(0, p), "OPENSSH")) detail = "OpenSSH";
  if (Contains(candidate.substr(0, p), "PGP")) detail = "PGP";
  if (Contains(candidate.substr(0, p), "ENCRYPTED")) detail = "encrypted";
  if (end == std::string_view::npos) detail += " (no END line)";
  return Valid(std::move(detail));
}

// --- values of secret-ish names ------------------------------------------

bool IsIdentChar(char c) { return IsAlnum(c) || c == '_' || c == '.' || c == '-'; }

// Splits an identifier into lower-case words: at _ . - and at case changes
// (apiKey, HTTPToken → http, token).
std::vector<std::string> IdentWords(std::string_view ident) {
  std::vector<std::string> words;
  std::string cur;
  for (std::size_t i = 0; i < ident.size(); ++i) {
    const char c = ident[i];
    if (!IsAlnum(c)) {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
      continue;
    }
    const bool boundary =
        !cur.empty() && IsUpper(c) &&
        (IsLower(ident[i - 1]) ||
         (i + 1 < ident.size() && IsLower(ident[i + 1]) && IsUpper(ident[i - 1])));
    if (boundary) {
      words.push_back(cur);
      cur.clear();
    }
    cur.push_back(Lower(c));
  }
  if (!cur.empty()) words.push_back(cur);
  // "key1" → "key"
  for (auto& w : words) {
    while (w.size() > 1 && IsDigit(w.back())) w.pop_back();
  }
  return words;
}

enum class NameKind { kNone, kPassword, kSecret, kKey };

// Words of a name that say its value is not the secret itself.
constexpr std::string_view kNameStopWords[] = {
    "id",       "ids",     "name",   "names",    "size",     "length", "len",     "file",
    "path",     "url",     "uri",    "type",     "chars",    "str",    "string",  "version",
    "mode",     "format",  "field",  "prefix",   "suffix",   "count",  "index",   "idx",
    "selector", "pressed", "frame",  "public",   "pub",      "vault",  "store",   "alias",
    "header",   "param",   "policy", "provider", "endpoint", "expiry", "expires", "ttl",
    "timeout",  "dir",     "csrf",   "xsrf",     "label",    "hint",   "regex",   "pattern",
    "min",      "max",     "schema", "sequence",
};

NameKind ClassifyName(std::string_view ident) {
  const auto words = IdentWords(ident);
  if (words.empty()) return NameKind::kNone;
  for (const auto& w : words) {
    for (auto s : kNameStopWords) {
      if (w == s) return NameKind::kNone;
    }
  }
  NameKind kind = NameKind::kNone;
  for (const auto& w : words) {
    if (Contains(w, "password") || Contains(w, "passwd") || w == "pwd" || w == "pass" ||
        w == "passphrase") {
      return NameKind::kPassword;
    }
    if (Contains(w, "secret") || Contains(w, "token") || Contains(w, "credential") ||
        w == "apikey" || w == "accesskey") {
      kind = NameKind::kSecret;
    }
  }
  if (kind != NameKind::kNone) return kind;
  const std::string& last = words.back();
  if (last == "auth") return NameKind::kSecret;
  if (last.size() >= 3 && last.compare(last.size() - 3, 3, "key") == 0) {
    // api_key, access_key: the qualifier makes it as strong as "token".
    if (words.size() >= 2) {
      const std::string& q = words[words.size() - 2];
      if (q == "api" || q == "access" || q == "secret" || q == "private" || q == "auth" ||
          q == "client" || q == "master" || q == "signing" || q == "encryption") {
        return NameKind::kSecret;
      }
    }
    return NameKind::kKey;
  }
  return NameKind::kNone;
}

// Prefixes that a dedicated detector handles with a stricter pattern.
constexpr std::string_view kDedicatedPrefixes[] = {
    "xox",    "xapp-",  "ghp_",  "gho_",     "ghu_",     "ghs_",     "ghr_",     "github_pat_",
    "glpat-", "glptt-", "glrt-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "SG.",
    "AKIA",   "ASIA",   "AIza",  "sk-ant-",  "hf_",      "npm_",     "ATBB",     "-----BEGIN",
};

// Identifiers and code references: `new`, `args`, `self.token`,
// `SharedIniFileCredentials` are names, not values.
bool LooksLikeCodeReference(std::string_view v) {
  bool has_digit = false;
  bool has_sym = false;
  for (char c : v) {
    if (IsDigit(c)) has_digit = true;
    if (!IsAlnum(c) && c != '_' && c != '.') has_sym = true;
  }
  if (has_digit || has_sym) return false;
  // letters, '_' and '.' only
  if (Contains(v, "_") || Contains(v, ".")) return true;
  // camelCase / PascalCase words: a lower-case letter followed by upper case,
  // with long lower-case stretches.
  std::size_t lower_run = 0;
  std::size_t best_lower = 0;
  for (char c : v) {
    lower_run = IsLower(c) ? lower_run + 1 : 0;
    best_lower = std::max(best_lower, lower_run);
  }
  return best_lower >= 4 || v.size() <= 12;
}

// Two or more lower-case words of 4+ letters ("jjwt-jackson-0.11",
// "my.secret.name"): prose or an identifier, not generated.
bool HasWords(std::string_view v) {
  int words = 0;
  std::size_t run = 0;
  bool pure = true;
  for (std::size_t i = 0; i <= v.size(); ++i) {
    const bool sep = i == v.size() || v[i] == '-' || v[i] == '_' || v[i] == '.' || v[i] == ':' ||
                     v[i] == ' ' || v[i] == '/';
    if (sep) {
      if (pure && run >= 4) ++words;
      run = 0;
      pure = true;
      continue;
    }
    if (IsLower(v[i])) {
      ++run;
    } else {
      pure = false;
    }
  }
  return words >= 2;
}

bool ValueAcceptable(std::string_view value, NameKind kind) {
  if (IsPlaceholder(value)) return false;
  if (Contains(value, "://")) return false;
  for (auto p : kDedicatedPrefixes) {
    if (value.substr(0, p.size()) == p) return false;
  }
  if (value.substr(0, 3) == "eyJ" && Contains(value, ".")) return false;  // JWT detector
  if (value.size() > 6 && value.substr(4, 2) == "Q~") return false;       // Azure AD secret
  const double h = ShannonEntropy(value);
  switch (kind) {
    case NameKind::kPassword:
      if (value.size() < kPasswordMinLength || h < kPasswordMinEntropy) return false;
      // A bare word as a password value reads like documentation.
      if (LooksLikeCodeReference(value) && value.size() <= 12) return false;
      return true;
    case NameKind::kSecret:
      if (value.size() < kSecretMinLength || h < kSecretMinEntropy) return false;
      return !LooksLikeCodeReference(value) && !HasWords(value);
    case NameKind::kKey:
      if (value.size() < kKeyMinLength || h < kKeyMinEntropy) return false;
      // key="jetbrains.mps.v8", bucket_key: "Sales-1.2": names and versions.
      if (Contains(value, ".")) return false;
      return !LooksLikeCodeReference(value) && !HasWords(value);
    case NameKind::kNone:
      return false;
  }
  return false;
}

bool IsQuote(char c) { return c == '"' || c == '\'' || c == '`'; }

// name [quote] [space] operator [space] [quote] value [terminator]
ValidationResult ValidateSecretAssignment(std::string_view candidate, const ValidationContext&) {
  std::size_t i = 0;
  while (i < candidate.size() && IsIdentChar(candidate[i])) ++i;
  std::string_view name = candidate.substr(0, i);
  while (!name.empty() && (name.back() == '.' || name.back() == '-')) name.remove_suffix(1);
  const NameKind kind = ClassifyName(name);
  if (kind == NameKind::kNone) return {};
  // Closing quote / bracket of the name, spaces, operator, spaces, quote.
  while (i < candidate.size() && (IsQuote(candidate[i]) || candidate[i] == ']')) ++i;
  while (i < candidate.size() && (candidate[i] == ' ' || candidate[i] == '\t')) ++i;
  const std::size_t op_start = i;
  while (i < candidate.size() &&
         (candidate[i] == '=' || candidate[i] == ':' || candidate[i] == '?' ||
          candidate[i] == '>' || candidate[i] == ',')) {
    ++i;
  }
  if (i == op_start) return {};
  const std::string_view op = candidate.substr(op_start, i - op_start);
  while (i < candidate.size() && (candidate[i] == ' ' || candidate[i] == '\t')) ++i;
  bool quoted = false;
  while (i < candidate.size() && IsQuote(candidate[i])) {
    quoted = true;
    ++i;
  }
  // A "name", "value" pair (getenv("API_TOKEN", "...")) needs the quotes.
  if (op == "," && !quoted) return {};
  std::string_view value = candidate.substr(i);
  while (!value.empty() && !IsAlnum(value.back()) &&
         (IsSpace(value.back()) || IsQuote(value.back()) || value.back() == ',' ||
          value.back() == ';' || value.back() == ')' || value.back() == '}' ||
          value.back() == ']' || value.back() == '>' || value.back() == '<' ||
          value.back() == '(' || value.back() == '{' || value.back() == '[' ||
          value.back() == '\\')) {
    value.remove_suffix(1);
  }
  if (!ValueAcceptable(value, kind)) return {};
  switch (kind) {
    case NameKind::kPassword:
      return Valid("password");
    case NameKind::kKey:
      return Valid("key");
    default:
      return Valid("secret");
  }
}

// scheme://user:password@host — the password must not be a placeholder.
ValidationResult ValidateUrlCredentials(std::string_view candidate, const ValidationContext&) {
  const std::size_t s = candidate.find("://");
  if (s == std::string_view::npos) return {};
  std::string_view rest = candidate.substr(s + 3);
  const std::size_t at = rest.find('@');
  if (at == std::string_view::npos) return {};
  std::string_view userinfo = rest.substr(0, at);
  const std::size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view user = userinfo.substr(0, colon);
  std::string_view pass = userinfo.substr(colon + 1);
  if (pass.size() < 3) return {};
  // host:port@ is not userinfo.
  if (std::all_of(pass.begin(), pass.end(), IsDigit) && pass.size() <= 5) return {};
  const std::string low = ToLower(pass);
  if (IsPlaceholder(pass) || low == "pass" || low == "pwd" || low == user) return {};
  for (auto w : {"pass", "password", "passw0rd", "pw", "secret", "changeme", "xxx", "***"}) {
    if (low == w) return {};
  }
  if (low.front() == '[' || low.front() == '{' || low.front() == '*') return {};
  return Valid("password in URL");
}

// Authorization: [scheme] credentials
ValidationResult ValidateAuthHeader(std::string_view candidate, const ValidationContext&) {
  std::size_t colon = candidate.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view rest = candidate.substr(colon + 1);
  while (!rest.empty() && (rest.back() == '"' || rest.back() == '\'' || rest.back() == '`' ||
                           IsSpace(rest.back()) || rest.back() == '\\')) {
    rest.remove_suffix(1);
  }
  while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
  std::string scheme;
  std::string_view value = rest;
  const std::size_t sp = rest.find_first_of(" \t");
  if (sp != std::string_view::npos) {
    scheme = ToLower(rest.substr(0, sp));
    value = rest.substr(sp);
    while (!value.empty() && IsSpace(value.front())) value.remove_prefix(1);
  }
  if (value.size() < 8 || IsPlaceholder(value)) return {};
  if (Contains(value, "{") || Contains(value, "}")) return {};
  if (scheme == "basic") {
    std::string decoded;
    if (!DecodeBase64(value, &decoded)) return {};
    if (!Contains(decoded, ":")) return {};
    return Valid("basic");
  }
  if (ShannonEntropy(value) < kTokenMinEntropy) return {};
  return Valid(scheme.empty() ? "token" : scheme);
}

// curl -u / --user user:password
ValidationResult ValidateCurlUser(std::string_view candidate, const ValidationContext&) {
  std::size_t p = candidate.rfind("--user");
  std::size_t flag_len = 6;
  const std::size_t u = candidate.rfind("-u");
  if (p == std::string_view::npos || (u != std::string_view::npos && u > p + 1)) {
    p = u;
    flag_len = 2;
  }
  if (p == std::string_view::npos) return {};
  std::string_view arg = candidate.substr(p + flag_len);
  while (!arg.empty() && IsSpace(arg.front())) arg.remove_prefix(1);
  while (!arg.empty() && IsSpace(arg.back())) arg.remove_suffix(1);
  std::string v;
  for (char c : arg) {
    if (!IsQuote(c)) v.push_back(c);
  }
  if (v.size() < 3) return {};
  if (v.front() == '$' || Contains(v, ":$") || Contains(v, "${") || Contains(v, "$(") ||
      Contains(v, "<") || Contains(v, "[") || Contains(v, "{{") || Contains(v, "`")) {
    return {};
  }
  const std::size_t colon = v.find(':');
  if (colon == std::string::npos) return {};
  std::string user = v.substr(0, colon);
  std::string pass = v.substr(colon + 1);
  auto unbrace = [](std::string& s) {
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
  };
  unbrace(user);
  unbrace(pass);
  // "-u :token" and "-u token:" put the secret on one side.
  std::string secret = pass.empty() ? user : pass;
  if (secret.size() < kPasswordMinLength) return {};
  if (IsPlaceholder(secret)) return {};
  const std::string low = ToLower(secret);
  for (auto w : {"password", "token", "secret", "apikey", "api_key"}) {
    if (low == w) return {};
  }
  if (LooksLikeCodeReference(secret) && ShannonEntropy(secret) < 3.5) return {};
  if (ShannonEntropy(secret) < kPasswordMinEntropy) return {};
  return Valid("curl user");
}

// Azure storage / service bus connection strings: the key must be random.
ValidationResult ValidateConnectionString(std::string_view candidate, const ValidationContext&) {
  std::size_t p = candidate.rfind("Key=");
  if (p == std::string_view::npos) return {};
  std::string_view key = candidate.substr(p + 4);
  while (!key.empty() && key.back() == '=') key.remove_suffix(1);
  if (key.size() < 32 || IsPlaceholder(key)) return {};
  if (ShannonEntropy(key) < 4.0) return {};
  return Valid();
}

constexpr ValidatorEntry kEntries[] = {
    {"provider_token", &ValidateProviderToken},
    {"aws_key_id", &ValidateAwsKeyId},
    {"aws_secret", &ValidateAwsSecret},
    {"jwt", &ValidateJwt},
    {"private_key", &ValidatePrivateKey},
    {"secret_assignment", &ValidateSecretAssignment},
    {"url_credentials", &ValidateUrlCredentials},
    {"auth_header", &ValidateAuthHeader},
    {"curl_user", &ValidateCurlUser},
    {"connection_string_key", &ValidateConnectionString},
};

}  // namespace

std::span<const ValidatorEntry> SecretValidators() { return kEntries; }

}  // namespace airlock::detect::internal
