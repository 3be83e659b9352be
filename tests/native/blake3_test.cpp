// BLAKE3: official-pattern vectors (tests/data/blake3_vectors.json), Debian's b3sum as the live
// reference, incremental updates, and the block-CV API used to verify transfers.
#include <doctest/doctest.h>

#include "test_data.hpp"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "cieloweb/blake3.hpp"

namespace b3 = cieloweb::blake3;

namespace {

constexpr std::size_t mib = 1024 * 1024;

std::vector<std::uint8_t> pattern_251(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i % 251);
  return v;
}

// Deterministic pseudo-random bytes (splitmix64), so failures reproduce.
using cieloweb::test::random_bytes;

// A scratch file removed when the test ends, pass or fail.
class TempFile {
 public:
  explicit TempFile(const std::vector<std::uint8_t>& bytes) {
    static int serial = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("cieloweb_blake3_test_" + std::to_string(::getpid()) + "_" + std::to_string(serial++));
    std::ofstream out(path_, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// What Debian's b3sum prints for `bytes`. A missing b3sum fails the test: it is the reference.
std::string b3sum_hex(const std::vector<std::uint8_t>& bytes) {
  TempFile file(bytes);
  const std::string cmd =
      "b3sum --no-names --num-threads 1 '" + file.path().string() + "' 2>/dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE_MESSAGE(pipe != nullptr, "cannot run b3sum");
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  const int status = ::pclose(pipe);
  REQUIRE_MESSAGE(status == 0, "b3sum failed or is not installed (apt-get install b3sum)");
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  REQUIRE(out.size() == 64);
  return out;
}

// Whole-input root through the transfer path: 1 MiB block CVs merged into the root.
b3::Digest root_via_blocks(std::span<const std::uint8_t> data, std::size_t block_bytes) {
  if (data.size() <= block_bytes) return b3::hash(data);
  std::vector<b3::Digest> cvs;
  const std::uint64_t chunks_per_block = block_bytes / b3::chunk_bytes;
  for (std::size_t off = 0, i = 0; off < data.size(); off += block_bytes, ++i) {
    const std::size_t n = std::min(block_bytes, data.size() - off);
    cvs.push_back(b3::subtree_cv(data.subspan(off, n), i * chunks_per_block));
  }
  return b3::root_from_block_cvs(cvs);
}

b3::Digest hash_in_updates(std::span<const std::uint8_t> data, std::size_t step) {
  b3::Hasher h;
  for (std::size_t off = 0; off < data.size(); off += step) {
    h.update(data.subspan(off, std::min(step, data.size() - off)));
  }
  return h.finalize();
}

}  // namespace

TEST_CASE("blake3 official vector lengths match the vector file") {
  std::ifstream in(std::string(CIELO_TEST_DATA_DIR) + "/blake3_vectors.json");
  REQUIRE(in.good());
  const auto doc = nlohmann::json::parse(in);
  const auto& cases = doc.at("cases");
  REQUIRE(cases.size() == 22);
  for (const auto& c : cases) {
    const auto len = c.at("input_len").get<std::size_t>();
    const auto expected = c.at("hash").get<std::string>();
    const auto data = pattern_251(len);
    CAPTURE(len);
    CHECK(b3::to_hex(b3::hash(data)) == expected);
    // Byte at a time exercises the buffered path; 1 MiB-style big updates the subtree path.
    CHECK(b3::to_hex(hash_in_updates(data, 1)) == expected);
    CHECK(b3::to_hex(hash_in_updates(data, 4096 + 64)) == expected);
  }
}

TEST_CASE("blake3 matches b3sum on random data around chunk and block edges") {
  const std::size_t lengths[] = {0, 1, 1023, 1024, 1025, mib - 1, mib, mib + 1, 3 * mib + 5};
  std::uint64_t seed = 1;
  for (const std::size_t len : lengths) {
    CAPTURE(len);
    const auto data = random_bytes(len, seed++);
    const std::string expected = b3sum_hex(data);
    CHECK(b3::to_hex(b3::hash(data)) == expected);
    CHECK(b3::to_hex(hash_in_updates(data, mib)) == expected);
    CHECK(b3::to_hex(root_via_blocks(data, mib)) == expected);
  }
}

TEST_CASE("blake3 incremental updates in odd splits equal one-shot") {
  const auto data = random_bytes(2 * mib + 12345, 42);
  const b3::Digest expected = b3::hash(data);
  const std::size_t splits[] = {1, 63, 64, 65, 1023, 1024, 1025, 3000, 7, 4097, 65536 + 3, mib + 1};
  b3::Hasher h;
  std::size_t off = 0;
  for (std::size_t k = 0; off < data.size(); ++k) {
    const std::size_t n = std::min(splits[k % std::size(splits)], data.size() - off);
    h.update(std::span(data).subspan(off, n));
    off += n;
    CHECK(h.bytes_hashed() == off);
  }
  CHECK(h.finalize() == expected);
  // finalize() leaves the state alone: asking twice, or continuing, still works.
  CHECK(h.finalize() == expected);
  h.update({});
  CHECK(h.finalize() == expected);

  // An unaligned start followed by 1 MiB updates puts the fast path at odd chunk counters.
  b3::Hasher odd;
  odd.update(std::span(data).first(100));
  for (std::size_t o = 100; o < data.size(); o += mib) {
    odd.update(std::span(data).subspan(o, std::min(mib, data.size() - o)));
  }
  CHECK(odd.finalize() == expected);

  odd.reset();
  CHECK(odd.bytes_hashed() == 0);
  CHECK(odd.finalize() == b3::hash({}));
}

TEST_CASE("blake3 updates that end on chunk and subtree boundaries equal one-shot") {
  // Whole chunks are hashed at once (never held back), and the input may end right after them:
  // the root is then the node above the last two stack entries.
  const std::size_t pieces[] = {1024, 2048, 3072, 4096, 64 * 1024, mib};
  const std::size_t totals[] = {1024, 2048, 3072, 4096, 5120, 64 * 1024, 2 * mib, 3 * mib};
  for (const std::size_t total : totals) {
    CAPTURE(total);
    const auto data = random_bytes(total, total + 5);
    const std::string expected = b3sum_hex(data);
    CHECK(b3::to_hex(b3::hash(data)) == expected);
    for (const std::size_t piece : pieces) {
      CAPTURE(piece);
      CHECK(b3::to_hex(hash_in_updates(data, piece)) == expected);
    }
  }
}

TEST_CASE("blake3 block CVs merge into the whole-file hash") {
  const std::size_t sizes[] = {mib + 1, 2 * mib, 2 * mib + 1, 3 * mib, 5 * mib + 7, 8 * mib};
  std::uint64_t seed = 100;
  for (const std::size_t size : sizes) {
    CAPTURE(size);
    const auto data = random_bytes(size, seed++);
    CHECK(root_via_blocks(data, mib) == b3::hash(data));
  }
  // Smaller power-of-two blocks (down to one chunk) follow the same tree.
  const auto data = random_bytes(5 * mib + 7, 7);
  CHECK(root_via_blocks(data, 64 * 1024) == b3::hash(data));
  CHECK(root_via_blocks(data, b3::chunk_bytes) == b3::hash(data));
}

TEST_CASE("blake3 single-block file root is hash() of the block") {
  const auto data = random_bytes(mib, 9);
  CHECK(root_via_blocks(data, mib) == b3::hash(data));
  CHECK(b3::to_hex(b3::hash(data)) == b3sum_hex(data));
  // The block's CV is a non-root node: it must differ from the root hash.
  CHECK(b3::subtree_cv(data, 0) != b3::hash(data));
}

TEST_CASE("blake3 flipped byte changes the block CV") {
  auto data = random_bytes(mib, 11);
  const b3::Digest good = b3::subtree_cv(data, 3 * 1024);
  for (const std::size_t at : {std::size_t{0}, std::size_t{1023}, std::size_t{1024}, mib - 1}) {
    CAPTURE(at);
    data[at] ^= 0x01;
    CHECK(b3::subtree_cv(data, 3 * 1024) != good);
    data[at] ^= 0x01;
  }
  CHECK(b3::subtree_cv(data, 3 * 1024) == good);
  // The position is bound in too: the same bytes as another block give another CV.
  CHECK(b3::subtree_cv(data, 4 * 1024) != good);
}

TEST_CASE("blake3 64 MiB + 7 file matches b3sum via Hasher and via block CVs") {
  const auto data = random_bytes(64 * mib + 7, 2024);
  const std::string expected = b3sum_hex(data);
  CHECK(b3::to_hex(hash_in_updates(data, mib)) == expected);
  CHECK(b3::to_hex(root_via_blocks(data, mib)) == expected);
}

TEST_CASE("blake3 helpers") {
  CHECK(b3::to_hex(b3::hash({})) ==
        "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
  CHECK(std::string(b3::implementation_name()) == "portable");
}
