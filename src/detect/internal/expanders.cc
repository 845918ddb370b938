// Person-name span expanders.
//
// Name detectors find a seed (a capitalised word, or a cue such as "Mr." or
// "Kind regards,\n") and these hooks turn it into the span of the whole
// name: "Ken N. Fukuda", "Ludwig van Beethoven", "Jean-Luc Picard", or drop
// it. Widening is structural (capitalisation, initials, hyphens, apostrophes,
// lower-case particles); the gazetteer (data/detectors/names/) decides which
// capitalised words are names at all.
//
// Why the gazetteer is looked up here and not compiled as a catalog
// `dictionary:`: its ~60,000 entries, each a \b-bounded pattern with
// start-of-match, take minutes to compile into the vectorscan database; one
// capital-letter pattern plus a hash lookup per capitalised word costs
// nothing to compile and little to run.
//
// Expanders:
//   person_name       the match starts a capitalised word; it is a finding
//                     when the word is a gazetteer given name, or a surname
//                     inside a name of two or more words.
//   person_name       (also) a capitalised word in no list, followed by an
//                     initial and a name ("Szabina J Gelencsér"); a lone
//                     surname mid-sentence after a lower-case word that
//                     does not introduce a place ("starring Borkowski").
//   person_after_cue  the match is a title that ends on the first letter of
//                     the name ("Mrs. Brown"); the span becomes the name
//                     after the cue.
//   person_after_intro
//                     the same after an introduction, a greeting or a
//                     phrase ("Dear", "signed by"): a name made only of
//                     common words ("signed Master Services Agreement") is
//                     dropped.
//   person_after_cue_lower
//                     the same for a name written in lower case after "my
//                     name is", "call me"; the first word must be a name.
#include "internal/expanders.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <vector>
#include <array>
#include <cctype>
#include <fstream>
#include <string>

#include "airlock/detect/catalog.h"
#include "internal/flat_set.h"

