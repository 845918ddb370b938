// Validators for contact and structured personal data (validators/contact*.cc).
// Examples are published ones where they exist: libphonenumber's example
// numbers, RFC 5952 / RFC 4291 IPv6 forms, RFC 5737 documentation addresses.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "airlock/detect/validators.h"

namespace airlock::detect {
namespace {

ValidationResult Check(std::string_view validator, std::string_view candidate,
                     std::string region = "DE") {
  ValidatorFn fn = FindValidator(validator);
  EXPECT_NE(fn, nullptr) << validator;
  if (fn == nullptr) return {};
  ValidationContext ctx;
  ctx.default_region = std::move(region);
  return fn(candidate, ctx);
}

bool Valid(std::string_view validator, std::string_view candidate, std::string region = "DE") {
  return Check(validator, candidate, std::move(region)).valid;
}

TEST(ContactValidators, AreRegistered) {
  for (const char* name : {"email", "domain", "ipv4", "ipv6", "ip", "phone", "phone_shape",
                           "date_of_birth", "uk_postcode", "nl_postcode", "eircode", "street_value",
                           "salesforce_id"}) {
    EXPECT_NE(FindValidator(name), nullptr) << name;
  }
}

TEST(EmailValidator, AcceptsDotAtomAddresses) {
  EXPECT_TRUE(Valid("email", "jane.doe@example.com"));
  EXPECT_TRUE(Valid("email", "j.o'neil+crm@mail.example.co.uk"));
  EXPECT_TRUE(Valid("email", "x@sub-domain.example.museum"));
  EXPECT_TRUE(Valid("email", "user@xn--mnchen-3ya.xn--p1ai"));
  EXPECT_TRUE(Valid("email", "john_doe@example.com"));
}

TEST(EmailValidator, RejectsMalformedAddresses) {
  EXPECT_FALSE(Valid("email", ".jane@example.com"));
  EXPECT_FALSE(Valid("email", "jane.@example.com"));
  EXPECT_FALSE(Valid("email", "ja..ne@example.com"));
  EXPECT_FALSE(Valid("email", "jane@localhost"));
  EXPECT_FALSE(Valid("email", "jane@example.c"));     // TLD of one letter
  EXPECT_FALSE(Valid("email", "jane@example.123"));   // numeric TLD
  EXPECT_FALSE(Valid("email", "jane@-example.com"));  // label starts with '-'
  EXPECT_FALSE(Valid("email", "jane@exa_mple.com"));
  EXPECT_FALSE(Valid("email", "a@b@example.com"));
  EXPECT_FALSE(Valid("email", std::string(65, 'a') + "@example.com"));
}

TEST(PhoneValidator, AcceptsLibphonenumberExampleNumbersWithCountryCode) {
  EXPECT_EQ(Check("phone", "+49 30 123456").detail, "DE");
  EXPECT_EQ(Check("phone", "+33 1 23 45 67 89").detail, "FR");
  EXPECT_EQ(Check("phone", "+44 7400 123456").detail, "GB");
  EXPECT_EQ(Check("phone", "+1 201-555-0123").detail, "US");
  EXPECT_EQ(Check("phone", "+39 312 345 6789").detail, "IT");
  EXPECT_EQ(Check("phone", "+34 612 34 56 78").detail, "ES");
  EXPECT_EQ(Check("phone", "+31 6 12345678").detail, "NL");
  EXPECT_EQ(Check("phone", "0033 1 23 45 67 89").detail, "FR");
  EXPECT_TRUE(Valid("phone", "+1-201-555-0123x4587"));
}

TEST(PhoneValidator, ResolvesNationalNumbersWithTheDefaultRegionFirst) {
  EXPECT_EQ(Check("phone", "030 123456", "DE").detail, "DE");
  EXPECT_EQ(Check("phone", "01 23 45 67 89", "FR").detail, "FR");
  // Not valid in DE: falls back to the US.
  EXPECT_EQ(Check("phone", "(201) 555-0123", "DE").detail, "US");
  // Valid in DE as well (area code 07400): the default region wins there.
  EXPECT_EQ(Check("phone", "07400 123456", "DE").detail, "DE");
  EXPECT_EQ(Check("phone", "07400 123456", "FR").detail, "GB");
}

TEST(PhoneValidator, RejectsDigitRunsThatAreNotNumbers) {
  EXPECT_FALSE(Valid("phone", "+49 12"));                // too short
  EXPECT_FALSE(Valid("phone", "+999 123 456 789"));      // no such country code
  EXPECT_FALSE(Valid("phone", "12.03.1985"));            // a date
  EXPECT_FALSE(Valid("phone", "2000-04-16 11"));         // date and hour
  EXPECT_FALSE(Valid("phone", "078-05-1120"));           // SSN shape
  EXPECT_FALSE(Valid("phone", "1.234.567"));             // an amount
  EXPECT_FALSE(Valid("phone", "224 4966", "DE"));        // no trunk prefix
  EXPECT_FALSE(Valid("phone", "4111 1111 1111 1111"));   // card number
  EXPECT_FALSE(Valid("phone", "phone 030 123456"));      // letters
}

TEST(PhoneValidator, RejectsNonPhonesBeforeLibphonenumber) {
  // Cheap pre-checks (digit counts, trunk prefix, NANP shape) reject these
  // without a libphonenumber parse; the result must not depend on them.
  EXPECT_FALSE(Valid("phone", "069.473"));                 // amount, 6 digits
  EXPECT_FALSE(Valid("phone", "0815.99"));                 // decimal amount
  EXPECT_FALSE(Valid("phone", "0980 0379 7698 0592"));     // IBAN tail, 16 digits
  EXPECT_FALSE(Valid("phone", "5495858093940460"));        // card number
  EXPECT_NE(Check("phone", "0201-555-0123", "US").detail, "US");  // NANP area codes: 2-9
  EXPECT_TRUE(Valid("phone", "1-201-555-0123"));           // NANP with trunk prefix
  EXPECT_TRUE(Valid("phone", "201.555.0123"));
  EXPECT_TRUE(Valid("phone", "0171 2345678"));            // DE mobile
  EXPECT_TRUE(Valid("phone", "020 7946 0855", "FR"));      // GB fallback
  EXPECT_EQ(Check("phone", "312 345 6789", "IT").detail, "IT");  // region without a trunk prefix
}

TEST(PhoneShapeValidator, AcceptsPhoneShapedRuns) {
  EXPECT_TRUE(Valid("phone_shape", "0490 75 40 81"));
  EXPECT_TRUE(Valid("phone_shape", "+46 (0)8 928 571 38"));
  EXPECT_TRUE(Valid("phone_shape", "60-56-85-91"));
  EXPECT_TRUE(Valid("phone_shape", "467 3395"));
  EXPECT_TRUE(Valid("phone_shape", "345-899-3560x4587"));
}

TEST(PhoneShapeValidator, RejectsOtherDigitShapes) {
  EXPECT_FALSE(Valid("phone_shape", "123 45"));          // too few digits
  EXPECT_FALSE(Valid("phone_shape", "12/03/1985"));
  EXPECT_FALSE(Valid("phone_shape", "2015-12-22 04"));
  EXPECT_FALSE(Valid("phone_shape", "0000000"));
  EXPECT_FALSE(Valid("phone_shape", "12345678901"));     // unbroken 11 digits
  EXPECT_FALSE(Valid("phone_shape", "1234567890123456")); // too long
}

TEST(IpValidator, AcceptsIpv4) {
  EXPECT_TRUE(Valid("ipv4", "192.0.2.1"));  // RFC 5737
  EXPECT_TRUE(Valid("ipv4", "198.51.100.255"));
  EXPECT_TRUE(Valid("ipv4", "0.0.0.0"));
  EXPECT_EQ(Check("ip", "203.0.113.7").detail, "v4");
}

TEST(IpValidator, RejectsBadIpv4) {
  EXPECT_FALSE(Valid("ipv4", "256.1.1.1"));
  EXPECT_FALSE(Valid("ipv4", "1.2.3"));
  EXPECT_FALSE(Valid("ipv4", "1.2.3.4.5"));
  EXPECT_FALSE(Valid("ipv4", "01.2.3.4"));  // leading zero: octal to some parsers
  EXPECT_FALSE(Valid("ipv4", "1..3.4"));
}

TEST(IpValidator, AcceptsRfc5952AndRfc4291Ipv6Forms) {
  EXPECT_TRUE(Valid("ipv6", "2001:db8:0:0:1:0:0:1"));
  EXPECT_TRUE(Valid("ipv6", "2001:0db8:0000:0000:0001:0000:0000:0001"));
  EXPECT_TRUE(Valid("ipv6", "2001:db8::1:0:0:1"));
  EXPECT_TRUE(Valid("ipv6", "2001:DB8::1"));
  EXPECT_TRUE(Valid("ipv6", "2001:db8::"));
  EXPECT_TRUE(Valid("ipv6", "::1"));
  EXPECT_TRUE(Valid("ipv6", "fe80::1"));
  EXPECT_TRUE(Valid("ipv6", "::ffff:192.0.2.1"));
  EXPECT_TRUE(Valid("ipv6", "6e40:4041:c617:e898:c11:40d2:c669:2eb4"));
  EXPECT_EQ(Check("ip", "2001:db8::1").detail, "v6");
}

TEST(IpValidator, RejectsColonRunsThatAreNotAddresses) {
  EXPECT_FALSE(Valid("ipv6", "::"));
  EXPECT_FALSE(Valid("ipv6", "12:30:45"));              // a time
  EXPECT_FALSE(Valid("ipv6", "00:1a:2b:3c:4d:5e"));     // a MAC address
  EXPECT_FALSE(Valid("ipv6", "abc::def"));              // C++ scope, no digit
  EXPECT_FALSE(Valid("ipv6", "2001:db8::1::2"));        // two "::"
  EXPECT_FALSE(Valid("ipv6", "2001:db8:0:0:1:0:0:1:2"));  // nine groups
  EXPECT_FALSE(Valid("ipv6", "12345::1"));
}

TEST(DomainValidator, AcceptsUrlsAndHosts) {
  EXPECT_TRUE(Valid("domain", "https://www.example.com/"));
  EXPECT_TRUE(Valid("domain", "http://example.co.uk:8080/path?q=1"));
  EXPECT_TRUE(Valid("domain", "www.example.de"));
  EXPECT_TRUE(Valid("domain", "http://192.0.2.1/admin"));
}

TEST(DomainValidator, RejectsBadHosts) {
  EXPECT_FALSE(Valid("domain", "http://localhost/"));
  EXPECT_FALSE(Valid("domain", "https://example.1/"));
  EXPECT_FALSE(Valid("domain", "http://exa_mple.com/"));
}

TEST(DateOfBirthValidator, AcceptsNumericForms) {
  EXPECT_TRUE(Valid("date_of_birth", "12.03.1985"));
  EXPECT_TRUE(Valid("date_of_birth", "03/12/1985"));
  EXPECT_TRUE(Valid("date_of_birth", "12/31/1985"));  // US order
  EXPECT_TRUE(Valid("date_of_birth", "31/12/1985"));  // EU order
  EXPECT_TRUE(Valid("date_of_birth", "1985-03-12"));
  EXPECT_TRUE(Valid("date_of_birth", "29.02.2000"));  // leap year
  EXPECT_TRUE(Valid("date_of_birth", "12.03.85"));
  EXPECT_TRUE(Valid("date_of_birth", "12. 3. 1985"));
}

TEST(DateOfBirthValidator, AcceptsMonthNamesInSixLanguages) {
  EXPECT_TRUE(Valid("date_of_birth", "March 12, 1985"));
  EXPECT_TRUE(Valid("date_of_birth", "12th March 1985"));
  EXPECT_TRUE(Valid("date_of_birth", "12. M\xc3\xa4rz 1985"));
  EXPECT_TRUE(Valid("date_of_birth", "1er f\xc3\xa9vrier 1970"));
  EXPECT_TRUE(Valid("date_of_birth", "12 de marzo de 1985"));
  EXPECT_TRUE(Valid("date_of_birth", "12 marzo 1985"));
  EXPECT_TRUE(Valid("date_of_birth", "12 maart 1985"));
  EXPECT_TRUE(Valid("date_of_birth", "3 mrt. 1985"));
  EXPECT_TRUE(Valid("date_of_birth", "14 juil. 1962"));
  EXPECT_TRUE(Valid("date_of_birth", "1 Dez 1950"));
}

TEST(DateOfBirthValidator, RejectsImpossibleOrImplausibleDates) {
  EXPECT_FALSE(Valid("date_of_birth", "31.02.1985"));
  EXPECT_FALSE(Valid("date_of_birth", "29.02.1900"));  // not a leap year
  EXPECT_FALSE(Valid("date_of_birth", "13/13/1985"));
  EXPECT_FALSE(Valid("date_of_birth", "12.03.1850"));  // too long ago
  EXPECT_FALSE(Valid("date_of_birth", "12.03.2999"));  // in the future
  EXPECT_FALSE(Valid("date_of_birth", "1985-13-01"));
  EXPECT_FALSE(Valid("date_of_birth", "32 March 1985"));
  EXPECT_FALSE(Valid("date_of_birth", "12 jui 1985"));  // juin or juillet?
  EXPECT_FALSE(Valid("date_of_birth", "12 Foo 1985"));
}

TEST(PostcodeValidators, UkPostcodes) {
  EXPECT_TRUE(Valid("uk_postcode", "SW1A 1AA"));
  EXPECT_TRUE(Valid("uk_postcode", "EC1A 1BB"));
  EXPECT_TRUE(Valid("uk_postcode", "W1A 0AX"));
  EXPECT_TRUE(Valid("uk_postcode", "M1 1AE"));
  EXPECT_TRUE(Valid("uk_postcode", "B33 8TH"));
  EXPECT_TRUE(Valid("uk_postcode", "CR2 6XH"));
  EXPECT_TRUE(Valid("uk_postcode", "DN55 1PT"));
  EXPECT_TRUE(Valid("uk_postcode", "GIR 0AA"));
  EXPECT_FALSE(Valid("uk_postcode", "QA1 1AA"));   // Q never first
  EXPECT_FALSE(Valid("uk_postcode", "SW1A 1AI"));  // I never in the inward code
  EXPECT_FALSE(Valid("uk_postcode", "12345"));
}

TEST(PostcodeValidators, DutchPostcodesAndEircodes) {
  EXPECT_TRUE(Valid("nl_postcode", "1012 AB"));
  EXPECT_TRUE(Valid("nl_postcode", "2514EA"));
  EXPECT_FALSE(Valid("nl_postcode", "0123 AB"));
  EXPECT_FALSE(Valid("nl_postcode", "1012 SS"));
  EXPECT_TRUE(Valid("eircode", "D02 X285"));
  EXPECT_TRUE(Valid("eircode", "A65F4E2"));
  EXPECT_TRUE(Valid("eircode", "D6W 1234"));
  EXPECT_FALSE(Valid("eircode", "B02 X285"));  // B is not a routing letter
  EXPECT_FALSE(Valid("eircode", "D02 X28"));
}

TEST(SalesforceIdValidator, ChecksEighteenCharacterSuffix) {
  // Suffix: one character per 5-character block, from its upper-case mask.
  EXPECT_TRUE(Valid("salesforce_id", "001D000000IRFmaIAH"));
  EXPECT_TRUE(Valid("salesforce_id", "001D000000IRFmaiah"));   // suffix is case-insensitive
  EXPECT_TRUE(Valid("salesforce_id", "001d000000irfmaAAA"));   // all lower-case: mask 0
  EXPECT_FALSE(Valid("salesforce_id", "001d000000irfmaiah"));  // case of the id was lost
  EXPECT_FALSE(Valid("salesforce_id", "001D000000IRFmaIAA"));
  EXPECT_FALSE(Valid("salesforce_id", "001D000000IRFmaIA9"));
}

TEST(SalesforceIdValidator, FifteenCharacterShape) {
  EXPECT_TRUE(Valid("salesforce_id", "001D000000IRFma"));
  EXPECT_TRUE(Valid("salesforce_id", "5003000000D8cuI"));
  EXPECT_FALSE(Valid("salesforce_id", "internationally"));  // a word
  EXPECT_FALSE(Valid("salesforce_id", "001D010000IRFma"));  // reserved char not '0'
  EXPECT_FALSE(Valid("salesforce_id", "123450789012345"));  // no letter
  EXPECT_FALSE(Valid("salesforce_id", "001D000000IRFm"));   // 14 chars
}

}  // namespace
}  // namespace airlock::detect
