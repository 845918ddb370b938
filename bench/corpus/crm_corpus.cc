#include "corpus/crm_corpus.h"

#include <array>

#include "corpus/phrases.h"
#include "corpus/synthetic_values.h"

namespace airlock::bench {

namespace {

// How a profile mixes documents and identifiers.
struct Mix {
  // Relative weights of: case note, e-mail, contract clause, JSON, CSV.
  std::array<int, 5> kinds;
  double note_sentence;    // chance that a sentence is a case-note sentence
  double figure_sentence;  // chance that a sentence is a figures sentence
  int csv_rows_min, csv_rows_max;
};

constexpr Mix kProseMix = {{34, 32, 30, 2, 2}, 0.06, 0.01, 3, 8};
constexpr Mix kDigitMix = {{12, 10, 8, 35, 35}, 0.25, 0.55, 10, 30};

// One person per document keeps names, mailbox and phone consistent.
struct Person {
  std::string given, surname, company, email, phone;
};

class Writer {
 public:
  Writer(Profile profile, std::uint64_t seed)
      : mix_(profile == Profile::kProseHeavy ? kProseMix : kDigitMix), rng_(seed) {}

  void Document(std::string* out) {
    static constexpr std::array<Lang, 3> kLangs = {Lang::kEn, Lang::kDe, Lang::kFr};
    // English is the most common language in the CRMs we target.
    lang_ = rng_.Chance(0.5) ? Lang::kEn : kLangs[rng_.Below(3)];
    person_ = NewPerson();
    int total = 0;
    for (int w : mix_.kinds) total += w;
    auto r = static_cast<int>(rng_.Below(static_cast<std::uint64_t>(total)));
    int kind = 0;
    while (r >= mix_.kinds[static_cast<std::size_t>(kind)]) r -= mix_.kinds[static_cast<std::size_t>(kind++)];
    switch (kind) {
      case 0: CaseNote(out); break;
      case 1: Mail(out); break;
      case 2: Clause(out); break;
      case 3: Json(out); break;
      default: Csv(out); break;
    }
    out->append("\n");
  }

  std::size_t identifiers() const { return identifiers_; }

 private:
  Person NewPerson() {
    Person p;
    p.given = GivenName(rng_, lang_);
    p.surname = Surname(rng_, lang_);
    p.company = Company(rng_);
    p.email = Email(rng_, p.given, p.surname, p.company);
    p.phone = Phone(rng_, lang_);
    return p;
  }

  // Expands the placeholders of `tmpl` (see phrases.h).
  void Fill(std::string_view tmpl, std::string* out) {
    std::size_t i = 0;
    while (i < tmpl.size()) {
      std::size_t open = tmpl.find('{', i);
      if (open == std::string_view::npos) {
        out->append(tmpl.substr(i));
        return;
      }
      out->append(tmpl.substr(i, open - i));
      std::size_t close = tmpl.find('}', open);
      std::string_view key = tmpl.substr(open + 1, close - open - 1);
      out->append(Value(key));
      i = close + 1;
    }
  }

  std::string Value(std::string_view key) {
    if (key == "NAME") return person_.given + " " + person_.surname;
    if (key == "GIVEN") return person_.given;
    if (key == "SURNAME") return person_.surname;
    if (key == "COMPANY") return person_.company;
    if (key == "CITY") return std::string(City(rng_, lang_));
    if (key == "PRODUCT") return std::string(Product(rng_));
    if (key == "N") return std::to_string(rng_.Between(2, 480));
    ++identifiers_;
    if (key == "EMAIL") return person_.email;
    if (key == "PHONE") return person_.phone;
    if (key == "DATE") return Date(rng_, lang_);
    if (key == "AMOUNT") return Amount(rng_, lang_);
    if (key == "ORDER") return OrderNumber(rng_);
    if (key == "IBAN") return Iban(rng_, lang_);
    if (key == "CARD") return CardNumber(rng_);
    if (key == "ADDRESS") return PostalAddress(rng_, lang_);
    if (key == "SFID") return SalesforceId(rng_, rng_.Chance(0.5) ? "003" : "500");
    if (key == "IP") return Ipv4(rng_);
    if (key == "VAT") return VatNumber(rng_, lang_);
    --identifiers_;
    return "{" + std::string(key) + "}";
  }