namespace airlock::detect::internal {
namespace {

constexpr std::size_t kNpos = std::string_view::npos;
// At most this many tokens are added on either side of a seed.
constexpr int kMaxRightTokens = 4;
constexpr int kMaxLeftTokens = 2;
// ExtendLeft takes one or two words per step (kNameLeftWords in expanders.h).
static_assert(2 * kMaxLeftTokens == kNameLeftWords);

// Words that never start or continue a person name when capitalised
// (sentence starters, pronouns, greetings, months, weekdays, roles).
constexpr std::array kFunctionWords = std::to_array<std::string_view>({
    "a",         "about",      "account",   "address",    "admin",        "after",
    "all",       "also",       "am",        "an",         "and",          "any",
    "are",       "as",         "at",        "attn",       "be",           "because",
    "been",      "before",     "best",      "but",        "by",           "cc",
    "cheers",    "client",     "colleague", "colleagues", "customer",     "customers",
    "das",       "date",       "dear",      "december",   "dem",          "den",
    "der",       "des",        "die",       "do",         "does",         "du",
    "during",    "each",       "ein",       "eine",       "el",           "elle",
    "email",     "en",         "er",        "es",         "et",           "every",
    "everyone",  "february",   "for",       "friday",     "from",         "fw",
    "fwd",       "gli",        "good",      "great",      "hallo",        "he",
    "hello",     "her",        "here",      "herr",       "frau",         "hey",
    "hi",        "his",        "how",       "i",          "if",           "ich",
    "il",        "in",         "is",        "it",         "its",          "january",
    "je",        "july",       "just",      "kind",       "la",           "las",
    "le",        "les",        "lo",        "los",        "march",        "me",
    "mit",       "monday",     "mr",        "mrs",        "ms",           "my",
    "name",      "new",        "no",        "not",        "note",         "notes",
    "november",  "nous",       "october",   "of",         "ok",           "on",
    "or",        "our",        "per",       "phone",      "please",       "prof",
    "re",        "regards",    "saturday",  "september",  "she",          "sie",
    "sir",       "madam",      "so",        "some",       "subject",      "sunday",
    "team",      "thank",      "thanks",    "that",       "the",          "their",
    "them",      "then",       "there",     "these",      "they",         "this",
    "those",     "thursday",   "to",        "today",      "tomorrow",     "total",
    "tuesday",   "un",         "una",       "und",        "une",          "us",
    "user",      "vous",       "was",       "we",         "wednesday",    "were",
    "what",      "when",       "where",     "which",      "who",          "why",
    "wir",       "with",       "yes",       "yesterday",  "you",          "your",
    "dr",        "yo",         "het",       "een",        "ik",           "wij",
    "mijn",      "onze",       "unser",     "unsere",     "notre",        "nuestro",
    "nostro",    "street",     "road",      "avenue",     "inc",          "ltd",
    "llc",       "gmbh",       "corp",      "company",    "group",        "university",
    "bank",      "hotel",      "hospital",  "school",     "foundation",   "institute",
    "airport",   "department", "office",    "manager",    "director",     "producer",
    "president", "ceo",        "cto",       "cfo",        "chief",        "officer",
    "engineer",  "doctor",     "professor", "senator",    "judge",        "captain",
    "general",   "father",     "mother",    "brother",    "sister",       "uncle",
    "aunt",      "grandma",    "grandpa",   "mom",        "dad",          "mum",
    "baby",      "god",        "lord",      "jesus",      "christ",       "saint",
    "st",        "via",        "rue",       "calle",      "avenida",      "rua",
    "strasse",   "straße",     "weg",       "platz",      "plaza",        "piazza",
    "place",     "boulevard",  "apt",       "suite",      "unit",         "floor",
    "north",     "south",      "east",      "west",       "united",       "states",
    "republic",  "city",       "county",    "state",      "national",     "international",
    "global",    "services",   "solutions", "systems",    "technologies", "partners",
    "holdings",  "consulting", "media",     "labs",       "can",          "could",
    "would",     "should",     "shall",     "must",       "might",        "princess",
    "queen",     "royal",      "duke",      "earl",       "baron",        "count",
    "emperor",   "pope",       "border",    "force",      "civil",        "act",
    "france",    "germany",    "spain",     "italy",      "england",      "britain",
    "ireland",   "scotland",   "german",    "french",     "spanish",      "italian",
    "english",   "british",    "irish",     "dutch",      "european",     "american",
    "canadian",  "australian", "swiss",     "austrian",   "polish",       "southern",
    "northern",  "eastern",    "western",   "central",    "grüße",        "zusammen",
    "kollegen",  "alle",       "valued",    "sons",       "daughters",    "village",
    "beach",     "springs",    "heights",   "cite",
});

// Titles (a cue detector covers the name after them) and possessives.
constexpr std::array kTitleWords = std::to_array<std::string_view>({
    "mme",    "mlle",   "madame", "monsieur", "miss",    "mx",   "sr",    "sra",    "srta",
    "señor",  "señora", "sig",    "signor",   "signora", "dott", "dhr",   "mevr",   "mevrouw",
    "meneer", "hr",     "fr",     "dame",     "doña",    "mein", "meine", "meinen", "meinem",
    "meiner", "sein",   "seine",  "ihr",      "ihre",    "mon",  "ma",    "mes",
});

// Common words and place names that are also first names or surnames: they
// may continue a name ("John Brown") but alone they are not one ("May",
// "Paris").
constexpr std::array kNameLikeWords = std::to_array<std::string_view>({
    "adelaide",  "albany",   "alexandria", "amber",     "angel",   "april",    "august",
    "augusta",   "aurora",   "austin",     "autumn",    "bay",     "bear",     "berlin",
    "bill",      "black",    "brown",      "buck",      "camden",  "carolina", "case",
    "cash",      "chad",     "chance",     "charlotte", "chase",   "chelsea",  "china",
    "christian", "church",   "clay",       "cleveland", "cliff",   "columbia", "crystal",
    "dakota",    "dallas",   "dawn",       "dean",      "denver",  "destiny",  "devon",
    "drew",      "early",    "eve",        "faith",     "field",   "florence", "florida",
    "ford",      "forest",   "georgia",    "glen",      "gold",    "grant",    "gray",
    "green",     "grey",     "guy",        "hall",      "hardy",   "heath",    "hill",
    "holly",     "honor",    "hope",       "houston",   "hudson",  "hunter",   "india",
    "iris",      "israel",   "ivy",        "jackson",   "jay",     "jewel",    "jordan",
    "joy",       "june",     "justice",    "kent",      "kenya",   "king",     "lance",
    "lane",      "lincoln",  "little",     "london",    "long",    "love",     "lucky",
    "madison",   "major",    "mark",       "mason",     "master",  "may",      "mercy",
    "miles",     "montana",  "nevada",     "noble",     "orlando", "page",     "paris",
    "park",      "pat",      "pearl",      "penny",     "phoenix", "pierce",   "porter",
    "price",     "prince",   "rain",       "ray",       "reed",    "regina",   "rich",
    "river",     "rock",     "rome",       "rose",      "ruby",    "sage",     "sandy",
    "santiago",  "savannah", "sky",        "snow",      "spring",  "star",     "sterling",
    "stone",     "storm",    "summer",     "sunny",     "sydney",  "troy",     "trust",
    "valencia",  "victoria", "vienna",     "virginia",  "wade",    "ward",     "washington",
    "wells",     "white",    "will",       "winter",    "wolf",    "wood",     "york",
    "young",
});

// Words after a name that show it names a company or a place instead.
constexpr std::array kNonPersonSuffixes = std::to_array<std::string_view>({
    "ag",          "airport",  "associates", "avenue",     "bank",    "blvd",       "boulevard",
    "bros",        "brothers", "co",         "college",    "company", "consulting", "corp",
    "corporation", "county",   "drive",      "foundation", "gmbh",    "group",      "holdings",
    "hospital",    "hotel",    "inc",        "institute",  "lane",    "llc",        "llp",
    "ltd",         "partners", "plc",        "road",       "sa",      "sarl",       "school",
    "square",      "srl",      "st",         "str",        "street",  "strasse",    "straße",
    "university",  "way",
});

// The same, but only when capitalised ("Mathias Pass", "Eriksson Bridge";
// not "Ryan points out").
constexpr std::array kNonPersonFeatureWords = std::to_array<std::string_view>({
    // Street and place features.
    "bridge",
    "bypass",
    "center",
    "centre",
    "court",
    "creek",
    "crossing",
    "crescent",
    "estates",
    "extension",
    "extensions",
    "fields",
    "flat",
    "flats",
    "forge",
    "forges",
    "gardens",
    "grove",
    "harbor",
    "harbour",
    "heights",
    "hills",
    "island",
    "islands",
    "junction",
    "lake",
    "landing",
    "meadow",
    "meadows",
    "mill",
    "mills",
    "park",
    "parks",
    "pass",
    "pike",
    "plains",
    "point",
    "points",
    "port",
    "prairie",
    "rapids",
    "ridge",
    "river",
    "station",
    "terrace",
    "trail",
    "turnpike",
    "union",
    "valley",
    "view",
    "villas",
    "vista",
    "walk",
    // Organisations.
    "agency",
    "airlines",
    "band",
    "capital",
    "club",
    "enterprises",
    "finance",
    "industries",
    "insurance",
    "investments",
    "lines",
    "motors",
    "network",
    "orchestra",
    "pharmaceuticals",
    "ratings",
    "records",
    "research",
    "software",
    "studios",
    "technologies",
    "ventures",
});

// Lower-case particles inside a name: "Ludwig van Beethoven", "Willemine ten Pas".
constexpr std::array kParticles = std::to_array<std::string_view>({
    "al", "bin", "da", "das", "de", "degli", "dei", "del", "della", "den", "der", "des", "di",
    "do", "dos", "du", "ibn", "la", "le",    "ten", "ter", "van",   "von", "zu",  "zur",
});

// Generational and degree suffixes that belong to the name.
constexpr std::array kNameSuffixes = std::to_array<std::string_view>({
    "II",
    "III",
    "IV",
    "Jr",
    "Jr.",
    "MD",
    "PhD",
    "Sr",
    "Sr.",
    "Esq.",
    "DDS",
});

// ASCII lower case of one byte (no locale: bytes of UTF-8 letters pass as they are).
inline char LowerByte(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerByte(c);
  return out;
}

// ASCII lower case of a short word without allocating: the lookups below run
// for every capitalised word of the text.
class LowerWord {
 public:
  explicit LowerWord(std::string_view w) {
    if (w.size() <= kInline) {
      for (std::size_t i = 0; i < w.size(); ++i) {
        inline_[i] = LowerByte(w[i]);
      }
      view_ = std::string_view(inline_.data(), w.size());
    } else {
      spill_ = AsciiLower(w);
      view_ = spill_;
    }
  }
  std::string_view view() const { return view_; }

