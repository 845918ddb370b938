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

TEST_F(NamesTest, NameWithInitialOutsideTheGazetteer) {
  // Neither word is in the lists: a word, an initial and a word make a name.
  EXPECT_THAT(Names("I met Wrzosława K. Zbyszkowianka at the fair."),
              ElementsAre("Wrzosława K. Zbyszkowianka"));
  EXPECT_THAT(Names("Bitte rufen Sie Quirinella T Oberwieserova an."),
              ElementsAre("Quirinella T Oberwieserova"));
  // An abbreviation is not an initial.
  EXPECT_THAT(Names("Send it to P.O. Box 149 in Tallinn."), IsEmpty());
}

TEST_F(NamesTest, UnknownWordNextToASurname) {
  EXPECT_THAT(Names("Please call Tomomi Nishiyama tomorrow."), ElementsAre("Tomomi Nishiyama"));
  // A common word is not a given name.
  EXPECT_THAT(Names("That later became Credit Suisse in 1980."), IsEmpty());
}

TEST_F(NamesTest, CommonSurnameAfterAGivenName) {
  EXPECT_THAT(Names("Janet Burns called twice."), ElementsAre("Janet Burns"));
  EXPECT_THAT(Names("Ella H. Sparks signed it."), ElementsAre("Ella H. Sparks"));
}

TEST_F(NamesTest, LoneSurnameMidSentence) {
  EXPECT_THAT(Names("Our lawyer Kowalczyk confirmed the date."), ElementsAre("Kowalczyk"));
  EXPECT_THAT(Names("Gestern hat Huber angerufen."), ElementsAre("Huber"));
  EXPECT_THAT(Names("Hier a appelé Lefebvre pour le devis."), ElementsAre("Lefebvre"));
  // After a word that introduces a place or a thing, or when it is a
  // country or a common word, it is not reported.
  EXPECT_THAT(Names("We returned to Kowalczyk by plane."), IsEmpty());
  EXPECT_THAT(Names("Unlike the Kowalczyk file, this one is open."), IsEmpty());
  EXPECT_THAT(Names("There is a nice new Thai place downtown."), IsEmpty());
  EXPECT_THAT(Names("The office later moved to Oslo and then Sweden."), IsEmpty());
  EXPECT_THAT(Names("Words like Wisdom are often capitalised."), IsEmpty());
}

TEST_F(NamesTest, CapitalisedBusinessTermsAreNotNames) {
  EXPECT_THAT(Names("Please review the Purchase Order and the Service Level Agreement."),
              IsEmpty());
  EXPECT_THAT(Names("The Board Meeting approved the Risk Assessment."), IsEmpty());
  EXPECT_THAT(Names("Attached is the signed Master Services Agreement."), IsEmpty());
  EXPECT_THAT(Names("De Leverancier zal de Diensten leveren."), IsEmpty());
}

TEST_F(NamesTest, PlaceAndOrganisationFeatureWords) {
  EXPECT_THAT(Names("Meet me at the corner of Mathias Pass and Eriksson Bridge."), IsEmpty());
  EXPECT_THAT(Names("The Davis Orchestra was founded in 1988."), IsEmpty());
  // Lower case after the name is a verb, not a place.
  EXPECT_THAT(Names("As Ryan Fernandes points out, it works."), ElementsAre("Ryan Fernandes"));
}

TEST_F(NamesTest, NamingAndRelationCues) {
  EXPECT_THAT(Names("What's your last name? Zbyszkowianka"), ElementsAre("Zbyszkowianka"));
  EXPECT_THAT(Names("Sometimes people call me Wrzosława."), ElementsAre("Wrzosława"));
  EXPECT_THAT(Names("I would like to remove my kid Quirinella from the will."),
              ElementsAre("Quirinella"));
  EXPECT_THAT(Names("Mein Sohn Quirinus ist krank."), ElementsAre("Quirinus"));
  EXPECT_THAT(Names("Mi hijo Quirinello está enfermo."), ElementsAre("Quirinello"));
  EXPECT_THAT(Names("Mijn dochter Wrzosława is ziek."), ElementsAre("Wrzosława"));
  EXPECT_THAT(Names("The film was directed by Oberwieserova."), ElementsAre("Oberwieserova"));
}

TEST_F(NamesTest, LowerCaseNameAfterIntroduction) {
  EXPECT_THAT(Names("hi, my name is lena andersson and I lost my card"),
              ElementsAre("lena andersson"));
  EXPECT_THAT(Names("bonjour, je m'appelle claire dubois"), ElementsAre("claire dubois"));
  EXPECT_THAT(Names("ciao, mi chiamo giulia"), ElementsAre("giulia"));
  EXPECT_THAT(Names("please call me back tomorrow"), IsEmpty());
  EXPECT_THAT(Names("my name is not important"), IsEmpty());
}

TEST_F(NamesTest, BusinessProseInSeveralLanguages) {
  EXPECT_THAT(Names("Ho parlato con Giulia Romano ieri pomeriggio."), ElementsAre("Giulia Romano"));
  EXPECT_THAT(Names("Kunt u het contract doorsturen naar Pieter de Jong?"),
              ElementsAre("Pieter de Jong"));
  EXPECT_THAT(Names("Por favor, confirme con Javier Morales la fecha de entrega."),
              ElementsAre("Javier Morales"));
  EXPECT_THAT(Names("Die Kündigungsfrist beträgt drei Monate zum Quartalsende."), IsEmpty());
  EXPECT_THAT(Names("The Steering Committee met with representatives from Siemens."), IsEmpty());
  EXPECT_THAT(Names("We shipped the Order via Federal Express to the Distribution Center."),
              IsEmpty());
}

TEST_F(NamesTest, SurnamesInAListOfNames) {
  // A lone surname counts inside a list with another gazetteer name; a word
  // in no list counts when two others are gazetteer names.
  EXPECT_THAT(Names("The firm was started by our founders: Kowalski, Becker and Lundberg."),
              ElementsAre("Kowalski", "Becker", "Lundberg"));
  EXPECT_THAT(Names("On this list Marrero and Murphy were the precision engineers."),
              ElementsAre("Marrero", "Murphy"));
  // The same names as a firm or after a place-lead word are no list of people.
  EXPECT_THAT(Names("She works at Eklund, Richardson and Becker LLC in Leeds."), IsEmpty());
  EXPECT_THAT(Names("The parcel came from Kowalski, Becker."), IsEmpty());
}

TEST_F(NamesTest, QuestionAndFollowUpCues) {
  EXPECT_THAT(Names("What's your name? Sigurlaug Karlsdottir"), ElementsAre("Sigurlaug Karlsdottir"));
  EXPECT_THAT(Names("It is under my partner's name Matthias Traustason"),
              ElementsAre("Matthias Traustason"));
  EXPECT_THAT(Names("Please follow up with Satsita Umkhayev next week."),
              ElementsAre("Satsita Umkhayev"));
  EXPECT_THAT(Names("please follow up with patricia desrosiers next week."),
              ElementsAre("patricia desrosiers"));
  // A follow-up with a team is no name.
  EXPECT_THAT(Names("Please follow up with Finance next week."), IsEmpty());
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
