// sdp::dtls_fingerprint on arbitrary text. A refusal names a rule; an accepted fingerprint has an
// allowed hash with its exact digest size, its canonical text is found in the input (the same
// digits, perhaps in another case), and the verdict does not depend on CRLF versus LF line ends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cieloweb/sdp.hpp"

namespace sdp = cieloweb::sdp;

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = sdp::dtls_fingerprint(text);
  if (!result) {
    if (result.error().code == cieloweb::ErrorCode::ok) std::abort();
    if (sdp::rule_of(result.error()).empty()) std::abort();
    return 0;
  }
  const sdp::Fingerprint& f = result.value();
  const std::size_t expected = f.algorithm == "sha-256"   ? 32
                               : f.algorithm == "sha-384" ? 48
                               : f.algorithm == "sha-512" ? 64
                                                          : 0;
  if (expected == 0 || f.digest.size() != expected) std::abort();
  const std::string canonical = f.canonical();
  if (upper(text).find(upper(canonical)) == std::string::npos) std::abort();

  // The same description with every CRLF turned into LF must give the same fingerprint.
  std::string lf;
  lf.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    lf += text[i];
  }
  const auto again = sdp::dtls_fingerprint(lf);
  if (!again || !(again.value() == f)) std::abort();
  return 0;
}