 private:
  static constexpr std::size_t kInline = 64;
  std::array<char, kInline> inline_{};
  std::string spill_;
  std::string_view view_;
};

// A fixed word list as a hash set (the lists hold hundreds of words).
class WordSet {
 public:
  template <std::size_t N>
  explicit WordSet(const std::array<std::string_view, N>& list) {
    for (std::string_view w : list) {
      set_.Insert(w);
      max_len_ = std::max(max_len_, w.size());
    }
    set_.Build();
  }
  // Whether `word`, lower-cased, is in the list.
  bool ContainsLower(std::string_view word) const {
    if (word.size() > max_len_) return false;
    return set_.Contains(LowerWord(word).view());
  }

 private:
  FlatStringSet set_;
  std::size_t max_len_ = 0;
};

// The lists above as hash sets, built on first use.
struct WordSets {
  WordSet function{kFunctionWords};
  WordSet title{kTitleWords};
  WordSet name_like{kNameLikeWords};
  WordSet non_person_suffixes{kNonPersonSuffixes};
  WordSet non_person_features{kNonPersonFeatureWords};
};
const WordSets& Lists() {
  static const WordSets sets;
  return sets;
}

bool IsFunctionWord(std::string_view w) {
  return Lists().function.ContainsLower(w) || Lists().title.ContainsLower(w);
}
bool IsNameLikeWord(std::string_view w) { return Lists().name_like.ContainsLower(w); }
bool IsStopWord(std::string_view w) { return IsFunctionWord(w) || IsNameLikeWord(w); }

// The gazetteer, loaded once (thread-safe static); empty when the data files
// cannot be read, and then no seed is a name.
class NameSet {
 public:
  static const NameSet& Get() {
    static const NameSet set;
    return set;
  }
  bool IsGiven(std::string_view w) const { return given_.Contains(w); }
  bool IsSurname(std::string_view w) const { return surname_.Contains(w); }
  bool Contains(std::string_view w) const { return IsGiven(w) || IsSurname(w); }
  // Whether `w` (any case) is a common English word (names/common.txt).
  bool IsCommon(std::string_view w) const {
    return common_.Contains(LowerWord(w).view());
  }
  // Whether `w` is an English proper noun that is no given name: a place,
  // nationality or brand (names/proper.txt).
  bool IsProper(std::string_view w) const { return proper_.Contains(w); }

 private:
  NameSet() {
    const std::string dir = DefaultDataDir() + "/detectors/names/";
    Load(dir + "given.txt", &given_);
    Load(dir + "surname.txt", &surname_);
    Load(dir + "common.txt", &common_);
    Load(dir + "proper.txt", &proper_);
  }
  static void Load(const std::string& path, FlatStringSet* out) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty() && line[0] != '#') out->Insert(line);
    }
    out->Build();
  }
  FlatStringSet given_;
  FlatStringSet surname_;
  FlatStringSet common_;
  FlatStringSet proper_;
};

// One code point of `text` at `pos`; invalid bytes decode as a non-letter.
struct CodePoint {
  UChar32 c = -1;
  std::size_t len = 0;
};

CodePoint DecodeAt(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return {};
  if (static_cast<unsigned char>(text[pos]) < 0x80) return {static_cast<UChar32>(text[pos]), 1};
  int32_t i = static_cast<int32_t>(pos);
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, static_cast<int32_t>(text.size()), c);
  return {c, static_cast<std::size_t>(i) - pos};
}

// Start of the code point that ends just before `pos`.
std::size_t PrevStart(std::string_view text, std::size_t pos) {
  if (pos == 0) return kNpos;
  std::size_t p = pos - 1;
  while (p > 0 && pos - p < 4 && (static_cast<unsigned char>(text[p]) & 0xC0) == 0x80) --p;
  return p;
}

// ASCII answers without ICU (the names expanders ask per byte of every
// capitalised word); ICU decides everything else.
bool IsLetter(UChar32 c) {
  if (c >= 0 && c < 0x80) return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  return c >= 0 && (u_isalpha(c) || u_getCombiningClass(c) != 0);
}
bool IsUpper(UChar32 c) {
  if (c >= 0 && c < 0x80) return c >= 'A' && c <= 'Z';
  return c >= 0 && (u_isupper(c) || u_istitle(c));
}
bool IsLower(UChar32 c) {
  if (c >= 0 && c < 0x80) return c >= 'a' && c <= 'z';
  return c >= 0 && u_islower(c);
}
bool IsLetterAt(std::string_view text, std::size_t pos) { return IsLetter(DecodeAt(text, pos).c); }
bool IsLetterBefore(std::string_view text, std::size_t pos) {
  std::size_t p = PrevStart(text, pos);
  return p != kNpos && IsLetter(DecodeAt(text, p).c);
}

// Apostrophes inside names: ASCII ' and U+2019.
std::size_t ApostropheLen(std::string_view text, std::size_t pos) {
  if (pos < text.size() && text[pos] == '\'') return 1;
  if (text.substr(pos, 3) == "\xE2\x80\x99") return 3;
  return 0;
}

// End of the run of letters starting at `pos` (pos itself when none).
std::size_t LettersEnd(std::string_view text, std::size_t pos) {
  while (pos < text.size()) {
    CodePoint cp = DecodeAt(text, pos);
    if (!IsLetter(cp.c)) break;
    pos += cp.len;
  }
  return pos;
}

