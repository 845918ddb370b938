// A GDPR Art. 30(1) record of processing activities, drawn from the
// workflows the configuration declares (purpose, legal basis, categories of
// data and data subjects, recipients, third-country transfers and their
// safeguard, retention, security measures).
#pragma once

#include <string>

#include "airlock/compliance/checks.h"

namespace airlock::compliance {

std::string RopaMarkdown(const CheckEnv& env);
// One row per workflow; RFC 4180 quoting.
std::string RopaCsv(const CheckEnv& env);

}  // namespace airlock::compliance
