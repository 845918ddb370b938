#include "airlock/audit/verify_json.h"

#include <string>

namespace airlock::audit {

template <typename JsonT>
JsonT VerifyReportToJson(const VerifyReport& report, std::string_view object,
                         std::string_view key_id) {
  JsonT j;
  if (!object.empty()) j["object"] = std::string(object);
  j["ok"] = report.ok();
  j["events"] = report.events();
  if (!key_id.empty()) j["key_id"] = std::string(key_id);
  j["chains"] = JsonT::array();
  for (const auto& c : report.chains) {
    j["chains"].push_back({{"instance", c.instance},
                           {"first_seq", c.first_seq},
                           {"last_seq", c.last_seq},
                           {"events", c.events},
                           {"checkpoints", c.checkpoints},
                           {"last_checkpoint_seq", c.last_checkpoint_seq},
                           {"unsigned_tail", c.unsigned_tail}});
  }
  j["problems"] = JsonT::array();
  for (const auto& p : report.problems) {
    j["problems"].push_back({{"instance", p.instance},
                             {"seq", p.seq},
                             {"kind", std::string(ProblemKindName(p.kind))},
                             {"detail", p.detail}});
  }
  return j;
}

template nlohmann::json VerifyReportToJson<nlohmann::json>(const VerifyReport&, std::string_view,
                                                           std::string_view);
template nlohmann::ordered_json VerifyReportToJson<nlohmann::ordered_json>(const VerifyReport&,
                                                                           std::string_view,
                                                                           std::string_view);

}  // namespace airlock::audit
