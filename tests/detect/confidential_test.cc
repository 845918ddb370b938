// Confidential material and special categories of personal data: the
// confidential.yaml and special_category.yaml detectors, in EN, DE, FR, ES,
// IT and NL, with benign look-alikes that must not be reported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"

namespace airlock::detect {
namespace {

struct Hit {
  std::string entity_type;
  DataClass data_class;
  double score;
  std::string text;
};

class ConfidentialTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/";
    auto catalog = Catalog::LoadFile(dir + "confidential.yaml");
    ASSERT_TRUE(catalog.ok()) << catalog.status().message();
    auto special = Catalog::LoadFile(dir + "special_category.yaml");
    ASSERT_TRUE(special.ok()) << special.status().message();
    ASSERT_TRUE(catalog->Merge(std::move(*special)).ok());
    auto analyzer = Analyzer::Create(std::move(*catalog), AnalyzerOptions{});
    ASSERT_TRUE(analyzer.ok()) << analyzer.status().message();
    analyzer_ = new std::shared_ptr<const Analyzer>(*analyzer);
  }
  static void TearDownTestSuite() {
    delete analyzer_;
    analyzer_ = nullptr;
  }

  static std::vector<Hit> Find(std::string_view text) {
    auto found = (*analyzer_)->Analyze(text);
    EXPECT_TRUE(found.ok());
    std::vector<Hit> out;
    if (!found.ok()) return out;
    for (const Finding& f : *found) {
      out.push_back({f.entity_type, f.data_class, f.score,
                     std::string(text.substr(f.span.begin, f.span.size()))});
    }
    return out;
  }

  // The entity types found in `text`.
  static std::vector<std::string> Types(std::string_view text) {
    std::vector<std::string> out;
    for (const Hit& h : Find(text)) out.push_back(h.entity_type);
    return out;
  }

  // The one finding of `type` in `text`; fails the test when there is none.
  static Hit Only(std::string_view text, std::string_view type) {
    for (const Hit& h : Find(text)) {
      if (h.entity_type == type) return h;
    }
    ADD_FAILURE() << "no " << type << " in: " << text;
    return {};
  }

  static std::shared_ptr<const Analyzer>* analyzer_;
};

std::shared_ptr<const Analyzer>* ConfidentialTest::analyzer_ = nullptr;

using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Ge;
using ::testing::IsEmpty;
using ::testing::Not;

// --- Privilege markers -------------------------------------------------------

TEST_F(ConfidentialTest, PrivilegedMemoHeaderIsConfidential) {
  const std::string memo =
      "PRIVILEGED & CONFIDENTIAL\nATTORNEY-CLIENT COMMUNICATION\n"
      "To: General Counsel\nRe: settlement strategy\n";
  Hit h = Only(memo, "PRIVILEGE_MARKER");
  EXPECT_EQ(h.data_class, DataClass::kConfidential);
  EXPECT_GE(h.score, 0.9);
  EXPECT_EQ(h.text, "PRIVILEGED & CONFIDENTIAL");
}

TEST_F(ConfidentialTest, PrivilegeMarkersEnglish) {
  EXPECT_EQ(Only("This memo is attorney-client privileged.", "PRIVILEGE_MARKER").text,
            "attorney-client privileged");
  EXPECT_EQ(Only("Draft — subject to legal privilege", "PRIVILEGE_MARKER").text,
            "subject to legal privilege");
  EXPECT_GE(Only("WITHOUT PREJUDICE\nDear Sirs,", "PRIVILEGE_MARKER").score, 0.9);
  EXPECT_GE(Only("Attorney work product - do not forward", "PRIVILEGE_MARKER").score, 0.9);
}

TEST_F(ConfidentialTest, WithoutPrejudiceToIsNotAMarker) {
  EXPECT_THAT(Types("This is without prejudice to Article 6 of the Regulation."), IsEmpty());
}

TEST_F(ConfidentialTest, PrivilegeMarkersGerman) {
  EXPECT_THAT(Types("Ohne Präjudiz:\nSehr geehrte Damen und Herren"),
              Contains("PRIVILEGE_MARKER"));
  EXPECT_THAT(Types("Dieses Schreiben unterliegt dem Anwaltsgeheimnis."),
              Contains("PRIVILEGE_MARKER"));
}

TEST_F(ConfidentialTest, PrivilegeMarkersFrench) {
  Hit h = Only("SOUS TOUTES RÉSERVES\nMaître,", "PRIVILEGE_MARKER");
  EXPECT_EQ(h.data_class, DataClass::kConfidential);
  EXPECT_THAT(Types("Courrier couvert par le secret professionnel."),
              Contains("PRIVILEGE_MARKER"));
}

