#include "airlock/compliance/report.h"

#include <algorithm>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace airlock::compliance {

namespace {

bool Blocking(const CheckResult& r, Severity fail_on) {
  return (r.outcome == Outcome::kFail || r.outcome == Outcome::kWaiverExpired ||
          r.outcome == Outcome::kError) &&
         r.severity >= fail_on;
}

std::string MappingText(const Control& c) {
  std::string out;
  for (const auto& [fw, name] : Frameworks()) {
    auto it = c.mappings.find(fw);
    if (it == c.mappings.end()) continue;
    if (!out.empty()) out += "; ";
    out += name + " ";
    for (size_t i = 0; i < it->second.size(); ++i) out += (i ? ", " : "") + it->second[i];
  }
  return out;
}

// "file:line" -> (file, line); line 0 when absent.
std::pair<std::string, int> SplitLocation(const std::string& loc) {
  const auto colon = loc.rfind(':');
  if (colon == std::string::npos) return {loc, 0};
  const std::string tail = loc.substr(colon + 1);
  if (tail.empty() || tail.find_first_not_of("0123456789") != std::string::npos) return {loc, 0};
  return {loc.substr(0, colon), std::stoi(tail)};
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters.
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') {
          out += ' ';
        } else {
          out += ch;
        }
    }
  }
  return out;
}

struct Counts {
  int pass = 0, fail = 0, waived = 0, expired = 0, na = 0, error = 0;
};

Counts Count(const std::vector<CheckResult>& results) {
  Counts c;
  for (const auto& r : results) {
    switch (r.outcome) {
      case Outcome::kPass: ++c.pass; break;
      case Outcome::kFail: ++c.fail; break;
      case Outcome::kWaived: ++c.waived; break;
      case Outcome::kWaiverExpired: ++c.expired; break;
      case Outcome::kNotApplicable: ++c.na; break;
      case Outcome::kError: ++c.error; break;
    }
  }
  return c;
}

nlohmann::json MappingsJson(const Control& c) {
  nlohmann::json m = nlohmann::json::object();
  for (const auto& [fw, refs] : c.mappings) m[fw] = refs;
  return m;
}

}  // namespace

int CountBlocking(const std::vector<CheckResult>& results, Severity fail_on) {
  int n = 0;
  for (const auto& r : results) n += Blocking(r, fail_on) ? 1 : 0;
  return n;
}

std::string RenderText(const ReportInput& in) {
  std::ostringstream out;
  out << "airlock check: " << in.config_source << "\n";
  out << "EEA/adequacy list as of " << in.jurisdictions_date << " (" << in.jurisdictions_file
      << ")\n";
  if (!in.live_url.empty()) out << "live probes against " << in.live_url << "\n";
  out << "\n";
  // Failures first (by severity), then waived, then the rest in a compact list.
  std::vector<const CheckResult*> order;
  for (const auto& r : *in.results) order.push_back(&r);
  auto rank = [](const CheckResult* r) {
    switch (r->outcome) {
      case Outcome::kFail:
      case Outcome::kWaiverExpired:
      case Outcome::kError: return 0;
      case Outcome::kWaived: return 1;
      default: return 2;
    }
  };
  std::stable_sort(order.begin(), order.end(), [&](const CheckResult* a, const CheckResult* b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return a->severity > b->severity;
  });
  for (const CheckResult* r : order) {
    const Control* c = in.catalog->Find(r->control_id);
    std::string tag(OutcomeName(r->outcome));
    for (auto& ch : tag) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    out << tag << "  " << r->control_id << "  [" << SeverityName(r->severity) << "]  "
        << (c ? c->title : "") << "\n";
    if (r->outcome == Outcome::kPass || r->outcome == Outcome::kNotApplicable) {
      if (!r->subject.empty()) out << "      " << r->subject << ": " << r->message << "\n";
      continue;
    }
    out << "      " << (r->subject.empty() ? "" : r->subject + ": ") << r->message << "\n";
    if (!r->location.empty()) out << "      at " << r->location;
    if (!r->config_path.empty()) out << "  (" << r->config_path << ")";
    if (!r->location.empty() || !r->config_path.empty()) out << "\n";
    if (c != nullptr && rank(r) == 0) out << "      fix: " << c->remediation << "\n";
    if (c != nullptr) out << "      maps to: " << MappingText(*c) << "\n";
    if (!r->waiver_ticket.empty()) {
      out << "      waiver " << r->waiver_ticket << " by " << r->waiver_owner
          << (r->outcome == Outcome::kWaiverExpired ? " EXPIRED on " : " until ")
          << r->waiver_expires << ": " << r->waiver_justification << "\n";
    }
  }
  const Counts n = Count(*in.results);
  out << "\n"
      << n.pass << " passed, " << n.fail << " failed, " << n.waived << " waived, " << n.expired
      << " waiver expired, " << n.error << " errors, " << n.na << " not applicable; "
      << CountBlocking(*in.results, in.fail_on) << " at or above --fail-on "
      << SeverityName(in.fail_on) << "\n";
  return out.str();
}

