#include "corpus/synthetic_values.h"

#include <array>
#include <cstdio>

namespace airlock::bench {

namespace {

template <typename T, std::size_t N>
std::span<const T> All(const std::array<T, N>& a) {
  return {a.data(), a.size()};
}

using Words = std::span<const std::string_view>;

constexpr std::array<std::string_view, 32> kGivenEn = {
    "James",  "Olivia", "Michael", "Emma",   "Daniel", "Sophie",  "Thomas", "Charlotte",
    "Robert", "Emily",  "William", "Hannah", "George", "Lucy",    "Edward", "Grace",
    "Samuel", "Chloe",  "Henry",   "Amelia", "Oliver", "Jessica", "Harry",  "Rebecca",
    "Jack",   "Laura",  "Peter",   "Sarah",  "Andrew", "Rachel",  "Mark",   "Helen"};
constexpr std::array<std::string_view, 32> kGivenDe = {
    "Lukas",  "Anna",   "Jonas",    "Lea",    "Felix",     "Marie",  "Maximilian", "Sophia",
    "Paul",   "Lena",   "Tobias",   "Julia",  "Sebastian", "Katrin", "Matthias",   "Sabine",
    "Jürgen", "Ute",    "Wolfgang", "Birgit", "Stefan",    "Petra",  "Andreas",    "Monika",
    "Florian", "Jana",  "Dominik",  "Nina",   "Uwe",       "Heike",  "Jörg",       "Bärbel"};
constexpr std::array<std::string_view, 32> kGivenFr = {
    "Camille", "Louis",  "Chloé",    "Hugo",    "Manon",   "Julien",  "Léa",     "Nicolas",
    "Inès",    "Antoine", "Sarah",   "Mathieu", "Émilie",  "Pierre",  "Élodie",  "François",
    "Margaux", "Théo",   "Céline",   "Benoît",  "Aurélie", "Jérôme",  "Hélène",  "Mathis",
    "Claire",  "Olivier", "Juliette", "Rémi",   "Anaïs",   "Stéphane", "Sylvie", "Gaël"};
constexpr std::array<std::string_view, 32> kSurnameEn = {
    "Smith",  "Johnson", "Williams", "Brown",   "Taylor",  "Wilson", "Davies",  "Evans",
    "Thomas", "Roberts", "Walker",   "Wright",  "Robinson", "Thompson", "White", "Hughes",
    "Edwards", "Green",  "Hall",     "Wood",    "Harris",  "Clarke", "Jackson", "Turner",
    "Cooper", "Hill",    "Ward",     "Morris",  "Moore",   "Baker",  "Parker",  "Bennett"};
constexpr std::array<std::string_view, 32> kSurnameDe = {
    "Müller",  "Schmidt", "Schneider", "Fischer", "Weber",   "Meyer",   "Wagner",  "Becker",
    "Schulz",  "Hoffmann", "Schäfer",  "Koch",    "Bauer",   "Richter", "Klein",   "Wolf",
    "Schröder", "Neumann", "Schwarz",  "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann",
    "Lange",   "Schmitt", "Werner",    "Krause",  "Meier",   "Lehmann", "Köhler",  "Huber"};
constexpr std::array<std::string_view, 32> kSurnameFr = {
    "Martin",  "Bernard", "Dubois",   "Thomas",   "Robert",  "Richard", "Petit",   "Durand",
    "Leroy",   "Moreau",  "Simon",    "Laurent",  "Lefebvre", "Michel", "Garcia",  "David",
    "Bertrand", "Roux",   "Vincent",  "Fournier", "Morel",   "Girard",  "André",   "Lefèvre",
    "Mercier", "Dupont",  "Lambert",  "Bonnet",   "François", "Martinez", "Legrand", "Garnier"};
constexpr std::array<std::string_view, 24> kCompanies = {
    "Northwind Traders",   "Contoso Ltd",       "Fabrikam GmbH",     "Adatum Corporation",
    "Litware Inc",         "Tailspin Toys",     "Wingtip Partners",  "Proseware SARL",
    "Lucerne Publishing",  "Margie's Travel",   "Trey Research",     "Alpine Ski House",
    "Blue Yonder Airlines", "Coho Winery",      "Humongous Insurance", "Woodgrove Bank",
    "Fourth Coffee",       "Graphic Design Institute", "Relecloud AG",  "Southridge Video",
    "VanArsdel SA",        "Wide World Importers", "Lamna Healthcare", "Munson's Pickles"};
constexpr std::array<std::string_view, 12> kCitiesEn = {
    "London", "Manchester", "Leeds",   "Bristol", "Boston", "Chicago",
    "Denver", "Seattle",    "Glasgow", "Dublin",  "Austin", "Cardiff"};
constexpr std::array<std::string_view, 12> kCitiesDe = {
    "Berlin",    "München", "Hamburg",  "Köln",     "Frankfurt am Main", "Stuttgart",
    "Düsseldorf", "Leipzig", "Dresden", "Hannover", "Nürnberg",          "Bremen"};
constexpr std::array<std::string_view, 12> kCitiesFr = {
    "Paris",  "Lyon",   "Marseille", "Toulouse", "Nantes", "Strasbourg",
    "Lille",  "Rennes", "Bordeaux",  "Grenoble", "Nice",   "Montpellier"};
constexpr std::array<std::string_view, 16> kProducts = {
    "Enterprise Licence",  "Support Plan Gold", "Onboarding Package", "Data Migration",
    "Premium Seats",       "Compliance Module", "Archive Storage 5 TB", "Training Day",
    "Analytics Add-on",    "Field Service Kit", "API Access Tier 2",  "Consulting Hours",
    "Hardware Bundle",     "Renewal 36 months", "Audit Workshop",     "E-signature Pack"};
constexpr std::array<std::string_view, 12> kStreetsEn = {
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane",
    "King Street", "Queensway",    "Elm Grove",   "Oak Drive",     "Market Street", "Bridge Road"};
constexpr std::array<std::string_view, 12> kStreetsDe = {
    "Hauptstraße",  "Bahnhofstraße", "Gartenweg",   "Schillerstraße", "Goethestraße", "Lindenallee",
    "Kirchplatz",   "Bergstraße",    "Am Markt",    "Friedrichstraße", "Mühlenweg",   "Rosenstraße"};
constexpr std::array<std::string_view, 12> kStreetsFr = {
    "rue de la Paix", "avenue Victor Hugo", "boulevard Voltaire", "rue du Faubourg",
    "place de la République", "rue Nationale", "allée des Tilleuls", "chemin des Vignes",
    "rue Pasteur", "quai de Seine", "rue des Lilas", "avenue Jean Jaurès"};
constexpr std::array<std::string_view, 12> kMonthsEn = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 12> kMonthsDe = {
    "Januar", "Februar", "März",      "April",   "Mai",      "Juni",
    "Juli",   "August",  "September", "Oktober", "November", "Dezember"};
constexpr std::array<std::string_view, 12> kMonthsFr = {
    "janvier", "février", "mars",      "avril",   "mai",      "juin",
    "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};

std::string Pad(std::int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%0*lld", width, static_cast<long long>(v));
  return buf;
}

// Groups `s` in blocks of `n` separated by `sep`.
std::string Group(std::string_view s, std::size_t n, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += n) {
    if (i > 0) out += sep;
    out += s.substr(i, n);
  }
  return out;
}

// Thousands separators for an integer part.
std::string Thousands(std::int64_t v, std::string_view sep) {
  std::string d = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += sep;
    out += d[i];
  }
  return out;
}

std::string AsciiLower(std::string_view s) {
  // Folds the few Latin-1 letters in the name lists to ASCII for mailboxes.
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      unsigned char n = static_cast<unsigned char>(s[++i]);
      switch (n) {
        case 0xA4: out += "ae"; break;  // ä
        case 0xB6: out += "oe"; break;  // ö
        case 0xBC: out += "ue"; break;  // ü
        case 0x9F: out += "ss"; break;  // ß
        case 0xA9: case 0xA8: case 0xAA: case 0xAB: case 0x89: out += 'e'; break;
        case 0xAF: case 0xAE: out += 'i'; break;
        case 0xA7: out += 'c'; break;
        case 0xA2: case 0xA0: out += 'a'; break;
        case 0xB4: out += 'o'; break;
        case 0xBB: case 0xB9: out += 'u'; break;
        default: break;
      }
      continue;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += static_cast<char>(c);
  }
  return out;
}