TEST_F(ConfidentialTest, PrivilegeMarkersSpanish) {
  EXPECT_THAT(Types("Documento sujeto al secreto profesional."), Contains("PRIVILEGE_MARKER"));
  EXPECT_THAT(Types("Confidencial y privilegiado"), Contains("PRIVILEGE_MARKER"));
  EXPECT_THAT(Types("Comunicación confidencial del abogado: secreto profesional"),
              Contains("PRIVILEGE_MARKER"));
}

TEST_F(ConfidentialTest, PrivilegeMarkersItalian) {
  EXPECT_THAT(Types("Comunicazione coperta dal segreto professionale."),
              Contains("PRIVILEGE_MARKER"));
  EXPECT_THAT(Types("Riservato e privilegiato"), Contains("PRIVILEGE_MARKER"));
}

TEST_F(ConfidentialTest, PrivilegeMarkersDutch) {
  EXPECT_THAT(Types("Vertrouwelijk en geprivilegieerd"), Contains("PRIVILEGE_MARKER"));
  EXPECT_THAT(Types("Deze e-mail valt onder het verschoningsrecht."),
              Contains("PRIVILEGE_MARKER"));
}

TEST_F(ConfidentialTest, SecrecyAsATopicIsNotAMarker) {
  // The professional-secrecy terms count only next to a legal or
  // confidentiality word.
  EXPECT_THAT(Types("El secreto profesional del médico es un tema clásico."), IsEmpty());
  EXPECT_THAT(Types("Het beroepsgeheim is een oud begrip."), IsEmpty());
  EXPECT_THAT(Types("Le secret professionnel est ancien."), IsEmpty());
}

// --- Classification labels ---------------------------------------------------

