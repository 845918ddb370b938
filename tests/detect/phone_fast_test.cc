// Differential test of the phone validator's fast path (validators/
// phone_fast.h) against libphonenumber: every answer, valid or not and the
// region found, must be the same.
//
//   - DecidePhoneFast(text, region) against Parse + IsValidNumber +
//     GetRegionCodeForNumber, wherever the fast path answers;
//   - the whole validator with the fast path against the validator with
//     libphonenumber only (ValidatePhoneUncachedForTest), for the default
//     regions DE, US, GB, FR, NL, IT, ES, PL.
// On two inputs: phone-like candidates cut from the evaluation data sets
// (../shared/datasets), and generated candidates: libphonenumber's example
// numbers of every region and type with digits changed, random digit
// groups, written with +CC, 00CC, (00CC), "(0)", trunk prefixes and the
// usual separators.
#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "airlock/detect/validators.h"
#include "validators/phone_fast.h"

namespace airlock::detect::internal {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

#if defined(__SANITIZE_ADDRESS__)
constexpr int kScale = 10;  // ASan: a tenth of the generated candidates
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int kScale = 10;
#else
constexpr int kScale = 1;
#endif
#else
constexpr int kScale = 1;
#endif

const std::vector<std::string> kDefaultRegions = {"DE", "US", "GB", "FR", "NL", "IT", "ES", "PL"};

PhoneDecision Reference(const std::string& text, const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneDecision d;
  PhoneNumber number;
  if (util.Parse(text, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return d;
  if (!util.IsValidNumber(number)) return d;
  d.valid = true;
  util.GetRegionCodeForNumber(number, &d.region);
  return d;
}

struct Tally {
  int compared = 0;
  int decided = 0;
  int valid = 0;
  std::vector<std::string> mismatches;

  void Note(const std::string& what) {
    if (mismatches.size() < 20) mismatches.push_back(what);
  }
};

// DecidePhoneFast against libphonenumber for one text and region.
void CompareDecision(const std::string& text, const std::string& region, Tally* t) {
  ++t->compared;
  std::optional<PhoneDecision> fast = DecidePhoneFast(text, region);
  if (!fast) return;
  ++t->decided;
  PhoneDecision ref = Reference(text, region);
  if (ref.valid) ++t->valid;
  if (fast->valid != ref.valid || fast->region != ref.region) {
    t->Note("'" + text + "' in " + region + ": fast " + (fast->valid ? "valid " : "invalid ") +
            fast->region + ", libphonenumber " + (ref.valid ? "valid " : "invalid ") + ref.region);
  }
}

// The validator with and without the fast path.
void CompareValidator(const std::string& text, const std::string& region, Tally* t) {
  ++t->compared;
  ValidationContext ctx;
  ctx.default_region = region;
  ValidationResult fast = ValidatePhoneUncachedForTest(text, ctx, /*fast=*/true);
  ValidationResult old = ValidatePhoneUncachedForTest(text, ctx, /*fast=*/false);
  if (old.valid) ++t->valid;
  if (fast.valid != old.valid || fast.detail != old.detail) {
    t->Note("'" + text + "' default " + region + ": fast " + (fast.valid ? "valid " : "invalid ") +
            fast.detail + ", libphonenumber only " + (old.valid ? "valid " : "invalid ") +
            old.detail);
  }
}

std::string Summary(const Tally& t) {
  std::ostringstream out;
  out << t.compared << " compared, ";
  if (t.decided > 0) out << t.decided << " answered by the fast path, ";
  out << t.valid << " valid";
  return out.str();
}

std::string Report(const Tally& t) {
  std::ostringstream out;
  out << t.mismatches.size() << "+ mismatches; " << Summary(t) << ":";
  for (const auto& m : t.mismatches) out << "\n  " << m;
  return out.str();
}

bool PhoneChar(char c) {
  return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' || c == '.' || c == '(' ||
         c == ')' || c == '/';
}

// Phone-like candidates of `text`: within each run of digits and separators,
// every span that starts at '+', '(' or a digit group and ends at the end of
// a digit group or ')', 6-17 digits, at most 32 bytes.
void CutCandidates(const std::string& text, std::set<std::string>* out) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (!PhoneChar(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && PhoneChar(text[end])) ++end;
    const std::string run = text.substr(i, end - i);
    i = end;
    auto digit = [&](std::size_t k) { return run[k] >= '0' && run[k] <= '9'; };
    for (std::size_t b = 0; b < run.size(); ++b) {
      bool start = run[b] == '+' || run[b] == '(' || (digit(b) && (b == 0 || !digit(b - 1)));
      if (!start) continue;
      int digits = 0;
      for (std::size_t e = b; e < run.size() && e - b < 32; ++e) {
        if (digit(e)) ++digits;
        if (digits > 17) break;
        bool stop = run[e] == ')' || (digit(e) && (e + 1 == run.size() || !digit(e + 1)));
        if (stop && digits >= 6) out->insert(run.substr(b, e - b + 1));
      }
    }
  }
}

std::vector<std::string> DatasetCandidates() {
  std::set<std::string> cands;
  std::filesystem::path root(AIRLOCK_DATASETS_DIR);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const auto ext = it->path().extension();
    if (ext != ".json" && ext != ".jsonl") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CutCandidates(text, &cands);
  }
  return {cands.begin(), cands.end()};
}

TEST(PhoneFastPath, MatchesLibphonenumberOnDatasetCandidates) {
  std::vector<std::string> cands = DatasetCandidates();
  ASSERT_GT(cands.size(), 1000u) << "data sets missing under " << AIRLOCK_DATASETS_DIR;
  Tally decision;
  Tally validator;
  for (std::size_t i = 0; i < cands.size(); ++i) {
    const std::string& c = cands[i];
    if (c[0] == '+') CompareDecision(c, "ZZ", &decision);
    // Under sanitizers every region for a tenth of them, else all.
    for (std::size_t r = 0; r < kDefaultRegions.size(); ++r) {
      if (kScale > 1 && (i + r) % kScale != 0) continue;
      CompareDecision(c, kDefaultRegions[r], &decision);
      CompareValidator(c, kDefaultRegions[r], &validator);
    }
  }
  std::cout << "dataset candidates: " << cands.size() << "\n  decision: " << Summary(decision)
            << "\n  validator: " << Summary(validator) << "\n";
  EXPECT_TRUE(decision.mismatches.empty()) << Report(decision);
  EXPECT_TRUE(validator.mismatches.empty()) << Report(validator);
  // The comparison means something only where the fast path answers, and
  // for valid numbers too.
  EXPECT_GT(decision.decided, decision.compared / 2);
  EXPECT_GT(decision.valid, 100);
  EXPECT_GT(validator.valid, 100);
}

// Random candidates of phone shapes.
class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    util.GetSupportedRegions(&regions_);
    std::set<int> codes;
    util.GetSupportedCallingCodes(&codes);
    calling_codes_.assign(codes.begin(), codes.end());
    const PhoneNumberUtil::PhoneNumberType types[] = {
        PhoneNumberUtil::FIXED_LINE, PhoneNumberUtil::MOBILE,         PhoneNumberUtil::TOLL_FREE,
        PhoneNumberUtil::PREMIUM_RATE, PhoneNumberUtil::SHARED_COST,  PhoneNumberUtil::VOIP,
        PhoneNumberUtil::PERSONAL_NUMBER, PhoneNumberUtil::PAGER,     PhoneNumberUtil::UAN,
        PhoneNumberUtil::VOICEMAIL};
    for (const std::string& region : regions_) {
      for (auto type : types) {
        PhoneNumber n;
        if (!util.GetExampleNumberForType(region, type, &n)) continue;
        std::string nsn;
        util.GetNationalSignificantNumber(n, &nsn);
        std::string ndd;
        util.GetNddPrefixForRegion(region, true, &ndd);
        examples_.push_back({region, n.country_code(), nsn, ndd});
      }
    }
    for (int cc : calling_codes_) {
      PhoneNumber n;
      if (util.GetExampleNumberForNonGeoEntity(cc, &n)) {
        std::string nsn;
        util.GetNationalSignificantNumber(n, &nsn);
        examples_.push_back({"001", cc, nsn, ""});
      }
    }
  }

