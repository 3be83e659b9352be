// Replacement global operator new/delete for the test binary, counting while an AllocProbe is
// armed. The aligned forms are left to the library: the core allocates nothing over-aligned.
#include "alloc_probe.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

// Tests run on one thread; atomics keep a stray allocation from another thread well-defined.
std::atomic<bool> armed{false};
std::atomic<std::size_t> cap{0};
std::atomic<std::size_t> total{0};
std::atomic<std::size_t> largest{0};
std::atomic<std::size_t> refused_count{0};

void* allocate(std::size_t n) {
  if (armed.load(std::memory_order_relaxed)) {
    total += n;
    std::size_t seen = largest.load();
    while (n > seen && !largest.compare_exchange_weak(seen, n)) {
    }
    if (n > cap.load()) {
      ++refused_count;
      throw std::bad_alloc();
    }
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t n) {
  return allocate(n);
}
void* operator new[](std::size_t n) {
  return allocate(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace cieloweb::test {

AllocProbe::AllocProbe(std::size_t cap_bytes) {
  cap = cap_bytes;
  total = 0;
  largest = 0;
  refused_count = 0;
  armed = true;
}
AllocProbe::~AllocProbe() {
  armed = false;
}
std::size_t AllocProbe::total_bytes() const noexcept {
  return total.load();
}
std::size_t AllocProbe::largest_bytes() const noexcept {
  return largest.load();
}
std::size_t AllocProbe::refused() const noexcept {
  return refused_count.load();
}

}  // namespace cieloweb::test
