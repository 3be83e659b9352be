// control::decode on arbitrary text. On success, encoding is a fixed point after one round: the
// encoded text decodes again, to a message that encodes to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cieloweb/control.hpp"

namespace control = cieloweb::control;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto decoded = control::decode(text);
  if (!decoded) {
    if (decoded.error().code == cieloweb::ErrorCode::ok) std::abort();
    return 0;
  }
  const std::string encoded = control::encode(decoded.value());
  const auto again = control::decode(encoded);
  if (!again) std::abort();
  if (control::transfer_of(again.value()) != control::transfer_of(decoded.value())) std::abort();
  if (std::string_view(control::type_name(again.value())) != control::type_name(decoded.value())) {
    std::abort();
  }
  if (control::encode(again.value()) != encoded) std::abort();
  return 0;
}
