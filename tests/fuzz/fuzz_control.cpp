// control::decode and resume::decode (the core's two JSON texts) on arbitrary text. On success,
// encoding is a fixed point after one round: the encoded text decodes again, to a message (a state)
// that encodes to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cieloweb/control.hpp"
#include "cieloweb/resume.hpp"

namespace control = cieloweb::control;
namespace resume = cieloweb::resume;

namespace {

void check_resume_state(std::string_view text) {
  const auto decoded = resume::decode(text);
  if (!decoded) {
    if (decoded.error().code == cieloweb::ErrorCode::ok) std::abort();
    return;
  }
  const std::string encoded = resume::encode(decoded.value());
  const auto again = resume::decode(encoded);
  if (!again || !(again.value() == decoded.value())) std::abort();
  if (resume::encode(again.value()) != encoded) std::abort();
  // Limiting keeps a subset that is itself a valid state.
  cieloweb::RangeSet odd_blocks;
  for (std::uint32_t b = 1; b < 64; b += 2) odd_blocks.insert(b);
  if (!resume::decode(resume::encode(resume::limit_to(decoded.value(), odd_blocks)))) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_resume_state(text);
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