// Extends a word over inner hyphens and apostrophes ("Jean-Luc", "O'Brien"),
// but not over a possessive "'s".
std::size_t WordEnd(std::string_view text, std::size_t pos) {
  std::size_t end = LettersEnd(text, pos);
  while (end > pos && end < text.size()) {
    std::size_t sep = text[end] == '-' ? 1 : ApostropheLen(text, end);
    if (sep == 0 || !IsLetterAt(text, end + sep)) break;
    std::size_t next = LettersEnd(text, end + sep);
    if (sep != 1 || text[end] != '-') {
      std::string_view tail = text.substr(end + sep, next - end - sep);
      if (tail == "s" || tail == "S" || tail == "ll" || tail == "re" || tail == "ve" ||
          tail == "d" || tail == "m" || tail == "t") {
        break;
      }
    }
    end = next;
  }
  return end;
}

// A capitalised word of two or more letters at `pos`: returns its end, or
// kNpos.
std::size_t NameTokenEnd(std::string_view text, std::size_t pos) {
  CodePoint first = DecodeAt(text, pos);
  if (!IsUpper(first.c)) return kNpos;
  std::size_t end = WordEnd(text, pos);
  if (end <= pos + first.len) return kNpos;  // a single letter is an initial
  // Mixed case is allowed (McDonald), all caps is an acronym.
  bool lower_seen = false;
  for (std::size_t p = pos + first.len; p < end;) {
    CodePoint cp = DecodeAt(text, p);
    if (IsLower(cp.c)) lower_seen = true;
    p += cp.len;
  }
  return lower_seen ? end : kNpos;
}

// "N." or "N" (followed by a space) at `pos`: returns its end, or kNpos.
std::size_t InitialEnd(std::string_view text, std::size_t pos) {
  CodePoint cp = DecodeAt(text, pos);
  if (!IsUpper(cp.c)) return kNpos;
  std::size_t end = pos + cp.len;
  if (end < text.size() && text[end] == '.') return end + 1;
  if (end < text.size() && text[end] == ' ') return end;
  return kNpos;
}

// Lower-case ASCII word at `pos`: returns its end, or kNpos.
std::size_t LowerWordEnd(std::string_view text, std::size_t pos) {
  std::size_t end = pos;
  while (end < text.size() && text[end] >= 'a' && text[end] <= 'z') ++end;
  if (end == pos || IsLetterAt(text, end)) return kNpos;
  return end;
}

bool IsParticle(std::string_view w) {
  return std::find(kParticles.begin(), kParticles.end(), w) != kParticles.end();
}

// Whether the word at [pos, end) is directly followed by a company or place
// word ("Ford Motor Company" stops earlier, "Jackson Street" here).
bool FollowedByNonPersonWord(std::string_view text, std::size_t end) {
  if (end >= text.size()) return false;
  if (text[end] == ' ' && end + 1 < text.size() && text[end + 1] == '&') return true;
  if (text[end] != ' ') return false;
  std::size_t p = end + 1;
  std::size_t e = WordEnd(text, p);
  if (e == p) return false;
  std::string_view w = text.substr(p, e - p);
  if (Lists().non_person_suffixes.ContainsLower(w)) return true;
  return IsUpper(DecodeAt(text, p).c) && Lists().non_person_features.ContainsLower(w);
}

struct NameSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
  int tokens = 1;
  int strong_tokens = 0;  // tokens that are not stop words
  bool given = false;     // the first token is a given name that is no common word
};

// Whether the capitalised word ending at `end` is the last of its run: what
// follows is not another capitalised word ("Janet Burns called", not
// "Sterling Compliance Advisors").
bool EndsCapitalisedRun(std::string_view text, std::size_t end) {
  if (end + 1 >= text.size() || text[end] != ' ') return true;
  return !IsUpper(DecodeAt(text, end + 1).c);
}

// Whether `word` may follow the particle `particle` inside a name.
bool ParticleNameOk(std::string_view particle, std::string_view word) {
  const NameSet& names = NameSet::Get();
  if (names.Contains(word)) return true;
  // "de Vries" is listed as "De Vries".
  std::string pair(particle);
  pair[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(pair[0])));
  pair.append(" ").append(word);
  if (names.Contains(pair)) return true;
  return !names.IsCommon(word);
}

// A name token that alone does not make a name: a name-like word ("May",
// "Paris") or a common English word that is no given name ("Brown",
// "Purchase", "Board"). It may still join a name ("John Brown", "Mrs. Brown").
bool IsWeakWord(std::string_view w) {
  const NameSet& names = NameSet::Get();
  return IsNameLikeWord(w) || (!names.IsGiven(w) && names.IsCommon(w));
}