TEST_F(ConfidentialTest, LabelsEnglish) {
  Hit h = Only("INTERNAL USE ONLY", "CLASSIFICATION_LABEL");
  EXPECT_EQ(h.data_class, DataClass::kConfidential);
  EXPECT_GE(h.score, 0.8);
  EXPECT_THAT(Types("Strictly confidential. Do not distribute."),
              ElementsAre("CLASSIFICATION_LABEL", "CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("TLP:AMBER"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("Classification: Internal"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("CONFIDENTIAL"), ElementsAre("CLASSIFICATION_LABEL"));
}

TEST_F(ConfidentialTest, LabelsGerman) {
  EXPECT_THAT(Types("STRENG VERTRAULICH"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("Nur für den internen Gebrauch"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("NUR FÜR DEN INTERNEN GEBRAUCH"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("VS-NfD"), ElementsAre("CLASSIFICATION_LABEL"));
}

TEST_F(ConfidentialTest, LabelsFrench) {
  EXPECT_THAT(Types("Strictement confidentiel"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("Diffusion restreinte – usage interne uniquement"),
              ElementsAre("CLASSIFICATION_LABEL", "CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("CONFIDENTIEL"), ElementsAre("CLASSIFICATION_LABEL"));
}

TEST_F(ConfidentialTest, LabelsSpanish) {
  EXPECT_THAT(Types("Estrictamente confidencial"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("Sólo para uso interno"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("Prohibida su distribución"), ElementsAre("CLASSIFICATION_LABEL"));
}

TEST_F(ConfidentialTest, LabelsItalian) {
  EXPECT_THAT(Types("Strettamente riservato"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("Documento solo per uso interno"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("Non divulgare"), ElementsAre("CLASSIFICATION_LABEL"));
}

TEST_F(ConfidentialTest, LabelsDutch) {
  EXPECT_THAT(Types("Strikt vertrouwelijk"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("Alleen voor intern gebruik"), ElementsAre("CLASSIFICATION_LABEL"));
  EXPECT_THAT(Types("VERTROUWELIJK"), ElementsAre("CLASSIFICATION_LABEL"));
}

TEST_F(ConfidentialTest, ConfidentialityAsATopicIsNotALabel) {
  EXPECT_THAT(Types("Please use the confidentiality agreement template for new vendors."),
              IsEmpty());
  EXPECT_THAT(Types("Confidential information means any information disclosed by a party."),
              IsEmpty());
  EXPECT_THAT(Types("Die Informationen sind vertraulich zu behandeln, sagte er."),
              Each(Not("PRIVILEGE_MARKER")));
  EXPECT_THAT(Types("Les données confidentielles sont protégées."), IsEmpty());
  EXPECT_THAT(Types("La información confidencial se define en la cláusula 5."), IsEmpty());
  EXPECT_THAT(Types("L'uso improprio è vietato."), IsEmpty());
  EXPECT_THAT(Types("Vertrouwelijke informatie wordt beschermd."), IsEmpty());
}

// --- Document control --------------------------------------------------------

TEST_F(ConfidentialTest, DocumentControlHeadersAndFooters) {
  Hit footer = Only("Version 2.1 — Confidential — Page 3 of 12", "DOCUMENT_CONTROL");
  EXPECT_EQ(footer.data_class, DataClass::kConfidential);
  EXPECT_EQ(Only("Document ID: LGL-2024-0031", "DOCUMENT_CONTROL").text,
                 "Document ID: LGL-2024-0031");
  EXPECT_THAT(Types("Dokumentnummer: QM-17/3"), ElementsAre("DOCUMENT_CONTROL"));
  EXPECT_THAT(Types("Vertraulich – Seite 2 von 5"), ElementsAre("DOCUMENT_CONTROL"));
  EXPECT_THAT(Types("Confidentiel | page 4 sur 9"), ElementsAre("DOCUMENT_CONTROL"));
  EXPECT_THAT(Types("Referencia del documento: RH-2023-7"), ElementsAre("DOCUMENT_CONTROL"));
  EXPECT_THAT(Types("Riservato - pagina 1 di 3"), ElementsAre("DOCUMENT_CONTROL"));
  EXPECT_THAT(Types("Documentnummer: HR/0042"), ElementsAre("DOCUMENT_CONTROL"));
  EXPECT_THAT(Types("Uncontrolled copy when printed"), ElementsAre("DOCUMENT_CONTROL"));
}

TEST_F(ConfidentialTest, PlainPageNumbersAreNotDocumentControl) {
  EXPECT_THAT(Types("See page 3 of 12 for the table."), IsEmpty());
  EXPECT_THAT(Types("Version 2.1 adds a dark mode."), IsEmpty());
}

// --- Health data -------------------------------------------------------------

TEST_F(ConfidentialTest, HealthDataInEveryLanguage) {
  Hit en = Only("The employee was diagnosed with multiple sclerosis last year.", "HEALTH_DATA");
  EXPECT_EQ(en.data_class, DataClass::kSpecialCategory);
  EXPECT_EQ(en.text, "diagnosed with multiple sclerosis");
  EXPECT_GE(en.score, 0.7);
  EXPECT_EQ(Only("Mitarbeiterin ist arbeitsunfähig wegen Bandscheibenvorfall.", "HEALTH_DATA")
                .text,
            "arbeitsunfähig wegen Bandscheibenvorfall");
  EXPECT_THAT(Types("La salariée est en arrêt maladie pour dépression."),
              Contains("HEALTH_DATA"));
  EXPECT_THAT(Types("El trabajador está de baja médica por ansiedad."), Contains("HEALTH_DATA"));
  EXPECT_THAT(Types("Il dipendente è in malattia per influenza."), Contains("HEALTH_DATA"));
  EXPECT_THAT(Types("De medewerker heeft zich ziek gemeld wegens griep."),
              Contains("HEALTH_DATA"));
}

TEST_F(ConfidentialTest, HealthTermsNeedAPersonNearby) {
  EXPECT_THAT(Types("Patient has diabetes."), ElementsAre("HEALTH_DATA"));
  EXPECT_THAT(Types("Der Mitarbeiter hat Depressionen."), ElementsAre("HEALTH_DATA"));
  EXPECT_THAT(Types("The Great Depression changed economics."), IsEmpty());
  EXPECT_THAT(Types("The project suffers from delays."), IsEmpty());
  EXPECT_THAT(Types("El proyecto padece retrasos."), IsEmpty());
  EXPECT_THAT(Types("La enceinte Bluetooth est en promotion."), IsEmpty());
  EXPECT_THAT(Types("De economische depressie duurde jaren."), IsEmpty());
  EXPECT_THAT(Types("La depressione tropicale si è spostata."), IsEmpty());
}

// --- Trade-union membership --------------------------------------------------

TEST_F(ConfidentialTest, TradeUnionMembershipInEveryLanguage) {
  Hit en = Only("He is a member of the IG Metall since 2010.", "TRADE_UNION_MEMBERSHIP");
  EXPECT_EQ(en.data_class, DataClass::kSpecialCategory);
  EXPECT_EQ(en.text, "member of the IG Metall");
  EXPECT_THAT(Types("Herr Maier ist Gewerkschaftsmitglied."),
              ElementsAre("TRADE_UNION_MEMBERSHIP"));
  EXPECT_THAT(Types("Il est syndiqué depuis 2015."), ElementsAre("TRADE_UNION_MEMBERSHIP"));
  EXPECT_THAT(Types("Es afiliado a CCOO desde hace años."),
              ElementsAre("TRADE_UNION_MEMBERSHIP"));
  EXPECT_THAT(Types("È iscritto alla CGIL."), ElementsAre("TRADE_UNION_MEMBERSHIP"));
  EXPECT_THAT(Types("Hij is lid van de FNV."), ElementsAre("TRADE_UNION_MEMBERSHIP"));
}

TEST_F(ConfidentialTest, UnionsInTheNewsAreNotMembership) {
  EXPECT_THAT(Types("The European Union member states agreed on the budget."), IsEmpty());
  EXPECT_THAT(Types("Die Europäische Union hat beschlossen."), IsEmpty());
  EXPECT_THAT(Types("Die Gewerkschaft ver.di ruft zum Streik auf."), IsEmpty());
  EXPECT_THAT(Types("Les syndicats appellent à la grève."), IsEmpty());
  EXPECT_THAT(Types("La Unión Europea aprobó el presupuesto."), IsEmpty());
  EXPECT_THAT(Types("Il sindacato ha indetto uno sciopero."), IsEmpty());
  EXPECT_THAT(Types("De vakbond FNV voert actie."), IsEmpty());
}

// --- Religion, politics, ethnicity, sexual orientation ----------------------

TEST_F(ConfidentialTest, ReligiousBeliefInEveryLanguage) {
  EXPECT_EQ(Only("She is a practising Muslim.", "RELIGIOUS_BELIEF").data_class,
            DataClass::kSpecialCategory);
  EXPECT_THAT(Types("Konfession: römisch-katholisch"), ElementsAre("RELIGIOUS_BELIEF"));
  EXPECT_THAT(Types("Il est musulman pratiquant."), ElementsAre("RELIGIOUS_BELIEF"));
  EXPECT_THAT(Types("Es testigo de Jehová."), ElementsAre("RELIGIOUS_BELIEF"));
  EXPECT_THAT(Types("È testimone di Geova."), ElementsAre("RELIGIOUS_BELIEF"));
  EXPECT_THAT(Types("Hij is moslim."), ElementsAre("RELIGIOUS_BELIEF"));
}

TEST_F(ConfidentialTest, ChurchesAndStreetsAreNotBeliefs) {
  EXPECT_THAT(Types("We met at the church on Main Street."), IsEmpty());
  EXPECT_THAT(Types("Treffpunkt an der Kirchstraße 4."), IsEmpty());
  EXPECT_THAT(Types("Rendez-vous devant l'église Saint-Paul."), IsEmpty());
  EXPECT_THAT(Types("La iglesia de San Juan está en la calle Mayor."), IsEmpty());
  EXPECT_THAT(Types("La chiesa di via Roma è chiusa."), IsEmpty());
  EXPECT_THAT(Types("De kerk aan de Kerkstraat."), IsEmpty());
}

TEST_F(ConfidentialTest, PoliticalOpinionEthnicOriginSexualOrientation) {
  EXPECT_THAT(Types("Er ist Mitglied der AfD."), ElementsAre("POLITICAL_OPINION"));
  EXPECT_THAT(Types("Il est membre du Rassemblement national."),
              ElementsAre("POLITICAL_OPINION"));
  EXPECT_THAT(Types("He is a member of the Labour Party."), ElementsAre("POLITICAL_OPINION"));
  EXPECT_THAT(Types("Es militante del PSOE."), ElementsAre("POLITICAL_OPINION"));
  EXPECT_THAT(Types("È iscritto al Partito Democratico."), ElementsAre("POLITICAL_OPINION"));
  EXPECT_THAT(Types("Hij is lid van de VVD."), ElementsAre("POLITICAL_OPINION"));
  EXPECT_THAT(Types("The party agreed on the terms of the contract."), IsEmpty());

  EXPECT_THAT(Types("Ethnic origin: not recorded"), ElementsAre("ETHNIC_ORIGIN"));
  EXPECT_THAT(Types("Er hat einen Migrationshintergrund."), ElementsAre("ETHNIC_ORIGIN"));
  EXPECT_THAT(Types("Elle est d'origine marocaine."), ElementsAre("ETHNIC_ORIGIN"));
  EXPECT_THAT(Types("Origen étnico del candidato"), ElementsAre("ETHNIC_ORIGIN"));
  EXPECT_THAT(Types("Origine etnica del dipendente"), ElementsAre("ETHNIC_ORIGIN"));
  EXPECT_THAT(Types("Hij is van Marokkaanse afkomst."), ElementsAre("ETHNIC_ORIGIN"));

  EXPECT_THAT(Types("The applicant is openly gay."), ElementsAre("SEXUAL_ORIENTATION"));
  EXPECT_THAT(Types("Die Mitarbeiterin ist lesbisch."), ElementsAre("SEXUAL_ORIENTATION"));
  EXPECT_THAT(Types("Elle est ouvertement lesbienne."), ElementsAre("SEXUAL_ORIENTATION"));
  EXPECT_THAT(Types("Su orientación sexual no importa."), ElementsAre("SEXUAL_ORIENTATION"));
  EXPECT_THAT(Types("Orientamento sessuale dichiarato."), ElementsAre("SEXUAL_ORIENTATION"));
  EXPECT_THAT(Types("Hij is homo."), ElementsAre("SEXUAL_ORIENTATION"));
  EXPECT_THAT(Types("The Gay Street bakery opens at nine."), IsEmpty());
}

// --- Biometric, genetic, criminal records -----------------------------------

TEST_F(ConfidentialTest, BiometricAndGeneticData) {
  EXPECT_THAT(Types("Fingerprint templates of all staff are stored."),
              ElementsAre("BIOMETRIC_DATA"));
  EXPECT_THAT(Types("Biometrische Daten der Beschäftigten"), ElementsAre("BIOMETRIC_DATA"));
  EXPECT_THAT(Types("Les empreintes digitales des salariés"), ElementsAre("BIOMETRIC_DATA"));
  EXPECT_THAT(Types("Datos biométricos del empleado"), ElementsAre("BIOMETRIC_DATA"));
  EXPECT_THAT(Types("Dati biometrici dei dipendenti"), ElementsAre("BIOMETRIC_DATA"));
  EXPECT_THAT(Types("Vingerafdrukken van medewerkers"), ElementsAre("BIOMETRIC_DATA"));
  EXPECT_THAT(Types("This is the fingerprint of the TLS certificate."), IsEmpty());

  EXPECT_THAT(Types("Genetic test results for the applicant."), ElementsAre("GENETIC_DATA"));
  EXPECT_THAT(Types("Das Ergebnis des Gentests liegt vor: Gentest positiv."),
              Contains("GENETIC_DATA"));
  EXPECT_THAT(Types("Prédisposition génétique au cancer"), Contains("GENETIC_DATA"));
  EXPECT_THAT(Types("Predisposición genética"), ElementsAre("GENETIC_DATA"));
  EXPECT_THAT(Types("Test genetico del paziente"), Contains("GENETIC_DATA"));
  EXPECT_THAT(Types("Een DNA-test werd afgenomen."), ElementsAre("GENETIC_DATA"));
}

TEST_F(ConfidentialTest, CriminalRecordsInEveryLanguage) {
  Hit en = Only("He was convicted of fraud in 2015.", "CRIMINAL_RECORD");
  EXPECT_EQ(en.data_class, DataClass::kSpecialCategory);
  EXPECT_THAT(Types("Der Bewerber ist vorbestraft."), ElementsAre("CRIMINAL_RECORD"));
  EXPECT_THAT(Types("Extrait de casier judiciaire"), ElementsAre("CRIMINAL_RECORD"));
  EXPECT_THAT(Types("Certificado de antecedentes penales"), Contains("CRIMINAL_RECORD"));
  EXPECT_THAT(Types("Certificato del casellario giudiziale"), ElementsAre("CRIMINAL_RECORD"));
  EXPECT_THAT(Types("Hij heeft een strafblad."), ElementsAre("CRIMINAL_RECORD"));
  EXPECT_THAT(Types("The record shows a criminally low price."), IsEmpty());
}

// --- Every finding carries its data class -----------------------------------

TEST_F(ConfidentialTest, DataClassesSeparatePrivilegeFromSpecialCategory) {
  const std::string text =
      "PRIVILEGED & CONFIDENTIAL\n"
      "Re: dismissal of an employee who is a member of the IG Metall and was "
      "diagnosed with depression.\n";
  std::vector<Hit> hits = Find(text);
  ASSERT_THAT(hits.size(), Ge(3u));
  for (const Hit& h : hits) {
    if (h.entity_type == "PRIVILEGE_MARKER") {
      EXPECT_EQ(h.data_class, DataClass::kConfidential);
    } else {
      EXPECT_EQ(h.data_class, DataClass::kSpecialCategory) << h.entity_type;
    }
  }
}

}  // namespace
}  // namespace airlock::detect