  void Sentence(std::string* out) {
    const PhraseSet& ph = Phrases(lang_);
    double r = static_cast<double>(rng_.Below(1000000)) / 1e6;
    if (r < mix_.figure_sentence) {
      Fill(rng_.Pick(ph.figures), out);
    } else if (r < mix_.figure_sentence + mix_.note_sentence) {
      Fill(rng_.Pick(ph.notes), out);
    } else if (rng_.Chance(0.55)) {
      out->append(rng_.Pick(ph.prose));
    } else {
      out->append(rng_.Pick(ph.subjects));
      out->append(" ");
      out->append(rng_.Pick(ph.verbs));
      out->append(" ");
      out->append(rng_.Pick(ph.objects));
      out->append(" ");
      out->append(rng_.Pick(ph.tails));
      out->append(".");
    }
  }

  void Paragraph(std::string* out, int min_sentences, int max_sentences) {
    auto n = rng_.Between(min_sentences, max_sentences);
    for (std::int64_t i = 0; i < n; ++i) {
      if (i > 0) out->append(" ");
      Sentence(out);
    }
    out->append("\n");
  }

  void CaseNote(std::string* out) {
    const PhraseSet& ph = Phrases(lang_);
    out->append(ph.case_word);
    out->append(" ");
    out->append(std::to_string(rng_.Between(10000, 99999)));
    out->append(": ");
    out->append(rng_.Pick(ph.subjects_line));
    out->append("\n");
    Fill(ph.logged_by, out);
    out->append("\n");
    auto paragraphs = rng_.Between(1, 3);
    for (std::int64_t p = 0; p < paragraphs; ++p) Paragraph(out, 2, 6);
  }

  void Mail(std::string* out) {
    const PhraseSet& ph = Phrases(lang_);
    Person sender = person_;
    Person recipient = NewPerson();
    identifiers_ += 2;
    out->append("From: " + sender.given + " " + sender.surname + " <" + sender.email + ">\n");
    out->append("To: " + recipient.email + "\n");
    out->append("Subject: ");
    out->append(rng_.Pick(ph.subjects_line));
    out->append("\n\n");
    out->append(rng_.Pick(ph.greetings));
    out->append(" " + recipient.given + ",\n\n");
    auto paragraphs = rng_.Between(1, 3);
    for (std::int64_t p = 0; p < paragraphs; ++p) {
      Paragraph(out, 2, 5);
      out->append("\n");
    }
    out->append(rng_.Pick(ph.closings));
    out->append("\n" + sender.given + " " + sender.surname + "\n");
    out->append(rng_.Pick(ph.titles));
    out->append(" | " + sender.company + "\n");
    if (rng_.Chance(0.7)) {
      ++identifiers_;
      out->append("Tel. " + sender.phone + "\n");
    }
    if (rng_.Chance(0.4)) {
      ++identifiers_;
      out->append(PostalAddress(rng_, lang_) + "\n");
    }
  }

  void Clause(std::string* out) {
    const PhraseSet& ph = Phrases(lang_);
    out->append(lang_ == Lang::kEn ? "Clause " : "§ ");
    out->append(std::to_string(rng_.Between(1, 24)));
    out->append(" ");
    out->append(rng_.Pick(ph.clause_headings));
    out->append("\n");
    auto n = rng_.Between(2, 5);
    for (std::int64_t i = 1; i <= n; ++i) {
      out->append(std::to_string(i) + ". ");
      out->append(rng_.Pick(ph.clauses));
      if (rng_.Chance(mix_.figure_sentence)) {
        out->append(" ");
        Fill(rng_.Pick(ph.figures), out);
      }
      out->append("\n");
    }
  }

  static std::string JsonEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    return out;
  }

  std::string IsoTimestamp() {
    std::string d = std::to_string(rng_.Between(2019, 2026)) + "-" +
                    (rng_.Chance(0.25) ? "1" : "0") + std::to_string(rng_.Between(1, 2)) + "-" +
                    std::to_string(rng_.Between(10, 28));
    return d + "T" + std::to_string(rng_.Between(10, 23)) + ":" + std::to_string(rng_.Between(10, 59)) +
           ":" + std::to_string(rng_.Between(10, 59)) + ".000+0000";
  }

