// Observes the allocations made through operator new in a scope (the replacement operators are in
// alloc_probe.cpp and serve the whole test binary). Lets a test prove that hostile input costs no
// memory proportional to what it claims: while a probe is armed, an allocation above its cap
// throws std::bad_alloc instead of taking the memory (as a browser tab's WASM heap would abort).
#pragma once

#include <cstddef>

namespace cieloweb::test {

class AllocProbe {
 public:
  explicit AllocProbe(std::size_t cap_bytes);
  ~AllocProbe();
  AllocProbe(const AllocProbe&) = delete;
  AllocProbe& operator=(const AllocProbe&) = delete;

  std::size_t total_bytes() const noexcept;    // allocated since the probe was armed
  std::size_t largest_bytes() const noexcept;  // the largest single request, refused or not
  std::size_t refused() const noexcept;        // requests above the cap (each threw bad_alloc)
};

}  // namespace cieloweb::test