std::string RenderJson(const ReportInput& in) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : *in.results) {
    const Control* c = in.catalog->Find(r.control_id);
    nlohmann::json j = {{"control", r.control_id},
                        {"title", c ? c->title : ""},
                        {"severity", std::string(SeverityName(r.severity))},
                        {"outcome", std::string(OutcomeName(r.outcome))},
                        {"subject", r.subject},
                        {"message", r.message},
                        {"location", r.location},
                        {"config_path", r.config_path},
                        {"mappings", c ? MappingsJson(*c) : nlohmann::json::object()}};
    if (!r.waiver_ticket.empty()) {
      j["waiver"] = {{"owner", r.waiver_owner},
                     {"ticket", r.waiver_ticket},
                     {"expires", r.waiver_expires},
                     {"justification", r.waiver_justification}};
    }
    results.push_back(std::move(j));
  }
  const Counts n = Count(*in.results);
  nlohmann::json out = {
      {"tool", "airlock check"},
      {"config", in.config_source},
      {"date", in.today},
      {"jurisdictions", {{"as_of", in.jurisdictions_date}, {"file", in.jurisdictions_file}}},
      {"fail_on", std::string(SeverityName(in.fail_on))},
      {"live_url", in.live_url},
      {"summary",
       {{"passed", n.pass},
        {"failed", n.fail},
        {"waived", n.waived},
        {"waiver_expired", n.expired},
        {"errors", n.error},
        {"not_applicable", n.na},
        {"blocking", CountBlocking(*in.results, in.fail_on)}}},
      {"results", std::move(results)}};
  return out.dump(2) + "\n";
}

std::string RenderSarif(const ReportInput& in) {
  auto level = [](Severity s) {
    switch (s) {
      case Severity::kCritical:
      case Severity::kHigh: return "error";
      case Severity::kMedium: return "warning";
      default: return "note";
    }
  };
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, int> rule_index;
  for (const auto& c : in.catalog->controls()) {
    rule_index[c.id] = static_cast<int>(rules.size());
    rules.push_back({{"id", c.id},
                     {"name", c.id},
                     {"shortDescription", {{"text", c.title}}},
                     {"fullDescription", {{"text", c.rationale}}},
                     {"help", {{"text", c.remediation + "\nMaps to: " + MappingText(c)}}},
                     {"defaultConfiguration", {{"level", level(c.severity)}}},
                     {"properties",
                      {{"severity", std::string(SeverityName(c.severity))},
                       {"mappings", MappingsJson(c)}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : *in.results) {
    if (r.outcome == Outcome::kPass || r.outcome == Outcome::kNotApplicable) continue;
    auto [file, line] = SplitLocation(r.location);
    nlohmann::json phys = {{"artifactLocation", {{"uri", file}}}};
    if (line > 0) phys["region"] = {{"startLine", line}};
    nlohmann::json res = {
        {"ruleId", r.control_id},
        {"level", r.outcome == Outcome::kWaived ? "note" : level(r.severity)},
        {"message", {{"text", (r.subject.empty() ? "" : r.subject + ": ") + r.message}}},
        {"locations", nlohmann::json::array({{{"physicalLocation", phys}}})},
        {"properties",
         {{"outcome", std::string(OutcomeName(r.outcome))}, {"configPath", r.config_path}}}};
    if (rule_index.count(r.control_id)) res["ruleIndex"] = rule_index[r.control_id];
    if (r.outcome == Outcome::kWaived || r.outcome == Outcome::kWaiverExpired) {
      // SARIF's own way to say "accepted risk": a suppression with its reason.
      res["suppressions"] = nlohmann::json::array(
          {{{"kind", "external"},
            {"status", r.outcome == Outcome::kWaived ? "accepted" : "rejected"},
            {"justification", r.waiver_justification + " (" + r.waiver_ticket + ", " +
                                  r.waiver_owner + ", expires " + r.waiver_expires + ")"}}});
    }
    results.push_back(std::move(res));
  }
  nlohmann::json sarif = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", nlohmann::json::array({{{"tool",
                                        {{"driver",
                                          {{"name", "airlock check"},
                                           {"informationUri", "https://example.invalid/airlock"},
                                           {"version", "0.1.0"},
                                           {"rules", rules}}}}},
                                       {"results", results}}})}};
  return sarif.dump(2) + "\n";
}

std::string RenderJunit(const ReportInput& in) {
  const Counts n = Count(*in.results);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"airlock check\" tests=\"" << in.results->size() << "\" failures=\""
      << n.fail + n.expired << "\" errors=\"" << n.error << "\">\n";
  out << "  <testsuite name=\"" << XmlEscape(in.config_source) << "\" tests=\""
      << in.results->size() << "\" failures=\"" << n.fail + n.expired << "\" errors=\""
      << n.error << "\" skipped=\"" << n.na + n.waived << "\">\n";
  for (const auto& r : *in.results) {
    const Control* c = in.catalog->Find(r.control_id);
    std::string name = r.control_id + (r.subject.empty() ? "" : " " + r.subject);
    out << "    <testcase classname=\"" << XmlEscape(r.control_id) << "\" name=\"" << XmlEscape(name)
        << "\"";
    auto [file, line] = SplitLocation(r.location);
    if (!file.empty()) out << " file=\"" << XmlEscape(file) << "\"";
    if (line > 0) out << " line=\"" << line << "\"";
    out << ">\n";
    const std::string text = XmlEscape(r.message + (r.location.empty() ? "" : " at " + r.location) +
                                       (c ? "\nfix: " + c->remediation : ""));
    switch (r.outcome) {
      case Outcome::kFail:
      case Outcome::kWaiverExpired:
        out << "      <failure type=\"" << SeverityName(r.severity) << "\" message=\""
            << XmlEscape(r.message) << "\">" << text << "</failure>\n";
        break;
      case Outcome::kError:
        out << "      <error message=\"" << XmlEscape(r.message) << "\">" << text << "</error>\n";
        break;
      case Outcome::kWaived:
        out << "      <skipped message=\"waived: " << XmlEscape(r.waiver_ticket) << " until "
            << r.waiver_expires << "\"/>\n";
        break;
      case Outcome::kNotApplicable:
        out << "      <skipped message=\"" << XmlEscape(r.message) << "\"/>\n";
        break;
      case Outcome::kPass: break;
    }
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace airlock::compliance
