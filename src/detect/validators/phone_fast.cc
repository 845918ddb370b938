// See phone_fast.h. The comments name the libphonenumber functions each step
// replays; keep them in step when the libphonenumber package changes (the
// differential test in tests/detect/phone_fast_test.cc fails when they drift).
#include "validators/phone_fast.h"

#include <atomic>

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "airlock/scan/scan.h"

// Exported by libphonenumber (generated metadata.cc); not in its public
// headers.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace airlock::detect::internal {

namespace {

namespace pn = i18n::phonenumbers;

// The number descriptions GetNumberTypeHelper consults, in its order after
// the general description. Two more pattern slots follow: leading digits
// and the international call prefix (both prefix matches).
enum Slot : unsigned {
  kGeneral = 0,
  kPremiumRate,
  kTollFree,
  kSharedCost,
  kVoip,
  kPersonalNumber,
  kPager,
  kUan,
  kVoicemail,
  kFixedLine,
  kMobile,
  kNumDescs,
  kLeadingDigits = kNumDescs,
  kIdd,
};

struct Desc {
  bool has_pattern = false;       // national_number_pattern non-empty
  std::vector<int> lengths;       // possible_length
  std::vector<int> local_lengths; // possible_length_local_only
};

struct Region {
  std::string id;  // "DE", or "001" for a non-geographic entity
  int country_code = 0;
  std::array<Desc, kNumDescs> desc;
  bool same_mobile_and_fixed_line = false;
  bool has_leading_digits = false;
  std::string national_prefix;  // for parsing; a digit literal or empty
  // False when the replay cannot be exact for this region (see phone_fast.h).
  bool replayable = true;
  // An international call prefix to look for in national numbers (non-
  // geographic entities have none; they are only reached through +CC).
  bool has_idd = false;
  std::vector<scan::Pattern> patterns;

  // Built on first use.
  std::once_flag once;
  std::unique_ptr<scan::Scanner> scanner;  // null when compiling failed
  std::atomic<bool> prepared{false};       // scanner set (for PhoneRegionPrepared)
};

using SlotMask = std::uint32_t;
constexpr SlotMask Bit(unsigned slot) { return SlotMask{1} << slot; }

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Desc DescOf(const pn::PhoneNumberDesc& d) {
  Desc out;
  out.has_pattern = !d.national_number_pattern().empty();
  out.lengths.assign(d.possible_length().begin(), d.possible_length().end());
  out.local_lengths.assign(d.possible_length_local_only().begin(),
                           d.possible_length_local_only().end());
  return out;
}

// Full match: the whole input (RegexBasedMatcher::MatchNationalNumber with
// allow_prefix_match false). Prefix: some prefix of the input (what ICU's
// lookingAt, RegExp::Consume, succeeds on).
scan::Pattern FullMatch(const std::string& p, unsigned slot) {
  return {"^(?:" + p + ")$", slot, scan::kNone};
}
scan::Pattern PrefixMatch(const std::string& p, unsigned slot) {
  return {"^(?:" + p + ")", slot, scan::kNone};
}

void Fill(const pn::PhoneMetadata& m, Region* r) {
  r->id = m.id();
  r->country_code = m.country_code();
  const std::array<const pn::PhoneNumberDesc*, kNumDescs> descs = {
      &m.general_desc(), &m.premium_rate(),    &m.toll_free(), &m.shared_cost(),
      &m.voip(),         &m.personal_number(), &m.pager(),     &m.uan(),
      &m.voicemail(),    &m.fixed_line(),      &m.mobile()};
  for (unsigned i = 0; i < kNumDescs; ++i) {
    r->desc[i] = DescOf(*descs[i]);
    if (r->desc[i].has_pattern) {
      r->patterns.push_back(FullMatch(descs[i]->national_number_pattern(), i));
    }
  }
  r->same_mobile_and_fixed_line = m.same_mobile_and_fixed_line_pattern();
  r->has_leading_digits = m.has_leading_digits();
  if (r->has_leading_digits) r->patterns.push_back(PrefixMatch(m.leading_digits(), kLeadingDigits));
  // An empty international prefix would match every number at its start.
  r->has_idd = !m.international_prefix().empty();
  if (r->has_idd) r->patterns.push_back(PrefixMatch(m.international_prefix(), kIdd));
  r->national_prefix = m.national_prefix_for_parsing();
  if (!AllDigits(r->national_prefix) || !m.national_prefix_transform_rule().empty()) {
    r->replayable = false;
  }
  // TestNumberLength reads the first general length without a check.
  const auto& general = r->desc[kGeneral].lengths;
  if (general.empty() || !r->desc[kGeneral].has_pattern) r->replayable = false;
}

class Tables {
 public:
  static const Tables& Get() {
    static const Tables* tables = new Tables();  // never destroyed: used by any thread until exit
    return *tables;
  }