  std::size_t examples() const { return examples_.size(); }
  const std::set<std::string>& regions() const { return regions_; }

  std::string RandomRegion() {
    auto it = regions_.begin();
    std::advance(it, Uniform(0, static_cast<int>(regions_.size()) - 1));
    return *it;
  }

  struct Candidate {
    std::string text;
    std::string region;  // of the example number it was made from, else random
  };

  Candidate Next() {
    Candidate c;
    c.text = Text(&c.region);
    if (c.region.empty() || c.region == "001") c.region = RandomRegion();
    return c;
  }

 private:
  std::string Text(std::string* region) {
    std::string cc;
    std::string ndd;
    std::string national;
    int kind = Uniform(0, 9);
    if (kind < 6) {
      const Example& ex = examples_[Uniform(0, static_cast<int>(examples_.size()) - 1)];
      cc = std::to_string(ex.country_code);
      ndd = ex.ndd;
      *region = ex.region;
      national = Mutate(ex.nsn);
    } else if (kind < 8) {
      cc = std::to_string(calling_codes_[Uniform(0, static_cast<int>(calling_codes_.size()) - 1)]);
      ndd = Uniform(0, 1) ? "0" : "";
      national = RandomDigits(Uniform(4, 12));
    } else {
      cc = std::to_string(Uniform(1, 999));  // often no calling code at all
      ndd = Uniform(0, 2) == 0 ? "1" : "0";
      national = RandomDigits(Uniform(5, 13));
    }
    switch (Uniform(0, 9)) {
      case 0:
      case 1:
      case 2:
        return "+" + cc + Sep() + Grouped(national);
      case 3:
        return "00" + cc + Sep() + Grouped(national);
      case 4:
        return "+" + cc + " (" + (ndd.empty() ? "0" : ndd) + ")" + Grouped(national);
      case 5:
        return "(00" + cc + ") " + Grouped(national);
      case 6:
      case 7:
        return Grouped(ndd + national);
      case 8:
        return "(" + ndd + national.substr(0, std::min<std::size_t>(3, national.size())) + ") " +
               Grouped(national.substr(std::min<std::size_t>(3, national.size())));
      default:
        return Grouped(cc + national);  // calling code without '+'
    }
  }

