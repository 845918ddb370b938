// Waivers: accepted risks, each with an owner, a ticket and an end date.
//
//   waivers:
//     - id: AL-ALERT-002            # the control waived
//       subject: workflow legal-summary   # optional: waive only this subject
//       justification: Canary records are planted after the pilot.
//       owner: ciso@example.com
//       ticket: SEC-1234
//       expires: 2027-03-31
//
// A waived failure stays in every report (outcome "waived", with the waiver's
// facts); an expired waiver counts as a failure ("waiver-expired"). A waiver
// for an id that is not in the catalog is an error, so a typo cannot hide.
#pragma once

#include <string>
#include <vector>

#include "airlock/compliance/catalog.h"
#include "airlock/compliance/checks.h"
#include "airlock/core/status.h"

namespace airlock::compliance {

struct Waiver {
  std::string id;
  std::string subject;  // empty: every subject of the control
  std::string justification;
  std::string owner;
  std::string ticket;
  std::string expires;  // YYYY-MM-DD, the last day it holds
  std::string source;   // file:line
};

// Parses a waiver file; checks every field and every id against `catalog`.
Result<std::vector<Waiver>> LoadWaivers(const std::string& path, const ControlCatalog& catalog);
Result<std::vector<Waiver>> ParseWaivers(const std::string& text, const std::string& source,
                                         const ControlCatalog& catalog);

// Marks failing results covered by a waiver: kWaived while today <= expires,
// kWaiverExpired after. Passing results are left alone.
void ApplyWaivers(const std::vector<Waiver>& waivers, const std::string& today,
                  std::vector<CheckResult>* results);

// True for a valid calendar date written YYYY-MM-DD.
bool IsIsoDate(const std::string& s);

}  // namespace airlock::compliance
