// The JSON of a VerifyReport (verify.h), built in one place for both readers
// of it: `airlock audit verify -f json` and the gateway's GET /admin/v1/chain.
//
//   {"object": OBJECT, "ok": bool, "events": n, "key_id": KEY_ID,
//    "chains": [{"instance", "first_seq", "last_seq", "events", "checkpoints",
//                "last_checkpoint_seq", "unsigned_tail"}, ...],
//    "problems": [{"instance", "seq", "kind", "detail"}, ...]}
//
// "object" and "key_id" are present only when given (non-empty). The JSON type
// decides the key order: nlohmann::ordered_json keeps the order above (the
// CLI), nlohmann::json sorts keys (the admin API). A problem's detail never
// holds field contents (verify.h), so neither does this.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "airlock/audit/verify.h"

namespace airlock::audit {

// Instantiated for nlohmann::json and nlohmann::ordered_json.
template <typename JsonT>
JsonT VerifyReportToJson(const VerifyReport& report, std::string_view object = {},
                         std::string_view key_id = {});

extern template nlohmann::json VerifyReportToJson<nlohmann::json>(const VerifyReport&,
                                                                  std::string_view,
                                                                  std::string_view);
extern template nlohmann::ordered_json VerifyReportToJson<nlohmann::ordered_json>(
    const VerifyReport&, std::string_view, std::string_view);

}  // namespace airlock::audit