  struct Example {
    std::string region;
    int country_code;
    std::string nsn;
    std::string ndd;
  };

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string RandomDigits(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + Uniform(0, 9)));
    return s;
  }
  // Changes 0-2 digits, sometimes drops or adds one.
  std::string Mutate(std::string s) {
    int changes = Uniform(0, 2);
    for (int i = 0; i < changes && !s.empty(); ++i) {
      s[Uniform(0, static_cast<int>(s.size()) - 1)] = static_cast<char>('0' + Uniform(0, 9));
    }
    int len = Uniform(0, 9);
    if (len == 0 && s.size() > 3) s.pop_back();
    if (len == 1) s.push_back(static_cast<char>('0' + Uniform(0, 9)));
    return s;
  }
  std::string Sep() {
    static const char* const kSeps[] = {" ", " ", "-", ".", "/", "", " / "};
    return kSeps[Uniform(0, 6)];
  }
  // Digits in random groups of 1-5 with one separator kind, or unbroken.
  std::string Grouped(const std::string& digits) {
    if (digits.empty()) return digits;
    if (Uniform(0, 3) == 0) return digits;
    std::string sep = Sep();
    if (sep.empty()) sep = " ";
    std::string out;
    std::size_t i = 0;
    while (i < digits.size()) {
      std::size_t n = static_cast<std::size_t>(Uniform(1, 5));
      if (!out.empty()) out += sep;
      out += digits.substr(i, n);
      i += n;
    }
    return out;
  }

  std::mt19937 rng_;
  std::set<std::string> regions_;
  std::vector<int> calling_codes_;
  std::vector<Example> examples_;
};

