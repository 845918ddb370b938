// A read-mostly set of short strings for the detectors' hot lookups.
//
//   FlatStringSet names;
//   names.Insert("Anna");
//   names.Build();                 // after the last Insert
//   if (names.Contains(word)) ...  // word: a std::string_view into the text
//
// The gazetteer and the word lists are looked up once or more per
// capitalised word of every text (tens of thousands per MiB of prose), so
// the lookup must not allocate, hash slowly or chase pointers: one open-
// addressing table of (hash tag, offset) slots over one arena of bytes,
// probed linearly, with the full hash compared before any bytes are.
//
// Thread-safety: Insert/Build are not; Contains on a built set is safe from
// any number of threads.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::detect::internal {

class FlatStringSet {
 public:
  // Adds `s` (duplicates are kept once). Call Build() before Contains.
  void Insert(std::string_view s) {
    pending_.emplace_back(static_cast<std::uint32_t>(arena_.size()),
                          static_cast<std::uint32_t>(s.size()));
    arena_.append(s);
  }

  // Lays out the table for the strings inserted so far.
  void Build() {
    std::size_t cap = 16;
    while (cap < pending_.size() * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    max_len_ = 0;
    for (const auto& [off, len] : pending_) {
      const std::string_view s(arena_.data() + off, len);
      if (Contains(s)) continue;
      const std::uint64_t h = Hash(s) | 1;  // as Contains probes
      std::size_t i = h & mask_;
      while (slots_[i].hash != 0) i = (i + 1) & mask_;
      slots_[i] = Slot{h, off, len};
      if (len > max_len_) max_len_ = len;
    }
    pending_.clear();
    pending_.shrink_to_fit();
  }

  bool Contains(std::string_view s) const {
    if (slots_.empty() || s.size() > max_len_) return false;
    const std::uint64_t h = Hash(s) | 1;  // 0 marks an empty slot
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.hash == 0) return false;
      if (slot.hash == h && slot.len == s.size() &&
          std::memcmp(arena_.data() + slot.off, s.data(), s.size()) == 0) {
        return true;
      }
    }
  }

  bool empty() const { return slots_.empty(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t off = 0;
    std::uint32_t len = 0;
  };

  // 64-bit FNV-1a with a final mix: words are short, so a byte loop is as
  // fast as a wide hash, and the mix spreads the low bits used as index.
  static std::uint64_t Hash(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
  }

  std::string arena_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pending_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t max_len_ = 0;
};

}  // namespace airlock::detect::internal