int Mod97(std::string_view numeric_or_alpha) {
  int r = 0;
  for (char ch : numeric_or_alpha) {
    if (ch >= '0' && ch <= '9') {
      r = (r * 10 + (ch - '0')) % 97;
    } else if (ch >= 'A' && ch <= 'Z') {
      int v = ch - 'A' + 10;
      r = (r * 100 + v) % 97;
    }
  }
  return r;
}

}  // namespace

int LuhnCheckDigit(std::string_view digits) {
  int sum = 0;
  bool dbl = true;  // the digit left of the check digit is doubled
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return (10 - sum % 10) % 10;
}

std::string IbanCheckDigits(std::string_view cc, std::string_view bban) {
  std::string rearranged = std::string(bban) + std::string(cc) + "00";
  return Pad(98 - Mod97(rearranged), 2);
}

std::string SalesforceIdSuffix(std::string_view id15) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  std::string out;
  for (int chunk = 0; chunk < 3; ++chunk) {
    int flags = 0;
    for (int i = 0; i < 5; ++i) {
      char c = id15[static_cast<std::size_t>(chunk * 5 + i)];
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    out += kAlphabet[static_cast<std::size_t>(flags)];
  }
  return out;
}

std::string Digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.Below(10));
  return s;
}

std::string CardNumber(Rng& rng) {
  std::string body;
  int kind = static_cast<int>(rng.Below(3));
  if (kind == 0) {
    body = "4" + Digits(rng, 14);  // Visa, 16 digits
  } else if (kind == 1) {
    body = "5" + std::to_string(rng.Between(1, 5)) + Digits(rng, 13);  // Mastercard
  } else {
    body = (rng.Chance(0.5) ? "34" : "37") + Digits(rng, 12);  // Amex, 15 digits
  }
  std::string n = body + static_cast<char>('0' + LuhnCheckDigit(body));
  switch (rng.Below(3)) {
    case 0: return n;
    case 1:
      if (n.size() == 15) return n.substr(0, 4) + " " + n.substr(4, 6) + " " + n.substr(10);
      return Group(n, 4, " ");
    default:
      if (n.size() == 15) return n.substr(0, 4) + "-" + n.substr(4, 6) + "-" + n.substr(10);
      return Group(n, 4, "-");
  }
}

