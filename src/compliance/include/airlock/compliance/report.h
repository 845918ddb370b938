// Reports of a check run: readable text, JSON, SARIF 2.1.0, JUnit XML.
//
// Every format carries every result (waived ones too, with their waiver),
// the config it is about, the date of the EEA/adequacy data used, and a
// summary. The formats are documented in docs/check.md.
#pragma once

#include <string>
#include <vector>

#include "airlock/compliance/catalog.h"
#include "airlock/compliance/checks.h"

namespace airlock::compliance {

struct ReportInput {
  const ControlCatalog* catalog = nullptr;
  const std::vector<CheckResult>* results = nullptr;
  std::string config_source;       // the config file checked, or "<built-in default>"
  std::string jurisdictions_date;  // "as of" date of the adequacy list
  std::string jurisdictions_file;
  std::string today;
  Severity fail_on = Severity::kHigh;
  std::string live_url;  // empty when no live probes ran
};

// Counts results that fail the run: kFail, kWaiverExpired and kError at or
// above `fail_on`.
int CountBlocking(const std::vector<CheckResult>& results, Severity fail_on);

std::string RenderText(const ReportInput& in);
std::string RenderJson(const ReportInput& in);
std::string RenderSarif(const ReportInput& in);
std::string RenderJunit(const ReportInput& in);

}  // namespace airlock::compliance
