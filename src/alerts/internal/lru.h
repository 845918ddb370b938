// A map that keeps at most `capacity` keys, evicting the least recently
// touched: the bound on per-principal state an attacker could grow by
// inventing principals.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace airlock::alerts::internal {

template <typename V>
class LruMap {
 public:
  explicit LruMap(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The value for `key`, touched; nullptr when absent.
  V* Find(const std::string& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.end(), order_, it->second.second);
    return &it->second.first;
  }

  // The value for `key`, created (value-initialised) when absent, touched.
  V& Get(const std::string& key) {
    if (V* v = Find(key)) return *v;
    if (map_.size() >= capacity_) {
      map_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    auto [it, inserted] = map_.emplace(key, std::make_pair(V{}, std::prev(order_.end())));
    (void)inserted;
    return it->second.first;
  }

  std::size_t size() const { return map_.size(); }

 private:
  std::size_t capacity_;
  std::list<std::string> order_;  // least recently touched first
  std::unordered_map<std::string, std::pair<V, std::list<std::string>::iterator>> map_;
};

}  // namespace airlock::alerts::internal
