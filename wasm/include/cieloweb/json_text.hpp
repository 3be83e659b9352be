// Checks on JSON text made before it is parsed, shared by the core's control codec and the
// signaling server: hostile input must cost one linear scan, never a deep parse.
#pragma once

#include <cstddef>
#include <limits>
#include <string_view>

namespace cieloweb {

// The deepest nesting of arrays and objects in `text` (RFC 8259), counting brackets outside strings
// only; unbalanced closers are ignored. Stops scanning as soon as the depth exceeds `cap`, so the
// result is exact up to `cap` and `cap + 1` means "deeper than cap". Does not validate the text.
std::size_t json_nesting_depth(std::string_view text,
                               std::size_t cap = std::numeric_limits<std::size_t>::max() - 1);

}  // namespace cieloweb
