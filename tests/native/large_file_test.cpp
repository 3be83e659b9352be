// A file larger than 4 GiB (sparse, so the disk holds only a few MiB), sent end to end: offsets,
// block indices and the root hash must all survive the 32-bit boundary. Checked against `b3sum`.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cieloweb/blake3.hpp"
#include "sim_network.hpp"

using namespace cieloweb;

namespace {

class FdSource : public sim::Source {
 public:
  FdSource(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  std::uint64_t size() const override { return size_; }
  void read(std::uint64_t offset, std::span<std::uint8_t> out) override {
    REQUIRE(::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset)) ==
            static_cast<ssize_t>(out.size()));
  }

 private:
  int fd_;
  std::uint64_t size_;
};

// Writes only non-zero blocks, so the copy stays sparse too.
class SparseFdSink : public sim::Sink {
 public:
  explicit SparseFdSink(int fd) : fd_(fd) {}
  void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; })) return;
    REQUIRE(::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset)) ==
            static_cast<ssize_t>(bytes.size()));
  }
  void discard() override { REQUIRE(::ftruncate(fd_, 0) == 0); }

 private:
  int fd_;
};

std::string b3sum(const std::string& path) {
  const std::string cmd = "b3sum --no-names " + path;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[128] = {};
  const bool got = std::fgets(buf, sizeof buf, pipe) != nullptr;
  const int status = ::pclose(pipe);
  REQUIRE(got);
  REQUIRE(status == 0);
  return std::string(buf, 64);
}

std::string temp_path(const char* tag) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/cieloweb-" + tag + "-XXXXXX";
  const int fd = ::mkstemp(path.data());
  REQUIRE(fd >= 0);
  ::close(fd);
  return path;
}

}  // namespace

TEST_CASE("transfer: a sparse file larger than 4 GiB arrives with the b3sum root") {
  const std::uint64_t size = (4ull << 30) + 7;
  const std::string in_path = temp_path("in"), out_path = temp_path("out");
  const int in = ::open(in_path.c_str(), O_RDWR);
  const int out = ::open(out_path.c_str(), O_RDWR);
  REQUIRE(in >= 0);
  REQUIRE(out >= 0);
  REQUIRE(::ftruncate(in, static_cast<off_t>(size)) == 0);
  // Data at the start, across the 2^32 boundary and in the 7-byte tail; zeros elsewhere.
  for (std::uint64_t at :
       {std::uint64_t{0}, std::uint64_t{(4ull << 30) - 1000}, std::uint64_t{size - 7}}) {
    auto bytes = sim::random_bytes(std::min<std::uint64_t>(3000, size - at), at);
    REQUIRE(::pwrite(in, bytes.data(), bytes.size(), static_cast<off_t>(at)) ==
            static_cast<ssize_t>(bytes.size()));
  }
  FdSource source(in, size);
  SparseFdSink sink(out);
  sim::PeerSetup peer;
  peer.sink = &sink;
  peer.link.bandwidth_bytes_per_ms = 1e9;
  peer.link.latency_ms = 1;
  peer.link.high_watermark_bytes = 8u << 20;
  peer.link.low_watermark_bytes = 2u << 20;
  peer.link.send_buffer_limit_bytes = 64u << 20;
  peer.receiver.window = 32;
  auto result = sim::run(source, FileInfo{"big.img", size, 1, ""}, SenderConfig{}, {peer});
  REQUIRE(::ftruncate(out, static_cast<off_t>(size)) == 0);
  ::close(in);
  ::close(out);

  const auto& p = result.peers.at(0);
  CHECK_FALSE(result.timed_out);
  CHECK(p.completed);
  CHECK(result.blocks_read == 4097);
  const std::string expected = b3sum(in_path);
  CHECK(b3sum(out_path) == expected);
  REQUIRE(p.root);
  CHECK(blake3::to_hex(*p.root) == expected);
  std::remove(in_path.c_str());
  std::remove(out_path.c_str());
}