  // nullptr for an unknown region code.
  Region* ForRegion(std::string_view id) const {
    auto it = by_region_.find(std::string(id));
    return it == by_region_.end() ? nullptr : it->second;
  }
  // GetMetadataForRegionOrCallingCode.
  Region* ForRegionOrCallingCode(int cc, const std::string& id) const {
    if (id == "001") {
      auto it = non_geo_.find(cc);
      return it == non_geo_.end() ? nullptr : it->second;
    }
    return ForRegion(id);
  }
  // GetRegionCodesForCountryCallingCode: the main region first.
  const std::vector<std::string>* RegionsFor(int cc) const {
    auto it = regions_for_cc_.find(cc);
    return it == regions_for_cc_.end() ? nullptr : &it->second;
  }
  bool ok() const { return ok_; }

 private:
  Tables() {
    pn::PhoneMetadataCollection collection;
    if (!collection.ParseFromArray(pn::metadata_get(), pn::metadata_size())) return;
    regions_.reserve(collection.metadata_size());
    for (const pn::PhoneMetadata& m : collection.metadata()) {
      if (m.id() == "ZZ") continue;
      auto r = std::make_unique<Region>();
      Fill(m, r.get());
      if (r->id == "001") {
        non_geo_[r->country_code] = r.get();
      } else {
        by_region_[r->id] = r.get();
      }
      regions_.push_back(std::move(r));
    }
    // The region order per calling code comes from libphonenumber itself.
    const pn::PhoneNumberUtil& util = *pn::PhoneNumberUtil::GetInstance();
    std::set<int> codes;
    util.GetSupportedCallingCodes(&codes);
    for (int cc : codes) {
      std::list<std::string> ids;
      util.GetRegionCodesForCountryCallingCode(cc, &ids);
      regions_for_cc_[cc].assign(ids.begin(), ids.end());
    }
    ok_ = true;
  }

  bool ok_ = false;
  std::vector<std::unique_ptr<Region>> regions_;
  std::unordered_map<std::string, Region*> by_region_;
  std::map<int, Region*> non_geo_;
  std::map<int, std::vector<std::string>> regions_for_cc_;
};

// Compiles the region's patterns on first use; false when vectorscan could not.
bool Ready(Region* r) {
  std::call_once(r->once, [r] {
    auto db = scan::Database::Compile(r->patterns, scan::Database::Mode::kBlock,
                                      /*start_of_match=*/false);
    if (db.ok()) r->scanner = std::make_unique<scan::Scanner>(*db);
    r->prepared.store(r->scanner != nullptr, std::memory_order_release);
  });
  return r->scanner != nullptr;
}

}  // namespace

std::size_t PreparePhoneRegions(const std::vector<std::string>& regions, const std::function<bool()>& stop) {
  const Tables& tables = Tables::Get();
  if (!tables.ok()) return 0;
  std::size_t ready = 0;
  for (const std::string& id : regions) {
    if (stop && stop()) break;
    Region* r = tables.ForRegion(id);
    if (r != nullptr && r->replayable && Ready(r)) ++ready;
  }
  return ready;
}

bool PhoneRegionPrepared(std::string_view region) {
  const Tables& tables = Tables::Get();
  Region* r = tables.ok() ? tables.ForRegion(std::string(region)) : nullptr;
  if (r == nullptr) return false;
  return r->prepared.load(std::memory_order_acquire);  // only looks: Ready() would compile
}