// Extends `n` to the right over name tokens, initials, particles and
// suffixes. Returns false when the name runs into a company or place word.
bool ExtendRight(std::string_view text, NameSpan* n) {
  for (int added = 0; added < kMaxRightTokens; ++added) {
    std::size_t end = n->end;
    if (FollowedByNonPersonWord(text, end)) return false;
    if (end + 1 >= text.size() || text[end] != ' ') return true;
    std::size_t p = end + 1;
    // Particle + name token.
    if (std::size_t pe = LowerWordEnd(text, p); pe != kNpos && IsParticle(text.substr(p, pe - p))) {
      if (pe < text.size() && text[pe] == ' ') {
        // "Ludwig van Beethoven", "Daan de Vries": the word after the
        // particle is a name, or at least not a common word.
        std::size_t te = NameTokenEnd(text, pe + 1);
        std::string_view tw = te == kNpos ? std::string_view() : text.substr(pe + 1, te - pe - 1);
        if (te != kNpos && !IsFunctionWord(tw) && ParticleNameOk(text.substr(p, pe - p), tw)) {
          n->end = te;
          n->tokens += 1;
          if (!IsWeakWord(tw)) n->strong_tokens += 1;
          continue;
        }
      }
      return true;
    }
    // Suffix (ends the name).
    for (std::string_view s : kNameSuffixes) {
      if (text.substr(p, s.size()) == s && !IsLetterAt(text, p + s.size()) &&
          (p + s.size() >= text.size() || text[p + s.size()] != '.' || s.back() == '.')) {
        n->end = p + s.size();
        return true;
      }
    }
    if (std::size_t te = NameTokenEnd(text, p); te != kNpos) {
      std::string_view w = text.substr(p, te - p);
      if (IsFunctionWord(w)) return !Lists().non_person_suffixes.ContainsLower(w);
      // A common word in no name list ends the name ("Sterling Compliance"),
      // unless it is the last capitalised word after a given name and an
      // optional initial: a surname such as "Janet Burns", "Ella H. Sparks".
      if (!NameSet::Get().Contains(w) && NameSet::Get().IsCommon(w) &&
          !(n->given && n->tokens <= 2 && EndsCapitalisedRun(text, te))) {
        return true;
      }
      n->end = te;
      n->tokens += 1;
      if (!IsWeakWord(w)) n->strong_tokens += 1;
      continue;
    }
    // An initial counts only when a name token follows it ("Ken N. Fukuda").
    if (std::size_t ie = InitialEnd(text, p); ie != kNpos) {
      if (ie + 1 < text.size() && text[ie] == ' ' && NameTokenEnd(text, ie + 1) != kNpos &&
          !IsFunctionWord(text.substr(ie + 1, NameTokenEnd(text, ie + 1) - ie - 1))) {
        NameSpan with_initial = *n;
        with_initial.end = ie;
        with_initial.tokens += 1;
        const std::size_t before = with_initial.end;
        bool ok = ExtendRight(text, &with_initial);
        // Keep the initial only together with the word after it.
        if (with_initial.end == before) return true;
        *n = with_initial;
        return ok;
      }
    }
    return true;
  }
  return true;
}

// Start of the word that ends at `end` (letters, inner hyphens/apostrophes,
// an initial's dot), or kNpos.
std::size_t WordStartBefore(std::string_view text, std::size_t end) {
  std::size_t p = end;
  if (p > 0 && text[p - 1] == '.') --p;
  std::size_t start = kNpos;
  while (p > 0) {
    std::size_t prev = PrevStart(text, p);
    CodePoint cp = DecodeAt(text, prev);
    if (IsLetter(cp.c)) {
      start = prev;
      p = prev;
    } else if ((cp.c == '-' || cp.c == '\'' || cp.c == 0x2019) && start != kNpos && prev > 0 &&
               IsLetterBefore(text, prev)) {
      p = prev;
    } else {
      break;
    }
  }
  return start;
}

// Extends `n` to the left over gazetteer names, initials and particles.
void ExtendLeft(std::string_view text, NameSpan* n) {
  const NameSet& names = NameSet::Get();
  for (int added = 0; added < kMaxLeftTokens; ++added) {
    if (n->begin < 2 || text[n->begin - 1] != ' ') return;
    std::size_t wend = n->begin - 1;
    std::size_t ws = WordStartBefore(text, wend);
    if (ws == kNpos || IsLetterBefore(text, ws)) return;
    std::string_view w = text.substr(ws, wend - ws);
    if (IsParticle(w)) {
      // "... van Beethoven": take the particle only with a name before it.
      if (ws < 2 || text[ws - 1] != ' ') return;
      std::size_t ns = WordStartBefore(text, ws - 1);
      if (ns == kNpos || NameTokenEnd(text, ns) != ws - 1) return;
      std::string_view nw = text.substr(ns, ws - 1 - ns);
      if (IsStopWord(nw) || !names.Contains(nw)) return;
      n->begin = ns;
      n->tokens += 2;
      if (!IsWeakWord(nw)) n->strong_tokens += 1;
      continue;
    }
    bool initial = (w.size() == 2 && w[1] == '.' && IsUpper(DecodeAt(text, ws).c));
    if (initial) {
      // "P.O. Box": an initial is a letter of its own, not the end of an
      // abbreviation.
      if (ws > 0 && text[ws - 1] != ' ') return;
      n->begin = ws;
      n->tokens += 1;
      continue;
    }
    if (NameTokenEnd(text, ws) != wend || IsStopWord(w)) return;
    // A word in no name list joins only when it is not a common word
    // ("Tomomi Nishiyama", not "Credit Karma").
    if (!names.Contains(w) && (names.IsCommon(w) || w.size() < 3)) return;
    n->begin = ws;
    n->tokens += 1;
    if (!IsWeakWord(w)) n->strong_tokens += 1;
  }
}

// Whether the name at `begin` follows a house number or a street word, as
// in an address ("4844 Søndergade", "Rue Dielhère").
bool PrecededByAddress(std::string_view text, std::size_t begin) {
  if (begin < 2 || text[begin - 1] != ' ') return false;
  std::size_t p = begin - 1;
  if (std::isdigit(static_cast<unsigned char>(text[p - 1])) != 0) return true;
  std::size_t ws = WordStartBefore(text, p);
  if (ws == kNpos) return false;
  std::string lower = AsciiLower(text.substr(ws, p - ws));
  for (std::string_view street :
       {"rue",   "via",    "calle",     "avenida", "rua",   "piazza", "plaza",
        "place", "avenue", "boulevard", "ul",      "ulica", "st",     "san",
        "santa", "saint",  "sankt",     "lake",    "mount", "port",   "fort"}) {
    if (lower == street) return true;
  }
  return false;
}

// Builds the name around the capitalised word at `begin`. After a strong
// cue (`cue`: a title) a common word such as "Brown" after "Mrs." still
// counts as a name.
bool BuildName(std::string_view text, std::size_t begin, bool extend_left, bool cue, NameSpan* n) {
  std::size_t end = NameTokenEnd(text, begin);
  if (end == kNpos) return false;
  std::string_view seed = text.substr(begin, end - begin);
  if (IsFunctionWord(seed)) return false;
  n->begin = begin;
  n->end = end;
  n->tokens = 1;
  n->strong_tokens = (cue || !IsWeakWord(seed)) ? 1 : 0;
  n->given = NameSet::Get().IsGiven(seed) && !IsWeakWord(seed) && !NameSet::Get().IsCommon(seed);
  if (extend_left) ExtendLeft(text, n);
  if (!ExtendRight(text, n)) return false;
  if (!cue && PrecededByAddress(text, n->begin)) return false;
  // "Johnson & Johnson", "Smith & Wesson": a firm.
  if (n->begin >= 2 && text.substr(n->begin - 2, 2) == "& ") return false;
  return n->strong_tokens > 0;
}