std::string Iban(Rng& rng, Lang lang) {
  std::string cc;
  std::string bban;
  switch (lang) {
    case Lang::kDe:
      cc = "DE";
      bban = Digits(rng, 18);  // Bankleitzahl (8) + Kontonummer (10)
      break;
    case Lang::kFr: {
      cc = "FR";
      std::string bank = Digits(rng, 5), branch = Digits(rng, 5), account = Digits(rng, 11);
      std::uint64_t key = 97 - (89 * std::stoull(bank) + 15 * std::stoull(branch) +
                                3 * std::stoull(account)) % 97;
      bban = bank + branch + account + Pad(static_cast<std::int64_t>(key), 2);
      break;
    }
    case Lang::kEn:
      cc = "GB";
      for (int i = 0; i < 4; ++i) bban += static_cast<char>('A' + rng.Below(26));
      bban += Digits(rng, 14);  // sort code (6) + account (8)
      break;
  }
  std::string iban = cc + IbanCheckDigits(cc, bban) + bban;
  return rng.Chance(0.6) ? Group(iban, 4, " ") : iban;
}

std::string Phone(Rng& rng, Lang lang) {
  switch (lang) {
    case Lang::kDe:
      switch (rng.Below(4)) {
        case 0: return "+49 30 " + Digits(rng, 3) + " " + Digits(rng, 5);
        case 1: return "089 " + Digits(rng, 4) + " " + Digits(rng, 4);
        case 2: return "+49 (0)40 " + Digits(rng, 7);
        default: return "+49 151 " + Digits(rng, 8);
      }
    case Lang::kFr:
      switch (rng.Below(3)) {
        case 0: return "+33 1 " + Group(Digits(rng, 8), 2, " ");
        case 1: return "0" + std::to_string(rng.Between(1, 5)) + " " + Group(Digits(rng, 8), 2, " ");
        default: return "06 " + Group(Digits(rng, 8), 2, ".");
      }
    case Lang::kEn:
      switch (rng.Below(4)) {
        case 0: return "+44 20 7946 0" + Digits(rng, 3);
        case 1: return "020 7946 0" + Digits(rng, 3);
        case 2: return "(212) 555-01" + Digits(rng, 2);
        default: return "+1 415-555-01" + Digits(rng, 2);
      }
  }
  return {};
}