TEST(PhoneFastPath, MatchesLibphonenumberOnGeneratedCandidates) {
  Generator gen(20261128);
  ASSERT_GT(gen.examples(), 1000u);
  Tally intl;
  Tally national_any_region;
  Tally validator;
  const int n = 150000 / kScale;
  for (int i = 0; i < n; ++i) {
    Generator::Candidate c = gen.Next();
    const std::string& text = c.text;
    if (text[0] == '+') {
      CompareDecision(text, "ZZ", &intl);
    } else {
      // National format in any region libphonenumber knows: the example's
      // own region or a random one.
      CompareDecision(text, i % 2 == 0 ? c.region : gen.RandomRegion(), &national_any_region);
    }
    CompareValidator(text, kDefaultRegions[static_cast<std::size_t>(i) % kDefaultRegions.size()],
                     &validator);
  }
  std::cout << "generated: " << n << "\n  +CC: " << Summary(intl)
            << "\n  national, any region: " << Summary(national_any_region)
            << "\n  validator: " << Summary(validator) << "\n";
  EXPECT_TRUE(intl.mismatches.empty()) << Report(intl);
  EXPECT_TRUE(national_any_region.mismatches.empty()) << Report(national_any_region);
  EXPECT_TRUE(validator.mismatches.empty()) << Report(validator);
  EXPECT_GT(intl.decided, intl.compared * 3 / 4);
  EXPECT_GT(intl.valid, intl.decided / 10);
  EXPECT_GT(national_any_region.decided, national_any_region.compared / 4);
  EXPECT_GT(validator.valid, n / 20);
}

TEST(PhoneFastPath, DeclinesWhatItDoesNotReplay) {
  // Extensions, letters and tabs go to libphonenumber.
  EXPECT_FALSE(DecidePhoneFast("+49 30 1234567 x12", "ZZ").has_value());
  EXPECT_FALSE(DecidePhoneFast("030 1234567 ext. 12", "DE").has_value());
  EXPECT_FALSE(DecidePhoneFast("0800 FLOWERS", "US").has_value());
  EXPECT_FALSE(DecidePhoneFast("030\t1234567", "DE").has_value());
  // National digits that may start with the international call prefix.
  EXPECT_FALSE(DecidePhoneFast("011 49 30 1234567", "US").has_value());
  // Unknown default region.
  EXPECT_FALSE(DecidePhoneFast("030 1234567", "XX").has_value());
  // Plain numbers are answered.
  auto de = DecidePhoneFast("+49 30 12345678", "ZZ");
  ASSERT_TRUE(de.has_value());
  EXPECT_TRUE(de->valid);
  EXPECT_EQ(de->region, "DE");
  auto us = DecidePhoneFast("(201) 555-0123", "US");
  ASSERT_TRUE(us.has_value());
  EXPECT_TRUE(us->valid);
  EXPECT_EQ(us->region, "US");
  auto bad = DecidePhoneFast("+49 1", "ZZ");
  EXPECT_TRUE(!bad.has_value() || !bad->valid);
}

// The gateway compiles the common regions at start. A stop request before
// the first region prepares nothing; without one, the default region and
// the EEA, GB, CH and US are ready afterwards, and numbers there give the
// same answers as before.
TEST(PhoneFastPath, WarmUpPreparesTheCommonRegions) {
  // Greenland: no common region, so only as the default region is it
  // prepared. (Other tests of this process may have compiled it already,
  // so a stopped warm-up is checked by its count.)
  EXPECT_EQ(WarmUpPhoneValidation("GL", [] { return true; }), 0u);
  const std::size_t ready = WarmUpPhoneValidation("GL");
  EXPECT_GE(ready, 30u);
  for (const char* r : {"GL", "FR", "DE", "GB", "CH", "US", "PL", "SE", "IS"}) EXPECT_TRUE(PhoneRegionPrepared(r)) << r;
  EXPECT_FALSE(PhoneRegionPrepared("XX"));
  auto de = DecidePhoneFast("+49 30 12345678", "ZZ");
  ASSERT_TRUE(de.has_value());
  EXPECT_TRUE(de->valid);
  EXPECT_EQ(de->region, "DE");
}

}  // namespace
}  // namespace airlock::detect::internal