// Whether the capitalised word `w`, in no name list, may still be part of a
// name: not a stop word and not a common word.
bool IsUnknownNameWord(std::string_view w) {
  return w.size() >= 2 && !IsStopWord(w) && !NameSet::Get().IsCommon(w);
}

// "Szabina J Gelencsér", "Mohmad R. Vizirov": the word ending at `end` is
// followed by an initial and a capitalised word that is not a common word.
bool FollowedByInitialAndName(std::string_view text, std::size_t end) {
  if (end + 1 >= text.size() || text[end] != ' ') return false;
  std::size_t ie = InitialEnd(text, end + 1);
  if (ie == kNpos || ie + 1 >= text.size() || text[ie] != ' ') return false;
  std::size_t te = NameTokenEnd(text, ie + 1);
  if (te == kNpos) return false;
  std::string_view w = text.substr(ie + 1, te - ie - 1);
  return NameSet::Get().Contains(w) || IsUnknownNameWord(w);
}

// Lower-case words after which a lone capitalised word names a place, a
// company or a thing rather than a person ("returned to Salvador", "the
// Kowalski file").
constexpr std::array kPlaceLeadWords = std::to_array<std::string_view>({
    "a",    "an",    "at",   "by",   "for",    "from",  "in",   "into", "near", "of",
    "on",   "onto",  "the",  "to",   "toward", "via",   "with", "über", "aus",  "nach",
    "bei",  "im",    "am",   "zum",  "zur",    "vom",   "à",    "au",   "aux",  "chez",
    "vers", "en",    "dans", "del",  "desde",  "hacia", "para", "por",  "nel",  "nella",
    "alla", "dalla", "naar", "uit",  "bij",    "op",    "het",  "de",   "la",   "le",
    "les",  "el",    "los",  "las",  "il",     "lo",    "der",  "die",  "das",  "dem",
    "den",  "des",   "ein",  "eine", "un",     "une",   "una",  "een",
});

// A lone surname counts as a name mid-sentence: after a lower-case word
// that does not introduce a place or a thing ("than early Yefremova",
// "starring Borkowski"), and when it is not a common word.
bool LoneSurnameInSentence(std::string_view text, std::size_t begin, std::string_view word) {
  const NameSet& names = NameSet::Get();
  if (names.IsCommon(word) || names.IsProper(word) || IsStopWord(word)) return false;
  if (begin < 2 || text[begin - 1] != ' ') return false;
  std::size_t ws = WordStartBefore(text, begin - 1);
  if (ws == kNpos || IsLetterBefore(text, ws)) return false;
  std::string_view prev = text.substr(ws, begin - 1 - ws);
  if (prev.empty() || prev.back() == '.') return false;
  // The previous word is written in lower case.
  for (std::size_t p = ws; p < begin - 1;) {
    CodePoint cp = DecodeAt(text, p);
    if (!IsLower(cp.c)) return false;
    p += cp.len;
  }
  std::string lower = AsciiLower(prev);
  return std::find(kPlaceLeadWords.begin(), kPlaceLeadWords.end(), std::string_view(lower)) ==
         kPlaceLeadWords.end();
}

// Separators of a list of names: ", " and the word "and" in the six
// languages ("Kónya, Becker and Vasquez", "Marrero und Murphy"). Returns the
// separator's length at `pos` (0: none).
constexpr std::array kListSeparators = std::to_array<std::string_view>(
    {", ", " and ", " und ", " et ", " y ", " e ", " en ", ", and "});
std::size_t ListSeparatorAt(std::string_view text, std::size_t pos) {
  std::size_t best = 0;
  for (std::string_view sep : kListSeparators) {
    if (text.substr(pos, sep.size()) == sep) best = std::max(best, sep.size());
  }
  return best;
}
std::size_t ListSeparatorBefore(std::string_view text, std::size_t end) {
  for (std::string_view sep : kListSeparators) {
    if (end >= sep.size() && text.substr(end - sep.size(), sep.size()) == sep) return sep.size();
  }
  return 0;
}

// Firm and place endings after a list of surnames ("Hawkins, Richardson and
// Reed LLC", "Mitchell, Williams and Martinez Group"): then it is no list of
// people.
constexpr std::array kFirmWords = std::to_array<std::string_view>({
    "llc", "inc", "ltd", "llp", "plc", "group", "gmbh", "ag", "sa", "sarl", "bv", "nv", "co",
    "company", "partners", "associates", "law", "sons", "corp", "corporation", "limited",
});

// How a capitalised word counts in a list of names: a gazetteer name that
// is no common word (strong), a common-word name or a word in no list
// (weak), or not at all (a place, a stop word: then it is no list of people).
enum class ListWord { kStrong, kWeak, kNone };
ListWord ClassifyListWord(std::string_view w) {
  const NameSet& names = NameSet::Get();
  if (names.IsProper(w) || IsStopWord(w)) return ListWord::kNone;
  if (names.Contains(w) && !names.IsCommon(w)) return ListWord::kStrong;
  if (names.Contains(w) || IsUnknownNameWord(w)) return ListWord::kWeak;
  return ListWord::kNone;
}