std::string Email(Rng& rng, std::string_view given, std::string_view surname,
                  std::string_view company) {
  std::string domain = AsciiLower(company.substr(0, company.find(' ')));
  static constexpr std::array<std::string_view, 6> kTlds = {".com", ".de", ".fr",
                                                            ".co.uk", ".eu", ".example.com"};
  std::string local;
  switch (rng.Below(3)) {
    case 0: local = AsciiLower(given) + "." + AsciiLower(surname); break;
    case 1: local = AsciiLower(given).substr(0, 1) + AsciiLower(surname); break;
    default: local = AsciiLower(surname) + std::to_string(rng.Between(1, 99)); break;
  }
  return local + "@" + domain + std::string(rng.Pick(All(kTlds)));
}

std::string Date(Rng& rng, Lang lang) {
  std::int64_t y = rng.Between(2018, 2026), m = rng.Between(1, 12), d = rng.Between(1, 28);
  auto mi = static_cast<std::size_t>(m - 1);
  switch (lang) {
    case Lang::kEn:
      switch (rng.Below(3)) {
        case 0: return std::string(kMonthsEn[mi]) + " " + std::to_string(d) + ", " + std::to_string(y);
        case 1: return std::to_string(y) + "-" + Pad(m, 2) + "-" + Pad(d, 2);
        default: return Pad(d, 2) + "/" + Pad(m, 2) + "/" + std::to_string(y);
      }
    case Lang::kDe:
      if (rng.Chance(0.7)) return Pad(d, 2) + "." + Pad(m, 2) + "." + std::to_string(y);
      return std::to_string(d) + ". " + std::string(kMonthsDe[mi]) + " " + std::to_string(y);
    case Lang::kFr:
      if (rng.Chance(0.6)) return Pad(d, 2) + "/" + Pad(m, 2) + "/" + std::to_string(y);
      return std::to_string(d) + " " + std::string(kMonthsFr[mi]) + " " + std::to_string(y);
  }
  return {};
}

std::string Amount(Rng& rng, Lang lang) {
  std::int64_t whole = rng.Chance(0.3) ? rng.Between(10, 999) : rng.Between(1000, 2500000);
  std::string cents = Pad(rng.Between(0, 99), 2);
  switch (lang) {
    case Lang::kEn:
      switch (rng.Below(3)) {
        case 0: return "$" + Thousands(whole, ",") + "." + cents;
        case 1: return "EUR " + Thousands(whole, ",") + "." + cents;
        default: return "£" + Thousands(whole, ",");
      }
    case Lang::kDe:
      return rng.Chance(0.5) ? Thousands(whole, ".") + "," + cents + " €"
                             : "EUR " + Thousands(whole, ".") + "," + cents;
    case Lang::kFr:
      return Thousands(whole, " ") + "," + cents + " €";
  }
  return {};
}

std::string OrderNumber(Rng& rng) {
  switch (rng.Below(4)) {
    case 0: return "ORD-" + std::to_string(rng.Between(2019, 2026)) + "-" + Digits(rng, 6);
    case 1: return "INV-" + std::to_string(rng.Between(2019, 2026)) + Pad(rng.Between(1, 12), 2) + "-" + Digits(rng, 4);
    case 2: return "PO " + std::string("45") + Digits(rng, 8);
    default: return "SO-" + Digits(rng, 5);
  }
}

std::string SalesforceId(Rng& rng, std::string_view key_prefix) {
  static constexpr std::string_view kAlnum =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id(key_prefix);
  id += "5";
  id += static_cast<char>('a' + rng.Below(26));
  id += "0000";
  while (id.size() < 15) id += kAlnum[rng.Below(kAlnum.size())];
  return id + SalesforceIdSuffix(id);
}

