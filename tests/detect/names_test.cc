// Person-name detection: the names.yaml detectors with their expanders.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "airlock/detect/validators.h"

namespace airlock::detect {
namespace {

class NamesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto catalog =
        Catalog::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/names.yaml");
    ASSERT_TRUE(catalog.ok());
    auto analyzer = Analyzer::Create(std::move(*catalog), AnalyzerOptions{});
    ASSERT_TRUE(analyzer.ok());
    analyzer_ = new std::shared_ptr<const Analyzer>(*analyzer);
  }
  static void TearDownTestSuite() {
    delete analyzer_;
    analyzer_ = nullptr;
  }

  // The PERSON spans found in `text`, as the strings they cover.
  static std::vector<std::string> Names(std::string_view text) {
    auto found = (*analyzer_)->Analyze(text);
    EXPECT_TRUE(found.ok());
    std::vector<std::string> out;
    if (!found.ok()) return out;
    for (const Finding& f : *found) {
      if (f.entity_type == "PERSON") out.emplace_back(text.substr(f.span.begin, f.span.size()));
    }
    return out;
  }

  static std::shared_ptr<const Analyzer>* analyzer_;
};

std::shared_ptr<const Analyzer>* NamesTest::analyzer_ = nullptr;

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(NamesTest, EnglishFullNameWithInitial) {
  EXPECT_THAT(Names("Yesterday Ken N. Fukuda called about the contract."),
              ElementsAre("Ken N. Fukuda"));
}

TEST_F(NamesTest, GivenNameAlone) {
  EXPECT_THAT(Names("Please forward this to Emily before noon."), ElementsAre("Emily"));
}

TEST_F(NamesTest, PossessiveIsNotPartOfTheName) {
  EXPECT_THAT(Names("We reviewed Laura Carvalho's claim."), ElementsAre("Laura Carvalho"));
}

TEST_F(NamesTest, ParticlesAndHyphens) {
  EXPECT_THAT(Names("Die Akte von Ludwig van Beethoven liegt vor."),
              ElementsAre("Ludwig van Beethoven"));
  EXPECT_THAT(Names("Le dossier de Jean-Luc Picard est complet."), ElementsAre("Jean-Luc Picard"));
}

TEST_F(NamesTest, TitleExcludedFromSpan) {
  EXPECT_THAT(Names("Sehr geehrte Frau Schneider, anbei die Unterlagen."),
              ElementsAre("Schneider"));
  EXPECT_THAT(Names("Mme Dubois a signé le contrat."), ElementsAre("Dubois"));
  EXPECT_THAT(Names("El Sr. García llegó tarde."), ElementsAre("García"));
  EXPECT_THAT(Names("Il Sig. Rossi ha chiamato."), ElementsAre("Rossi"));
  EXPECT_THAT(Names("Dhr. Jansen heeft gebeld."), ElementsAre("Jansen"));
  EXPECT_THAT(Names("Mrs. Brown will join the call."), ElementsAre("Brown"));
}

TEST_F(NamesTest, SignatureLine) {
  EXPECT_THAT(Names("See attached.\nKind regards,\nXaver Obermeier\n"),
              ElementsAre("Xaver Obermeier"));
  EXPECT_THAT(Names("Merci.\nCordialement,\nZoé Lefèvre"), ElementsAre("Zoé Lefèvre"));
}

TEST_F(NamesTest, IntroductionCues) {
  EXPECT_THAT(Names("Hola, me llamo Tzigane."), ElementsAre("Tzigane"));
  EXPECT_THAT(Names("Buongiorno, mi chiamo Giulia Bianchi."), ElementsAre("Giulia Bianchi"));
  EXPECT_THAT(Names("Hallo, ik heet Daan de Vries."), ElementsAre("Daan de Vries"));
}

TEST_F(NamesTest, NonAsciiNames) {
  EXPECT_THAT(Names("Der Vertrag wurde von Jörg Müller geprüft."), ElementsAre("Jörg Müller"));
  EXPECT_THAT(Names("Ügyfelünk, Ákos Szabó telefonált."), ElementsAre("Ákos Szabó"));
}

TEST_F(NamesTest, SentenceInitialWordsAndMonthsAreNotNames) {
  EXPECT_THAT(Names("Will you send the report? May 2024 is the deadline."), IsEmpty());
  EXPECT_THAT(Names("The meeting moved to June. Hope this helps."), IsEmpty());
  EXPECT_THAT(Names("Don't forget the invoice. Can you check it?"), IsEmpty());
}

TEST_F(NamesTest, PlacesAndCompaniesAreNotNames) {
  EXPECT_THAT(Names("Our office in Paris opens in March."), IsEmpty());
  EXPECT_THAT(Names("She moved to Sydney last year."), IsEmpty());
  EXPECT_THAT(Names("The parcel goes to 12 Jackson Street."), IsEmpty());
  EXPECT_THAT(Names("Ford Motor Company and Johnson & Johnson reported."), IsEmpty());
  EXPECT_THAT(Names("Please ship it to Rue Victor Hugo 5."), IsEmpty());
}

TEST_F(NamesTest, LoneSurnameNeedsACue) {
  EXPECT_THAT(Names("The Kowalski file is closed."), IsEmpty());
  EXPECT_THAT(Names("Dr. Kowalski is on leave."), ElementsAre("Kowalski"));
}

TEST_F(NamesTest, GreetingToTeamIsNotAName) {
  EXPECT_THAT(Names("Dear Team, the release is out."), IsEmpty());
  EXPECT_THAT(Names("Best regards,\nThe Support Team"), IsEmpty());
}

TEST(NameValidatorTest, RejectsDigitsAndLineBreaks) {
  ValidatorFn v = FindValidator("person_name");
  ASSERT_NE(v, nullptr);
  ValidationContext ctx;
  EXPECT_TRUE(v("Anna Schmidt", ctx).valid);
  EXPECT_FALSE(v("Anna 42", ctx).valid);
  EXPECT_FALSE(v("Anna\nSchmidt", ctx).valid);
  EXPECT_FALSE(v("anna@example.org", ctx).valid);
  EXPECT_FALSE(v("", ctx).valid);
}

}  // namespace
}  // namespace airlock::detect
