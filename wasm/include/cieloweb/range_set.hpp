// A set of block indices stored as sorted, disjoint, non-adjacent half-open ranges. Small for the
// common cases of resume state ("blocks 0..812 and 815..900 verified").
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace cieloweb {

class RangeSet {
 public:
  using Range = std::pair<std::uint32_t, std::uint32_t>;  // [first, last)

  void insert(std::uint32_t index);
  void insert_range(std::uint32_t first, std::uint32_t last);
  void erase(std::uint32_t index);
  bool contains(std::uint32_t index) const noexcept;
  std::uint64_t count() const noexcept;
  bool empty() const noexcept { return ranges_.empty(); }
  void clear() noexcept { ranges_.clear(); }
  const std::vector<Range>& ranges() const noexcept { return ranges_; }
  // The end of the range holding `index`; `index` itself when the set does not hold it. (For
  // skipping a whole run of members at once.)
  std::uint32_t end_of_run(std::uint32_t index) const noexcept;
  bool operator==(const RangeSet&) const = default;

 private:
  std::vector<Range> ranges_;
};

}  // namespace cieloweb
