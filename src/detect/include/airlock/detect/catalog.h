// The detector catalog: detectors are data, loaded from YAML.
//
// A catalog file (data/detectors/*.yaml) holds a list of detectors:
//
//   detectors:
//     - id: iban                      # unique across the catalog
//       entity_type: IBAN_CODE
//       data_class: financial         # see DataClass in finding.h
//       jurisdiction: EU              # ISO 3166 alpha-2, EU, or INTL
//       description: International bank account number (ISO 13616)
//       patterns:                     # vectorscan syntax (no lookaround)
//         - '\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b'
//       caseless: false               # optional flags: caseless, utf8
//                                     # (UTF-8 mode: classes and caseless
//                                     # work on whole characters; \b stays
//                                     # ASCII)
//       validator: iban               # optional; see validators.h
//       score: 0.9                    # score of a match (validated, if any)
//       context:                      # optional
//         words: {en: [iban, account], de: [konto, bankverbindung]}
//         before: 64                  # bytes searched before the match
//         after: 24                   # bytes searched after the match
//         boost: 0.1                  # added to the score when a word is near
//         required: false             # without a word, score = without_context
//         without_context: 0.3
//       dictionary: names/given.txt   # optional: one literal per line, found
//                                     # as a whole word exactly as written
//                                     # (caseless: true folds ASCII case);
//                                     # tens of thousands of entries are fine
//       fields: [iban, bank account]  # optional: in structured input (CSV
//                                     # column, JSON key) a field with this
//                                     # name makes its whole value a candidate
//       expander: person_name         # optional C++ span expander
//       locator: email                # optional C++ hook that finds a
//                                     # match's start from its end, for a
//                                     # variable-width pattern whose start
//                                     # a short walk back decides (instead
//                                     # of a start-of-match scan of a window)
//       container: false              # optional: findings span blocks (a
//                                     # code listing); findings inside one
//                                     # are kept, and it does not compete
//                                     # with them in overlap resolution
//       spaced: true                  # optional: also match spaced-out
//                                     # characters ("D E 8 9 3 7 ...",
//                                     # "4-1-1-1-..."), joined; needs a
//                                     # validator (see normalizer.h)
//       enabled: true
//
// A broken file is rejected with its path, line and the reason; a user adds a
// detector by writing YAML, without recompiling.
//
// Thread-safety: a loaded Catalog is an immutable value.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "airlock/core/status.h"
#include "airlock/detect/finding.h"

namespace airlock::detect {

struct ContextSpec {
  // (language, lower-cased word or phrase)
  std::vector<std::pair<std::string, std::string>> words;
  std::size_t before = 64;
  std::size_t after = 24;
  double boost = 0.15;
  bool required = false;
  double without_context = 0.3;
};

struct Detector {
  std::string id;
  std::string entity_type;
  DataClass data_class = DataClass::kPersonal;
  std::string jurisdiction = "INTL";
  std::string description;
  std::vector<std::string> patterns;
  bool caseless = false;
  bool utf8 = false;
  std::string validator;  // empty: none
  double score = 0.5;
  ContextSpec context;
  std::vector<std::string> dictionary;  // literals, already loaded
  // Field names (lower case, words separated by single spaces) whose whole
  // value is a candidate of this detector; see NormaliseFieldName.
  std::vector<std::string> fields;
  std::string expander;                 // empty: none
  // A C++ hook that finds a match's start from its end (see `locator:`
  // above); empty: vectorscan's start-of-match over a window.
  std::string locator;
  bool container = false;               // see `container:` above
  // Also matched in the separator view: runs of 8 or more single letters or
  // digits separated by single spaces, dots, dashes or underscores, joined.
  bool spaced = false;
  std::string source;                   // "file.yaml:12", for error messages
};

class Catalog {
 public:
  // Loads every *.yaml file in `dir`, in name order.
  static Result<Catalog> LoadDirectory(const std::string& dir);
  // Loads one YAML file; dictionary paths are relative to its directory.
  static Result<Catalog> LoadFile(const std::string& path);
  // Parses YAML text; `source` names it in errors, `base_dir` resolves
  // dictionary paths.
  static Result<Catalog> Parse(const std::string& yaml_text, const std::string& source,
                               const std::string& base_dir);

  // Adds `other`'s detectors; fails on a duplicate id.
  Status Merge(Catalog other);
  // Keeps only detectors whose id passes `keep`.
  template <typename Pred>
  void Filter(Pred keep) {
    std::vector<Detector> kept;
    for (auto& d : detectors_) {
      if (keep(d)) kept.push_back(std::move(d));
    }
    detectors_ = std::move(kept);
  }

  const std::vector<Detector>& detectors() const { return detectors_; }
  // SHA-256 over everything that affects the compiled database; part of the
  // database cache key.
  std::string Fingerprint() const;

 private:
  std::vector<Detector> detectors_;
};

// "MailingPostalCode", "mailing_postal_code" and "Mailing Postal Code" all
// become "mailing postal code": lower case, words split at case changes,
// digits and punctuation, joined by single spaces.
std::string NormaliseFieldName(std::string_view name);

// The built-in catalog directory: $AIRLOCK_DATA_DIR/detectors if set, else
// <exe>/../share/airlock/detectors, else the source tree's data/detectors.
std::string DefaultDataDir();

}  // namespace airlock::detect
