// A byte vector whose resize() leaves new bytes uninitialised, for buffers that are overwritten
// right after they are sized (blocks being assembled, decompression output): a 1 MiB block then
// costs no 1 MiB zero fill before its real bytes arrive.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace cieloweb {

template <class T>
struct UninitializedAllocator : std::allocator<T> {
  using std::allocator<T>::allocator;
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  // Value-initialisation (what resize() asks for) becomes default-initialisation: nothing, for
  // bytes.
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using ByteBuffer = std::vector<std::uint8_t, UninitializedAllocator<std::uint8_t>>;

}  // namespace cieloweb
