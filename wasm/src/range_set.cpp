#include "cieloweb/range_set.hpp"

#include <algorithm>

namespace cieloweb {

void RangeSet::insert(std::uint32_t index) {
  insert_range(index, index + 1);
}

void RangeSet::insert_range(std::uint32_t first, std::uint32_t last) {
  if (first >= last) return;
  // First range whose end reaches `first` (touching ranges merge).
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), first,
                             [](const Range& r, std::uint32_t v) { return r.second < v; });
  auto end = it;
  while (end != ranges_.end() && end->first <= last) {
    first = std::min(first, end->first);
    last = std::max(last, end->second);
    ++end;
  }
  it = ranges_.erase(it, end);
  ranges_.insert(it, Range{first, last});
}

void RangeSet::erase(std::uint32_t index) {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), index,
                             [](std::uint32_t v, const Range& r) { return v < r.first; });
  if (it == ranges_.begin()) return;
  --it;
  if (index >= it->second) return;
  const Range old = *it;
  it = ranges_.erase(it);
  if (index + 1 < old.second) it = ranges_.insert(it, Range{index + 1, old.second});
  if (old.first < index) ranges_.insert(it, Range{old.first, index});
}

bool RangeSet::contains(std::uint32_t index) const noexcept {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), index,
                             [](std::uint32_t v, const Range& r) { return v < r.first; });
  if (it == ranges_.begin()) return false;
  --it;
  return index < it->second;
}

std::uint32_t RangeSet::end_of_run(std::uint32_t index) const noexcept {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), index,
                             [](std::uint32_t v, const Range& r) { return v < r.first; });
  if (it == ranges_.begin()) return index;
  --it;
  return index < it->second ? it->second : index;
}

std::uint64_t RangeSet::count() const noexcept {
  std::uint64_t n = 0;
  for (const auto& r : ranges_) n += r.second - r.first;
  return n;
}

}  // namespace cieloweb