  // A record shaped like GET /services/data/v59.0/sobjects/<type>/<id>.
  void Json(std::string* out) {
    bool contact = rng_.Chance(0.5);
    std::string type = contact ? "Contact" : "Case";
    std::string id = SalesforceId(rng_, contact ? "003" : "500");
    std::string owner = SalesforceId(rng_, "005");
    identifiers_ += 2;
    std::string desc;
    Paragraph(&desc, 1, 3);
    desc.pop_back();
    out->append("{\"attributes\":{\"type\":\"" + type + "\",\"url\":\"/services/data/v59.0/sobjects/" +
                type + "/" + id + "\"},\"Id\":\"" + id + "\",\"OwnerId\":\"" + owner + "\",");
    if (contact) {
      identifiers_ += 4;
      out->append("\"FirstName\":\"" + person_.given + "\",\"LastName\":\"" + person_.surname +
                  "\",\"Email\":\"" + person_.email + "\",\"Phone\":\"" + person_.phone +
                  "\",\"MailingCity\":\"" + std::string(City(rng_, lang_)) +
                  "\",\"Birthdate\":\"" + std::to_string(rng_.Between(1950, 2002)) + "-0" +
                  std::to_string(rng_.Between(1, 9)) + "-1" + std::to_string(rng_.Between(0, 9)) +
                  "\",\"IBAN__c\":\"" + Iban(rng_, lang_) + "\",");
    } else {
      identifiers_ += 2;
      out->append("\"CaseNumber\":\"000" + std::to_string(rng_.Between(10000, 99999)) +
                  "\",\"Subject\":\"" + JsonEscape(rng_.Pick(Phrases(lang_).subjects_line)) +
                  "\",\"SuppliedEmail\":\"" + person_.email + "\",\"Status\":\"" +
                  (rng_.Chance(0.5) ? "Escalated" : "Working") + "\",\"Amount__c\":" +
                  std::to_string(rng_.Between(100, 900000)) + "." + std::to_string(rng_.Between(10, 99)) +
                  ",\"Order__c\":\"" + OrderNumber(rng_) + "\",");
    }
    out->append("\"Description\":\"" + JsonEscape(desc) + "\",\"CreatedDate\":\"" + IsoTimestamp() +
                "\",\"LastModifiedDate\":\"" + IsoTimestamp() + "\"}\n");
  }

  static std::string CsvField(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  }

  // Rows shaped like a Data Loader export of Contacts with a few custom fields.
  void Csv(std::string* out) {
    out->append(
        "\"ID\",\"FIRSTNAME\",\"LASTNAME\",\"EMAIL\",\"PHONE\",\"MAILINGSTREET\",\"MAILINGCITY\","
        "\"IBAN__C\",\"LAST_PAYMENT__C\",\"AMOUNT__C\",\"CARD__C\",\"DESCRIPTION\"\n");
    auto rows = rng_.Between(mix_.csv_rows_min, mix_.csv_rows_max);
    for (std::int64_t r = 0; r < rows; ++r) {
      if (r > 0) person_ = NewPerson();
      identifiers_ += 6;
      std::string desc;
      if (rng_.Chance(0.5)) {
        Sentence(&desc);
      }
      bool card = rng_.Chance(0.3);
      identifiers_ += card ? 1 : 0;
      out->append(CsvField(SalesforceId(rng_, "003")) + "," + CsvField(person_.given) + "," +
                  CsvField(person_.surname) + "," + CsvField(person_.email) + "," +
                  CsvField(person_.phone) + "," + CsvField(PostalAddress(rng_, lang_)) + "," +
                  CsvField(City(rng_, lang_)) + "," + CsvField(Iban(rng_, lang_)) + "," +
                  CsvField(Date(rng_, lang_)) + "," + CsvField(Amount(rng_, lang_)) + "," +
                  CsvField(card ? CardNumber(rng_) : "") + "," + CsvField(desc) + "\n");
    }
  }

  Mix mix_;
  Rng rng_;
  Lang lang_ = Lang::kEn;
  Person person_;
  std::size_t identifiers_ = 0;
};

}  // namespace

std::string_view ProfileName(Profile p) {
  return p == Profile::kProseHeavy ? "prose" : "digits";
}

Corpus GenerateCorpus(Profile profile, std::size_t bytes, std::uint64_t seed) {
  Corpus c;
  c.text.reserve(bytes + 8192);
  Writer w(profile, seed ^ (profile == Profile::kProseHeavy ? 0x5052u : 0x4447u));
  while (c.text.size() < bytes) {
    w.Document(&c.text);
    ++c.documents;
  }
  // Cut back to the last line end inside the budget.
  std::size_t cut = c.text.rfind('\n', bytes == 0 ? 0 : bytes - 1);
  c.text.resize(cut == std::string::npos ? 0 : cut + 1);
  c.identifiers = w.identifiers();
  return c;
}

}  // namespace airlock::bench
