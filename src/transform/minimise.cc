#include <nlohmann/json.hpp>

#include <algorithm>

#include "airlock/transform/transform.h"

namespace airlock::transform {

namespace {

using Json = nlohmann::json;

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool Walk(Json& j, const ObjectRules& rules) {
  bool changed = false;
  if (j.is_object()) {
    auto attrs = j.find("attributes");
    if (attrs != j.end() && attrs->is_object() && attrs->contains("type") && (*attrs)["type"].is_string()) {
      auto rule = rules.find((*attrs)["type"].get<std::string>());
      if (rule != rules.end()) {
        for (auto it = j.begin(); it != j.end();) {
          const std::string key = it.key();
          const bool drop = key != "attributes" &&
                            ((!rule->second.keep.empty() && !Contains(rule->second.keep, key)) ||
                             Contains(rule->second.drop, key));
          if (drop) {
            it = j.erase(it);
            changed = true;
          } else {
            ++it;
          }
        }
      }
    }
    for (auto& [k, v] : j.items()) changed |= Walk(v, rules);
  } else if (j.is_array()) {
    for (auto& v : j) changed |= Walk(v, rules);
  }
  return changed;
}

}  // namespace

std::string MinimiseRecords(std::string_view text, const ObjectRules& rules, bool* changed) {
  *changed = false;
  if (rules.empty()) return std::string(text);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || (text[first] != '{' && text[first] != '[')) return std::string(text);
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::string(text);
  if (!Walk(j, rules)) return std::string(text);
  *changed = true;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace airlock::transform
