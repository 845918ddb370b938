// Postal addresses: the address.yaml detectors on free text, and the
// street_address_field detector on the values of street fields.
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

class AddressTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto catalog =
        Catalog::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/address.yaml");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    auto analyzer = Analyzer::Create(std::move(*catalog), AnalyzerOptions{});
    ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
    analyzer_ = new std::shared_ptr<const Analyzer>(*analyzer);
  }
  static void TearDownTestSuite() {
    delete analyzer_;
    analyzer_ = nullptr;
  }

  // The STREET_ADDRESS spans found in `text` (as the value of `field` when
  // one is given), as the strings they cover.
  static std::vector<std::string> Streets(std::string_view text, std::string_view field = {}) {
    FieldContext fc;
    if (!field.empty()) fc = (*analyzer_)->PrepareField(field);
    auto found = (*analyzer_)->Analyze(text, field.empty() ? nullptr : &fc);
    EXPECT_TRUE(found.ok());
    std::vector<std::string> out;
    if (!found.ok()) return out;
    for (const Finding& f : *found) {
      if (f.entity_type == "STREET_ADDRESS") out.emplace_back(text.substr(f.span.begin, f.span.size()));
    }
    return out;
  }

  static std::shared_ptr<const Analyzer>* analyzer_;
};

std::shared_ptr<const Analyzer>* AddressTest::analyzer_ = nullptr;

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(AddressTest, NordicStreetSuffixes) {
  EXPECT_THAT(Streets("Billing address: Sara Schwarz, Puruntie 82, 53650 Lappeenranta"),
              ElementsAre("Puruntie 82"));
  EXPECT_THAT(Streets("Toimitus: Koskikatu 25 B, Tampere"), ElementsAre("Koskikatu 25 B"));
  EXPECT_THAT(Streets("Flyttet til Søndergade 52, 8000 Aarhus C."), ElementsAre("Søndergade 52"));
  EXPECT_THAT(Streets("Leverans till Magasinsgatan 7 i Göteborg"), ElementsAre("Magasinsgatan 7"));
  EXPECT_THAT(Streets("Ny adresse: Breivangvegen 38, Kristiansund"), ElementsAre("Breivangvegen 38"));
  // A Latin-1 capital first: \b alone would not match before its lead byte.
  EXPECT_THAT(Streets("Heimilisfang: Þorsteinsgata 63, Reykjavík"), ElementsAre("Þorsteinsgata 63"));
  EXPECT_THAT(Streets("Præstevænget 15, København V"), ElementsAre("Præstevænget 15"));
}

TEST_F(AddressTest, HungarianPolishAndPostBoxes) {
  EXPECT_THAT(Streets("The office is at Király u. 15. in Budapest"), ElementsAre("Király u. 15."));
  EXPECT_THAT(Streets("Címe: Erzsébet tér 19."), ElementsAre("Erzsébet tér 19."));
  EXPECT_THAT(Streets("Adres: ul. Więckowskiego Stefana 28, Łódź"),
              ElementsAre("ul. Więckowskiego Stefana 28"));
  EXPECT_THAT(Streets("Send it to P.O. Box 149, Springfield"), ElementsAre("P.O. Box 149"));
  EXPECT_THAT(Streets("Postfach 10 01 23, 80331 München"), ElementsAre("Postfach 10 01 23"));
  EXPECT_THAT(Streets("Hello, my new address is PSC 6293, Box 8158\nAPO AP 04336"),
              ElementsAre("PSC 6293, Box 8158\nAPO AP 04336"));
}

TEST_F(AddressTest, EnglishWordsThatLookLikeStreetsAreNot) {
  // -gate and -rinne end English words; "al." is a citation, not aleja.
  EXPECT_THAT(Streets("Investigate 2 cases and Delegate 3 tasks before Friday."), IsEmpty());
  EXPECT_THAT(Streets("Corinne 5 minutes late again."), IsEmpty());
  EXPECT_THAT(Streets("As shown by Jones et al. Nature 2019, the effect holds."), IsEmpty());
  EXPECT_THAT(Streets("The unit 4 box was delivered."), IsEmpty());
}

TEST_F(AddressTest, StreetFieldValues) {
  // Salesforce's street fields, whatever the country's format.
  EXPECT_THAT(Streets("Allika 46", "MailingStreet"), ElementsAre("Allika 46"));
  EXPECT_THAT(Streets("Dobrovského 1394", "BillingStreet"), ElementsAre("Dobrovského 1394"));
  EXPECT_THAT(Streets(" 1 Market St, Suite 300 ", "ShippingStreet"), ElementsAre("1 Market St, Suite 300"));
  EXPECT_THAT(Streets("Jahu 80", "Address_Line_1"), ElementsAre("Jahu 80"));
  EXPECT_THAT(Streets("Pikk 12", "Wohnanschrift"), ElementsAre("Pikk 12"));
  // Without the field name, "Allika 46" is two words and a number.
  EXPECT_THAT(Streets("Allika 46"), IsEmpty());
  // Values that are no street, and columns that are not streets.
  EXPECT_THAT(Streets("n/a", "MailingStreet"), IsEmpty());
  EXPECT_THAT(Streets("Hauptplatz", "MailingStreet"), IsEmpty());
  EXPECT_THAT(Streets("j.doe2@example.com", "E-Mail-Adresse"), IsEmpty());
  EXPECT_THAT(Streets("fe80::1ff:fe23:4567:890a", "Adresse IP"), IsEmpty());
  EXPECT_THAT(Streets("https://example.com/a1", "Webadresse"), IsEmpty());
  EXPECT_TRUE((*analyzer_)->PrepareField("Email Address").detectors.empty());
  EXPECT_TRUE((*analyzer_)->PrepareField("AccountName").detectors.empty());
}

TEST(StreetValueValidator, NeedsLettersAndANumber) {
  ValidatorFn fn = FindValidator("street_value");
  ASSERT_NE(fn, nullptr);
  const ValidationContext ctx;
  EXPECT_TRUE(fn("Koskikatu 25 A 4", ctx).valid);
  EXPECT_TRUE(fn("Király u. 15.", ctx).valid);
  EXPECT_TRUE(fn("PO Box 7", ctx).valid);
  EXPECT_FALSE(fn("12", ctx).valid);
  EXPECT_FALSE(fn("12345", ctx).valid);
  EXPECT_FALSE(fn("Main Street", ctx).valid);
  EXPECT_FALSE(fn("a@b.c1", ctx).valid);
  EXPECT_FALSE(fn("2001:db8::1", ctx).valid);
  EXPECT_FALSE(fn(std::string(300, 'a') + "1", ctx).valid);
}

}  // namespace
}  // namespace airlock::detect