// A lone capitalised word counts as a name inside a list of at least two
// names of which `min_strong` others are gazetteer names ("founders: Kónya, Becker and
// Vasquez", "Marrero and Murphy were"), unless the list names a firm or a
// place: after a place-lead word ("from Hawkins, Richardson and ...") or
// before a firm word ("... Reed LLC").
bool InListOfNames(std::string_view text, std::size_t begin, std::size_t end, int min_strong) {
  int names_in_list = 1;
  int strong_others = 0;
  auto count = [&](std::string_view w) {
    const ListWord kind = ClassifyListWord(w);
    if (kind == ListWord::kNone) return false;
    ++names_in_list;
    if (kind == ListWord::kStrong) ++strong_others;
    return true;
  };
  // Right neighbours.
  std::size_t last_end = end;
  for (int i = 0; i < 4; ++i) {
    const std::size_t sep = ListSeparatorAt(text, last_end);
    if (sep == 0) break;
    const std::size_t te = NameTokenEnd(text, last_end + sep);
    if (te == kNpos) break;
    if (!count(text.substr(last_end + sep, te - last_end - sep))) return false;
    last_end = te;
  }
  // Left neighbours.
  std::size_t first_begin = begin;
  for (int i = 0; i < 4; ++i) {
    const std::size_t sep = ListSeparatorBefore(text, first_begin);
    if (sep == 0) break;
    const std::size_t ws = WordStartBefore(text, first_begin - sep);
    if (ws == kNpos || NameTokenEnd(text, ws) != first_begin - sep) break;
    if (!count(text.substr(ws, first_begin - sep - ws))) return false;
    first_begin = ws;
  }
  if (strong_others < min_strong) return false;
  if (names_in_list < 2) return false;
  // A firm word after the list.
  if (last_end + 1 < text.size() && (text[last_end] == ' ' || text[last_end] == ',')) {
    std::size_t p = last_end;
    while (p < text.size() && (text[p] == ' ' || text[p] == ',' || text[p] == '&')) ++p;
    const std::string lower = AsciiLower(text.substr(p, LettersEnd(text, p) - p));
    if (std::find(kFirmWords.begin(), kFirmWords.end(), std::string_view(lower)) !=
        kFirmWords.end()) {
      return false;
    }
  }
  // A place-lead word before it.
  if (first_begin >= 2 && text[first_begin - 1] == ' ') {
    const std::size_t ws = WordStartBefore(text, first_begin - 1);
    if (ws != kNpos) {
      const std::string lower = AsciiLower(text.substr(ws, first_begin - 1 - ws));
      if (std::find(kPlaceLeadWords.begin(), kPlaceLeadWords.end(), std::string_view(lower)) !=
          kPlaceLeadWords.end()) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

// No particle or list-separator word is longer than this.
constexpr std::size_t kLongestContinuingWord = [] {
  std::size_t longest = 0;
  for (std::string_view w : kParticles) longest = std::max(longest, w.size());
  for (std::string_view w : kListSeparators) longest = std::max(longest, w.size());
  return longest;
}();

// Every read ExpandNameSeed makes right of its seed follows a chain: from
// the end of a name token, past ' ', ',' or '&' (a list separator, the
// space before the next name, the run before a firm word), to the next
// token, and on only when that token may continue a name: it begins with
// an upper-case letter (a name, an initial, a suffix) or is a particle or
// the word of a list separator. Tokens here are runs of anything but those
// three bytes and the other white space (a superset of the expander's
// words). The chain stops after the first token that cannot continue it,
// or at other white space; past that point the expander reads at most
// kNameReadMargin bytes (a code point, a separator or suffix compared
// whole). Keep this in step with ExpandNameSeed and what it calls.
std::size_t NameReadEnd(std::string_view text, std::size_t begin) {
  // The words of the list separators: ", and " -> "and".
  static const std::vector<std::string_view> kListWords = [] {
    std::vector<std::string_view> words;
    for (std::string_view sep : kListSeparators) {
      const std::size_t a = sep.find_first_not_of(", ");
      if (a != std::string_view::npos) words.push_back(sep.substr(a, sep.find_last_not_of(", ") + 1 - a));
    }
    return words;
  }();
  auto separator = [](char c) { return c == ' ' || c == ',' || c == '&'; };
  auto other_space = [](char c) { return c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; };
  auto token_end = [&](std::size_t q) {
    while (q < text.size() && !separator(text[q]) && !other_space(text[q])) ++q;
    return q;
  };
  auto continues = [&](std::size_t q, std::size_t t) {
    if (IsUpper(DecodeAt(text, q).c)) return true;
    std::size_t e = q;
    while (e < t && text[e] >= 'a' && text[e] <= 'z') ++e;
    const std::string_view w = text.substr(q, e - q);
    if (w.empty() || w.size() > kLongestContinuingWord) return false;
    return IsParticle(w) || std::find(kListWords.begin(), kListWords.end(), w) != kListWords.end();
  };
  std::size_t p = token_end(begin);  // the seed's own token
  while (p < text.size()) {
    if (!separator(text[p])) return p + kNameReadMargin;  // other white space
    std::size_t q = p;
    while (q < text.size() && separator(text[q])) ++q;
    if (q >= text.size()) break;
    if (other_space(text[q])) return q + kNameReadMargin;
    const std::size_t t = token_end(q);
    if (t >= text.size()) break;  // the token may go on
    if (!continues(q, t)) return t + kNameReadMargin;
    p = t;
  }
  return kNpos;
}

namespace {

bool ExpandNameSeed(std::string_view text, ByteSpan* span) {
  const std::size_t begin = span->begin;
  // Only at the start of a word: not inside "Ann-Marie" or "McDonald".
  if (IsLetterBefore(text, begin)) return false;
  if (begin > 0) {
    char before = text[begin - 1];
    if ((before == '-' || before == '\'' || before == '.') && begin > 1 &&
        IsLetterBefore(text, begin - 1)) {
      return false;
    }
  }
  std::size_t end = NameTokenEnd(text, begin);
  if (end == kNpos) return false;
  // "Don't", "Can't": a contraction, not a name.
  if (std::size_t ap = ApostropheLen(text, end); ap != 0 && IsLetterAt(text, end + ap)) {
    std::string_view tail = text.substr(end + ap, LettersEnd(text, end + ap) - end - ap);
    if (tail != "s" && tail != "S") return false;
  }
  std::string_view word = text.substr(begin, end - begin);
  // A capitalised particle starts a sentence ("De Leverancier zal ...");
  // inside a name the expansion takes it.
  if (IsParticle(LowerWord(word).view())) return false;
  const NameSet& names = NameSet::Get();
  bool given = names.IsGiven(word);
  bool structural = false;  // a name by its shape, in no list
  if (!given && !names.IsSurname(word)) {
    // "Jean-Luc", "Anne-Sophie": the first part decides.
    std::size_t hyphen = word.find('-');
    if (hyphen != std::string_view::npos && names.IsGiven(word.substr(0, hyphen))) {
      given = true;
    } else if (IsUnknownNameWord(word) &&
               (FollowedByInitialAndName(text, end) ||
                InListOfNames(text, begin, end, /*min_strong=*/2))) {
      structural = true;
    } else {
      return false;
    }
  }
  NameSpan n;
  if (!BuildName(text, begin, /*extend_left=*/true, /*cue=*/false, &n)) return false;
  if (!given && !structural && n.tokens < 2 && !LoneSurnameInSentence(text, begin, word) &&
      !InListOfNames(text, n.begin, n.end, /*min_strong=*/1)) {
    return false;
  }
  span->begin = n.begin;
  span->end = n.end;
  return true;
}

// `strong`: a title ("Mrs. Brown"); otherwise an introduction or a phrase
// ("Dear", "signed by"), after which a name made only of common words
// ("signed Master Services Agreement") is not one.
bool ExpandAfterCue(std::string_view text, ByteSpan* span, bool strong) {
  if (span->end == 0 || span->end > text.size()) return false;
  // The cue's last byte starts the name (an ASCII capital or a UTF-8 lead
  // byte).
  std::size_t begin = span->end - 1;
  NameSpan n;
  if (!BuildName(text, begin, /*extend_left=*/false, /*cue=*/strong, &n)) return false;
  span->begin = n.begin;
  span->end = n.end;
  return true;
}

// `w` with its first letter upper-cased ("lena" -> "Lena").
std::string Capitalised(std::string_view w) {
  CodePoint first = DecodeAt(w, 0);
  if (first.c < 0) return std::string(w);
  uint8_t buf[4];
  int32_t len = 0;
  UBool error = false;
  U8_APPEND(buf, len, 4, u_toupper(first.c), error);
  if (error) return std::string(w);
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  out.append(w.substr(first.len));
  return out;
}

// End of a lower-case word at `pos` (letters, inner hyphens), or kNpos.
std::size_t LowerNameWordEnd(std::string_view text, std::size_t pos) {
  CodePoint first = DecodeAt(text, pos);
  if (!IsLower(first.c)) return kNpos;
  std::size_t end = WordEnd(text, pos);
  return end > pos ? end : kNpos;
}

// A name written in lower case after "my name is", "call me": the first
// word must be a gazetteer name (a given name, or a name that is not a
// common word); following words join while they are names and not common
// words, with single-letter initials between them ("eric g. samoylova").
bool ExpandAfterLowerCue(std::string_view text, ByteSpan* span) {
  if (span->end == 0 || span->end > text.size()) return false;
  const std::size_t begin = span->end - 1;
  const NameSet& names = NameSet::Get();
  std::size_t end = LowerNameWordEnd(text, begin);
  if (end == kNpos) return false;
  std::string_view first = text.substr(begin, end - begin);
  std::string cap = Capitalised(first);
  if (IsStopWord(cap)) return false;
  if (!names.IsGiven(cap) && (!names.IsSurname(cap) || names.IsCommon(first))) return false;
  for (int added = 0; added < kMaxRightTokens; ++added) {
    if (end + 1 >= text.size() || text[end] != ' ') break;
    std::size_t p = end + 1;
    // Initial: "g." or "m" before another name word.
    std::size_t q = p;
    if (CodePoint cp = DecodeAt(text, p);
        IsLower(cp.c) && !IsLetterAt(text, p + cp.len)) {
      q = p + cp.len;
      if (q < text.size() && text[q] == '.') ++q;
      if (q + 1 >= text.size() || text[q] != ' ') break;
      ++q;
    }
    std::size_t we = LowerNameWordEnd(text, q);
    if (we == kNpos) break;
    std::string_view w = text.substr(q, we - q);
    std::string wc = Capitalised(w);
    if (IsStopWord(wc) || IsParticle(w) || names.IsCommon(w) || !names.Contains(wc)) break;
    end = we;
  }
  span->begin = begin;
  span->end = end;
  return true;
}

}  // namespace

namespace {

// A number that continues past the span through a separator ("756." before
// "0704.9996.22") is part of a longer identifier, not a number of its own.
bool StandaloneNumber(std::string_view text, const ByteSpan& span) {
  auto digit = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  auto sep = [&](std::size_t i) {
    return i < text.size() && (text[i] == '.' || text[i] == '-' || text[i] == '/');
  };
  if (span.begin >= 2 && sep(span.begin - 1) && digit(span.begin - 2)) return false;
  if (sep(span.end) && digit(span.end + 1)) return false;
  return true;
}

}  // namespace

bool IsKnownExpander(std::string_view expander) {
  return expander == "person_name" || expander == "person_after_cue" ||
         expander == "person_after_intro" || expander == "person_after_cue_lower" ||
         expander == "standalone_number";
}

bool ExpanderMovesLeft(std::string_view expander) {
  // person_name extends left (ExtendLeft); the cue expanders start the name
  // at the cue's last byte, standalone_number keeps the span.
  return expander == "person_name" || !IsKnownExpander(expander);
}

bool ExpandSpan(std::string_view expander, std::string_view text, ByteSpan* span) {
  if (expander == "standalone_number") return StandaloneNumber(text, *span);
  if (expander == "person_name") return ExpandNameSeed(text, span);
  if (expander == "person_after_cue") return ExpandAfterCue(text, span, /*strong=*/true);
  if (expander == "person_after_intro") return ExpandAfterCue(text, span, /*strong=*/false);
  if (expander == "person_after_cue_lower") return ExpandAfterLowerCue(text, span);
  return true;
}

}  // namespace airlock::detect::internal
