// Contact and structured personal data validators: e-mail, phone
// (libphonenumber), URLs, IP addresses, dates of birth, postcodes and
// Salesforce record ids. Each family lives in a contact_*.cc file; this file
// is the table registry.cc reads.
#include "internal/validator_table.h"

namespace airlock::detect::internal {

// contact_network.cc
ValidationResult ValidateEmail(std::string_view candidate, const ValidationContext& ctx);
ValidationResult ValidateDomain(std::string_view candidate, const ValidationContext& ctx);
ValidationResult ValidateIpv4(std::string_view candidate, const ValidationContext& ctx);
ValidationResult ValidateIpv6(std::string_view candidate, const ValidationContext& ctx);
ValidationResult ValidateIp(std::string_view candidate, const ValidationContext& ctx);
// contact_phone.cc
ValidationResult ValidatePhone(std::string_view candidate, const ValidationContext& ctx);
ValidationResult ValidatePhoneShape(std::string_view candidate, const ValidationContext& ctx);
// contact_date.cc
ValidationResult ValidateDateOfBirth(std::string_view candidate, const ValidationContext& ctx);
// contact_postcode.cc
ValidationResult ValidateUkPostcode(std::string_view candidate, const ValidationContext& ctx);
ValidationResult ValidateNlPostcode(std::string_view candidate, const ValidationContext& ctx);
ValidationResult ValidateEircode(std::string_view candidate, const ValidationContext& ctx);
ValidationResult ValidateStreetValue(std::string_view candidate, const ValidationContext& ctx);
// contact_salesforce.cc
ValidationResult ValidateSalesforceId(std::string_view candidate, const ValidationContext& ctx);

namespace {

constexpr ValidatorEntry kContactValidators[] = {
    {"email", &ValidateEmail},
    {"domain", &ValidateDomain},
    {"ipv4", &ValidateIpv4},
    {"ipv6", &ValidateIpv6},
    {"ip", &ValidateIp},
    {"phone", &ValidatePhone},
    {"phone_shape", &ValidatePhoneShape},
    {"date_of_birth", &ValidateDateOfBirth},
    {"uk_postcode", &ValidateUkPostcode},
    {"nl_postcode", &ValidateNlPostcode},
    {"eircode", &ValidateEircode},
    {"street_value", &ValidateStreetValue},
    {"salesforce_id", &ValidateSalesforceId},
};

}  // namespace

std::span<const ValidatorEntry> ContactValidators() { return kContactValidators; }

}  // namespace airlock::detect::internal