std::string Ipv4(Rng& rng) {
  switch (rng.Below(3)) {
    case 0: return "10." + std::to_string(rng.Below(256)) + "." + std::to_string(rng.Below(256)) + "." + std::to_string(rng.Between(1, 254));
    case 1: return "192.168." + std::to_string(rng.Below(256)) + "." + std::to_string(rng.Between(1, 254));
    default: return "203.0.113." + std::to_string(rng.Between(1, 254));  // TEST-NET-3
  }
}

std::string VatNumber(Rng& rng, Lang lang) {
  switch (lang) {
    case Lang::kDe: {
      // ISO 7064 MOD 11,10 over eight digits.
      std::string d = std::to_string(rng.Between(1, 9)) + Digits(rng, 7);
      int product = 10;
      for (char c : d) {
        int sum = (c - '0' + product) % 10;
        if (sum == 0) sum = 10;
        product = (2 * sum) % 11;
      }
      int check = 11 - product;
      if (check == 10) check = 0;
      return "DE" + d + static_cast<char>('0' + check);
    }
    case Lang::kFr: {
      std::string siren8 = std::to_string(rng.Between(1, 9)) + Digits(rng, 7);
      std::string siren = siren8 + static_cast<char>('0' + LuhnCheckDigit(siren8));
      std::int64_t key = (12 + 3 * (std::stoll(siren) % 97)) % 97;
      return "FR" + Pad(key, 2) + siren;
    }
    case Lang::kEn:
      return "GB" + Digits(rng, 3) + " " + Digits(rng, 4) + " " + Digits(rng, 2);
  }
  return {};
}

std::string PostalAddress(Rng& rng, Lang lang) {
  switch (lang) {
    case Lang::kEn: {
      static constexpr std::array<std::string_view, 6> kOut = {"SW1A", "EC2V", "M1", "LS6", "BS8", "G12"};
      return std::to_string(rng.Between(1, 240)) + " " + std::string(rng.Pick(All(kStreetsEn))) + ", " +
             std::string(City(rng, lang)) + " " + std::string(rng.Pick(All(kOut))) + " " +
             std::to_string(rng.Between(1, 9)) + static_cast<char>('A' + rng.Below(26)) +
             static_cast<char>('A' + rng.Below(26));
    }
    case Lang::kDe:
      return std::string(rng.Pick(All(kStreetsDe))) + " " + std::to_string(rng.Between(1, 120)) + ", " +
             Pad(rng.Between(10115, 99998), 5) + " " + std::string(City(rng, lang));
    case Lang::kFr:
      return std::to_string(rng.Between(1, 120)) + " " + std::string(rng.Pick(All(kStreetsFr))) + ", " +
             Pad(rng.Between(1000, 95999), 5) + " " + std::string(City(rng, lang));
  }
  return {};
}

std::string_view GivenName(Rng& rng, Lang lang) {
  switch (lang) {
    case Lang::kEn: return rng.Pick(All(kGivenEn));
    case Lang::kDe: return rng.Pick(All(kGivenDe));
    case Lang::kFr: return rng.Pick(All(kGivenFr));
  }
  return {};
}

std::string_view Surname(Rng& rng, Lang lang) {
  switch (lang) {
    case Lang::kEn: return rng.Pick(All(kSurnameEn));
    case Lang::kDe: return rng.Pick(All(kSurnameDe));
    case Lang::kFr: return rng.Pick(All(kSurnameFr));
  }
  return {};
}

std::string_view Company(Rng& rng) { return rng.Pick(All(kCompanies)); }

std::string_view City(Rng& rng, Lang lang) {
  switch (lang) {
    case Lang::kEn: return rng.Pick(All(kCitiesEn));
    case Lang::kDe: return rng.Pick(All(kCitiesDe));
    case Lang::kFr: return rng.Pick(All(kCitiesFr));
  }
  return {};
}

std::string_view Product(Rng& rng) { return rng.Pick(All(kProducts)); }

}  // namespace airlock::bench
