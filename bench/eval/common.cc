#include <algorithm>
#include <cstdio>
#include <fstream>
#include <tuple>

#include "eval.h"

namespace airlock::eval {

double Counts::Precision() const {
  return tp + fp == 0 ? -1 : static_cast<double>(tp) / static_cast<double>(tp + fp);
}
double Counts::Recall() const {
  return tp + fn == 0 ? -1 : static_cast<double>(tp) / static_cast<double>(tp + fn);
}
double Counts::F1() const {
  // 2TP / (2TP + FP + FN); undefined when there is nothing to score.
  std::size_t den = 2 * tp + fp + fn;
  return den == 0 ? -1 : 2.0 * static_cast<double>(tp) / static_cast<double>(den);
}

nlohmann::json Counts::ToJson() const {
  auto num = [](double v) -> nlohmann::json {
    if (v < 0) return nullptr;
    return v;
  };
  return {{"tp", tp},
          {"fp", fp},
          {"fn", fn},
          {"tn", tn},
          {"precision", num(Precision())},
          {"recall", num(Recall())},
          {"f1", num(F1())}};
}

std::string Ratio(double v) {
  if (v < 0) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string RatioOrDash(std::size_t num, std::size_t den) {
  if (den == 0) return "—";
  return Ratio(static_cast<double>(num) / static_cast<double>(den));
}

std::string Percent(double v) {
  if (v < 0) return "—";
  char buf[32];
  double p = v * 100;
  if (p == 0) return "0";
  if (p >= 1) {
    std::snprintf(buf, sizeof buf, "%.2f%%", p);
  } else if (p >= 0.01) {
    std::snprintf(buf, sizeof buf, "%.3f%%", p);
  } else {
    std::snprintf(buf, sizeof buf, "%.5f%%", p);
  }
  return buf;
}

std::set<std::string> ResolveEntityTypes(const detect::Catalog& catalog, const Target& t) {
  std::set<std::string> out;
  for (const auto& d : catalog.detectors()) {
    bool hit = std::find(t.entity_types.begin(), t.entity_types.end(), d.entity_type) !=
               t.entity_types.end();
    if (!d.validator.empty() &&
        std::find(t.validators.begin(), t.validators.end(), d.validator) != t.validators.end()) {
      hit = true;
    }
    if (hit) out.insert(d.entity_type);
  }
  return out;
}

std::string ContextWordFor(const detect::Catalog& catalog, const std::set<std::string>& types) {
  std::string any;
  for (const auto& d : catalog.detectors()) {
    if (types.count(d.entity_type) == 0) continue;
    for (const auto& [lang, word] : d.context.words) {
      if (lang == "en") return word;
      if (any.empty()) any = word;
    }
  }
  return any;
}

std::vector<std::size_t> CodePointToByte(std::string_view text) {
  std::vector<std::size_t> map;
  map.reserve(text.size() + 1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) map.push_back(i);  // not a continuation byte
  }
  map.push_back(text.size());
  return map;
}

bool ReadJsonl(const std::string& path, std::vector<nlohmann::json>* rows, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  std::string line;
  std::size_t bad = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      ++bad;
      continue;
    }
    rows->push_back(std::move(j));
  }
  if (bad > 0) *error = std::to_string(bad) + " unparsable rows skipped in " + path;
  return true;
}

std::size_t MatchOverlap(const std::vector<ByteSpan>& gold, const std::vector<ByteSpan>& pred,
                         std::vector<bool>* gold_matched, std::vector<bool>* pred_matched) {
  gold_matched->assign(gold.size(), false);
  pred_matched->assign(pred.size(), false);
  // (overlap, gold index, pred index), largest overlap first: a greedy
  // assignment that is deterministic and good enough for the short lists here.
  std::vector<std::tuple<std::size_t, std::size_t, std::size_t>> pairs;
  for (std::size_t g = 0; g < gold.size(); ++g) {
    for (std::size_t p = 0; p < pred.size(); ++p) {
      if (!gold[g].Overlaps(pred[p])) continue;
      std::size_t ov = std::min(gold[g].end, pred[p].end) - std::max(gold[g].begin, pred[p].begin);
      pairs.emplace_back(ov, g, p);
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
    return std::tie(std::get<1>(a), std::get<2>(a)) < std::tie(std::get<1>(b), std::get<2>(b));
  });
  std::size_t n = 0;
  for (const auto& [ov, g, p] : pairs) {
    if ((*gold_matched)[g] || (*pred_matched)[p]) continue;
    (*gold_matched)[g] = true;
    (*pred_matched)[p] = true;
    ++n;
  }
  return n;
}

}  // namespace airlock::eval
