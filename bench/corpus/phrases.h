// Sentence templates for the corpus generator, per language.
//
// Placeholders in braces are filled by crm_corpus.cc:
//   {NAME} {GIVEN} {SURNAME} {EMAIL} {PHONE} {COMPANY} {CITY} {PRODUCT}
//   {DATE} {AMOUNT} {ORDER} {IBAN} {CARD} {ADDRESS} {SFID} {IP} {VAT} {N}
#pragma once

#include <span>
#include <string_view>

#include "corpus/synthetic_values.h"

namespace airlock::bench {

struct PhraseSet {
  // Plain sentences without identifiers: the bulk of prose-heavy text.
  std::span<const std::string_view> prose;
  // Sentence pieces for procedurally varied prose: subject, verb phrase, object,
  // tail; joined with spaces and closed with a full stop.
  std::span<const std::string_view> subjects, verbs, objects, tails;
  // Case-note sentences with one or two identifiers.
  std::span<const std::string_view> notes;
  // Sentences full of figures: invoices, payments, orders.
  std::span<const std::string_view> figures;
  // Contract clause sentences (legal register).
  std::span<const std::string_view> clauses;
  std::span<const std::string_view> clause_headings;
  std::span<const std::string_view> subjects_line;  // e-mail subjects
  std::span<const std::string_view> greetings;      // followed by " {GIVEN},"
  std::span<const std::string_view> closings;       // line before the signature
  std::span<const std::string_view> titles;         // job titles in signatures
  std::string_view case_word;                       // "Case", "Vorgang", "Dossier"
  std::string_view logged_by;                       // "Logged {DATE} by {NAME}"
};

const PhraseSet& Phrases(Lang lang);

}  // namespace airlock::bench