namespace {

// Which of the region's patterns match `digits`. nullopt on a scan error.
std::optional<SlotMask> Match(const Region& r, std::string_view digits) {
  SlotMask mask = 0;
  Status st = r.scanner->Scan(digits, [&mask](const scan::Match& m) {
    mask |= Bit(m.id);
    return true;
  });
  if (!st.ok()) return std::nullopt;
  return mask;
}

bool Contains(const std::vector<int>& v, std::size_t n) {
  return std::find(v.begin(), v.end(), static_cast<int>(n)) != v.end();
}

enum class Length { kPossible, kLocalOnly, kTooShort, kInvalid, kTooLong };

// PhoneNumberUtil::TestNumberLength(number, metadata) (type UNKNOWN).
Length TestNumberLength(std::size_t n, const Region& r) {
  const std::vector<int>& lengths = r.desc[kGeneral].lengths;
  if (lengths.front() == -1) return Length::kInvalid;
  if (Contains(r.desc[kGeneral].local_lengths, n)) return Length::kLocalOnly;
  const auto len = static_cast<int>(n);
  if (lengths.front() == len) return Length::kPossible;
  if (lengths.front() > len) return Length::kTooShort;
  if (lengths.back() < len) return Length::kTooLong;
  return std::find(lengths.begin() + 1, lengths.end(), len) != lengths.end() ? Length::kPossible
                                                                              : Length::kInvalid;
}

// IsNumberMatchingDesc, given the pattern matches of the number.
bool MatchesDesc(const Region& r, unsigned slot, std::size_t n, SlotMask mask) {
  const Desc& d = r.desc[slot];
  if (!d.lengths.empty() && !Contains(d.lengths, n)) return false;
  return (mask & Bit(slot)) != 0;  // an empty pattern is never compiled: no bit
}

// GetNumberTypeHelper(...) != UNKNOWN.
bool HasKnownType(const Region& r, std::size_t n, SlotMask mask) {
  if (!MatchesDesc(r, kGeneral, n, mask)) return false;
  for (unsigned slot = kPremiumRate; slot <= kFixedLine; ++slot) {
    if (MatchesDesc(r, slot, n, mask)) return true;
  }
  return !r.same_mobile_and_fixed_line && MatchesDesc(r, kMobile, n, mask);
}

// MaybeStripNationalPrefixAndCarrierCode for a digit-literal prefix and no
// transform rule. `number` is replaced by the stripped digits when the
// prefix is stripped.
std::optional<bool> StripNationalPrefix(const Region& r, std::string* number) {
  if (number->empty() || r.national_prefix.empty()) return false;
  if (number->compare(0, r.national_prefix.size(), r.national_prefix) != 0) return false;
  std::string stripped = number->substr(r.national_prefix.size());
  auto before = Match(r, *number);
  auto after = Match(r, stripped);
  if (!before || !after) return std::nullopt;
  bool viable_before = (*before & Bit(kGeneral)) != 0;
  if (viable_before && (*after & Bit(kGeneral)) == 0) return false;
  *number = std::move(stripped);
  return true;
}

}  // namespace

std::optional<PhoneDecision> DecidePhoneFast(std::string_view text, std::string_view region) {
  const Tables& tables = Tables::Get();
  if (!tables.ok() || text.size() > 250) return std::nullopt;  // kMaxInputStringLength
  // ExtractPossibleNumber + IsViablePhoneNumber + MaybeStripExtension +
  // Normalize: with only these characters, no extension can be found and
  // the number is its digits. Any other character: ask libphonenumber.
  std::string digits;
  bool plus = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && i == 0) {
      plus = true;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/') {
      return std::nullopt;
    }
  }
  if (digits.size() < 3) return std::nullopt;  // not viable: libphonenumber's error

  int country_code = 0;
  std::string national;  // normalized_national_number
  Region* metadata = nullptr;
  if (plus) {
    // MaybeExtractCountryCode, FROM_NUMBER_WITH_PLUS_SIGN: ExtractCountryCode.
    if (digits[0] == '0') return std::nullopt;
    for (std::size_t len = 1; len <= 3 && len <= digits.size(); ++len) {
      int cc = std::stoi(digits.substr(0, len));
      const auto* ids = tables.RegionsFor(cc);
      if (ids != nullptr && !ids->empty()) {
        country_code = cc;
        national = digits.substr(len);
        break;
      }
    }
    if (country_code == 0) return std::nullopt;
  } else {
    Region* home = tables.ForRegion(region);
    if (home == nullptr || !home->replayable || !home->has_idd || !Ready(home)) {
      return std::nullopt;
    }
    auto mask = Match(*home, digits);
    // MaybeStripInternationalPrefixAndNormalize: if the digits may start
    // with the international call prefix, libphonenumber decides.
    if (!mask || (*mask & Bit(kIdd)) != 0) return std::nullopt;
    metadata = home;
    // The default country's calling code written without '+'.
    std::string cc_text = std::to_string(home->country_code);
    if (digits.compare(0, cc_text.size(), cc_text) == 0) {
      std::string potential = digits.substr(cc_text.size());
      if (!StripNationalPrefix(*home, &potential)) return std::nullopt;  // scan error
      auto potential_mask = Match(*home, potential);
      if (!potential_mask) return std::nullopt;
      bool full_general = (*mask & Bit(kGeneral)) != 0;
      bool potential_general = (*potential_mask & Bit(kGeneral)) != 0;
      if ((!full_general && potential_general) ||
          TestNumberLength(digits.size(), *home) == Length::kTooLong) {
        country_code = home->country_code;
        national = std::move(potential);
      }
    }
    if (country_code == 0) {
      country_code = home->country_code;
      national = digits;
    } else {
      metadata = nullptr;  // chosen below by calling code, as ParseHelper does
    }
  }
  const std::vector<std::string>* ids_for_cc = tables.RegionsFor(country_code);
  if (ids_for_cc == nullptr || ids_for_cc->empty()) return std::nullopt;
  const std::vector<std::string>& ids = *ids_for_cc;
  if (metadata == nullptr) {
    // ParseHelper, calling code extracted: the metadata of its main region
    // (the default region's own when that is the main one).
    metadata = tables.ForRegionOrCallingCode(country_code, ids.front());
  }
  if (metadata == nullptr || !metadata->replayable || !Ready(metadata)) return std::nullopt;
  if (national.size() < 2) return std::nullopt;  // TOO_SHORT_NSN
  std::string potential = national;
  if (!StripNationalPrefix(*metadata, &potential)) return std::nullopt;  // scan error
  Length length = TestNumberLength(potential.size(), *metadata);
  if (length != Length::kTooShort && length != Length::kLocalOnly && length != Length::kInvalid) {
    national = std::move(potential);
  }
  if (national.size() < 2 || national.size() > 17) return std::nullopt;  // parse errors

  // IsValidNumber: GetRegionCodeForNumber, then IsValidNumberForRegion.
  PhoneDecision decision;
  const Region* chosen = nullptr;
  std::optional<SlotMask> chosen_mask;
  for (const std::string& id : ids) {
    Region* r = tables.ForRegionOrCallingCode(country_code, id);
    if (r == nullptr || !Ready(r)) return std::nullopt;
    auto mask = Match(*r, national);
    if (!mask) return std::nullopt;
    if (ids.size() == 1) {
      chosen = r;
      chosen_mask = mask;
      break;
    }
    // GetRegionCodeForNumberFromRegionList.
    bool pick = r->has_leading_digits ? (*mask & Bit(kLeadingDigits)) != 0
                                      : HasKnownType(*r, national.size(), *mask);
    if (pick) {
      chosen = r;
      chosen_mask = mask;
      break;
    }
  }
  if (chosen == nullptr) return decision;  // region "ZZ": not valid
  decision.valid = HasKnownType(*chosen, national.size(), *chosen_mask);
  if (decision.valid) decision.region = chosen->id;
  return decision;
}

}  // namespace airlock::detect::internal
