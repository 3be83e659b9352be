#include "cieloweb/control.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "cieloweb/json_text.hpp"
#include "cieloweb/limits.hpp"
#include "json_fields.hpp"

namespace cieloweb::control {
namespace {

using json_fields::identity_from;
using json_fields::identity_json;
using json_fields::ranges_from;
using json_fields::ranges_json;
using json_fields::Reader;
using nlohmann::json;

Error control_error(ErrorCode code, const std::string& what) {
  return make_error(code, "control: " + what);
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else
      return false;
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

bool valid_batch_id(const std::string& id) {
  if (id.empty() || id.size() > max_batch_id_bytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

Result<Message> decode_batch(const Reader& r) {
  Batch m;
  auto id = r.str("batch", max_batch_id_bytes);
  if (!id) return id.error();
  if (!valid_batch_id(id.value()))
    return control_error(ErrorCode::field_out_of_range, "'batch' must be 1-64 of [A-Za-z0-9_-]");
  m.id = std::move(id).value();
  auto files = r.field("files");
  if (!files) return files.error();
  const json& list = *files.value();
  if (!list.is_array()) return control_error(ErrorCode::wrong_type, "'files' must be an array");
  if (list.empty()) return control_error(ErrorCode::field_out_of_range, "a batch without files");
  if (list.size() > max_files_per_batch)
    return control_error(ErrorCode::too_large, "more than 10000 files in one batch");
  std::unordered_set<std::uint32_t> seen;
  m.files.reserve(list.size());
  for (const auto& entry : list) {
    if (!entry.is_object())
      return control_error(ErrorCode::wrong_type, "a file entry must be an object");
    const Reader f{entry};
    auto transfer = f.u64("transfer", UINT32_MAX);
    if (!transfer) return transfer.error();
    if (transfer.value() == 0)
      return control_error(ErrorCode::field_out_of_range, "a file's 'transfer' must be >= 1");
    auto path = f.str("path", max_file_name_bytes);
    if (!path) return path.error();
    if (path.value().empty())
      return control_error(ErrorCode::field_out_of_range, "a file's 'path' is empty");
    auto size = f.u64("size", max_file_size_bytes);
    if (!size) return size.error();
    const auto id32 = static_cast<std::uint32_t>(transfer.value());
    if (!seen.insert(id32).second)
      return control_error(ErrorCode::duplicate_id, "a transfer id appears twice in the batch");
    m.files.push_back(BatchFile{id32, std::move(path).value(), size.value()});
  }
  return Message{std::move(m)};
}

}  // namespace

bool valid_relative_path(std::string_view path) noexcept {
  if (path.empty() || path.size() > max_file_name_bytes || !valid_utf8(path)) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F || c == '\\') return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Result<blake3::Digest> digest_from_hex(std::string_view hex) {
  blake3::Digest d{};
  if (hex.size() != 2 * d.size())
    return control_error(ErrorCode::length_mismatch, "digest must be 64 hex digits");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // lowercase only: one canonical spelling
  };
  for (std::size_t i = 0; i < d.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return control_error(ErrorCode::wrong_type, "digest is not lowercase hex");
    d[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return d;
}

std::uint32_t transfer_of(const Message& message) noexcept {
  return std::visit(
      [](const auto& m) -> std::uint32_t {
        if constexpr (requires { m.transfer; })
          return m.transfer;
        else
          return 0;
      },
      message);
}

const char* type_name(const Message& message) noexcept {
  struct Names {
    const char* operator()(const Offer&) const { return "offer"; }
    const char* operator()(const Accept&) const { return "accept"; }
    const char* operator()(const Reject&) const { return "reject"; }
    const char* operator()(const Cancel&) const { return "cancel"; }
    const char* operator()(const Ack&) const { return "ack"; }
    const char* operator()(const Resend&) const { return "resend"; }
    const char* operator()(const Done&) const { return "done"; }
    const char* operator()(const ErrorMessage&) const { return "error"; }
    const char* operator()(const Hello&) const { return "hello"; }
    const char* operator()(const Batch&) const { return "batch"; }
  };
  return std::visit(Names{}, message);
}

std::string encode(const Message& message) {
  json j{{"v", version}, {"type", type_name(message)}};
  if (!std::holds_alternative<Hello>(message) && !std::holds_alternative<Batch>(message))
    j["transfer"] = transfer_of(message);
  struct Fill {
    json& j;
    void operator()(const Offer& m) const {
      j.update(identity_json(m.file));
      j["block_size"] = m.block_size;
      if (!m.mime.empty()) j["mime"] = m.mime;
      if (m.restart) j["restart"] = true;
    }
    void operator()(const Accept& m) const {
      j["window"] = m.window;
      j["have"] = ranges_json(m.have);
      if (m.resume) {
        j["resume"] = true;
        j["file"] = identity_json(m.file);
      }
    }
    void operator()(const Reject& m) const { j["reason"] = m.reason; }
    void operator()(const Cancel& m) const { j["reason"] = m.reason; }
    void operator()(const Ack& m) const { j["blocks"] = m.blocks; }
    void operator()(const Resend& m) const {
      j["block"] = m.block;
      j["reason"] = error_name(m.reason);
    }
    void operator()(const Done& m) const { j["root"] = blake3::to_hex(m.root); }
    void operator()(const ErrorMessage& m) const {
      j["code"] = static_cast<int>(m.code);
      j["message"] = m.message;
      if (!m.reason.empty()) j["reason"] = m.reason;
    }
    void operator()(const Hello& m) const {
      if (m.reply) j["reply"] = true;
    }
    void operator()(const Batch& m) const {
      j["batch"] = m.id;
      json files = json::array();
      for (const auto& f : m.files)
        files.push_back(json{{"transfer", f.transfer}, {"path", f.path}, {"size", f.size}});
      j["files"] = std::move(files);
    }
  };
  std::visit(Fill{j}, message);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Message> decode(std::string_view text) {
  if (text.size() > max_batch_message_bytes)
    return control_error(ErrorCode::too_large, "message too long");
  if (json_nesting_depth(text, max_json_depth) > max_json_depth)
    return control_error(ErrorCode::too_large, "nesting too deep");
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return control_error(ErrorCode::bad_json, "not valid JSON");
  if (!j.is_object()) return control_error(ErrorCode::wrong_type, "message must be an object");
  const Reader r{j};

  auto v = r.u64("v", 255);
  if (!v) return v.error();
  if (v.value() != static_cast<std::uint64_t>(version)) {
    return control_error(ErrorCode::unsupported_version, "version " + std::to_string(v.value()));
  }
  auto type = r.str("type", 32);
  if (!type) return type.error();
  if (type.value() == "batch") return decode_batch(r);
  // Only a batch may be longer than max_control_message_bytes.
  if (text.size() > max_control_message_bytes)
    return control_error(ErrorCode::too_large, "message too long");
  if (type.value() == "hello") {
    auto reply = r.boolean("reply");
    if (!reply) return reply.error();
    return Message{Hello{reply.value()}};
  }
  auto transfer = r.u64("transfer", UINT32_MAX);
  if (!transfer) return transfer.error();
  const auto id = static_cast<std::uint32_t>(transfer.value());
  const std::string& t = type.value();

  if (t == "offer") {
    Offer m;
    m.transfer = id;
    auto file = identity_from(r);
    if (!file) return file.error();
    m.file = std::move(file).value();
    auto bs = r.u64("block_size", max_block_size_bytes);
    if (!bs) return bs.error();
    const auto block = static_cast<std::uint32_t>(bs.value());
    if (block < min_block_size_bytes || (block & (block - 1)) != 0) {
      return control_error(ErrorCode::field_out_of_range,
                           "block_size must be a power of two >= 16 KiB");
    }
    m.block_size = block;
    // Block indices are u32 on the wire: a size needing more blocks than that cannot be sent.
    if ((m.file.size + block - 1) / block > UINT32_MAX) {
      return control_error(ErrorCode::field_out_of_range, "too many blocks for this block_size");
    }
    auto mime = r.str("mime", 255, false);
    if (!mime) return mime.error();
    m.mime = std::move(mime).value();
    auto restart = r.boolean("restart");
    if (!restart) return restart.error();
    m.restart = restart.value();
    return Message{std::move(m)};
  }
  if (t == "accept") {
    Accept m;
    m.transfer = id;
    auto window = r.u64("window", max_window_blocks);
    if (!window) return window.error();
    if (window.value() == 0)
      return control_error(ErrorCode::field_out_of_range, "window must be >= 1");
    m.window = static_cast<std::uint32_t>(window.value());
    auto have = ranges_from(r, "have");
    if (!have) return have.error();
    m.have = std::move(have).value();
    auto resume = r.boolean("resume");
    if (!resume) return resume.error();
    m.resume = resume.value();
    if (m.resume) {
      auto it = j.find("file");
      if (it == j.end()) return control_error(ErrorCode::missing_field, "resume needs 'file'");
      if (!it->is_object()) return control_error(ErrorCode::wrong_type, "'file' must be an object");
      auto file = identity_from(Reader{*it});
      if (!file) return file.error();
      m.file = std::move(file).value();
    }
    return Message{std::move(m)};
  }
  if (t == "reject" || t == "cancel") {
    auto reason = r.str("reason", 256, false);
    if (!reason) return reason.error();
    if (t == "reject") return Message{Reject{id, std::move(reason).value()}};
    return Message{Cancel{id, std::move(reason).value()}};
  }
  if (t == "ack") {
    Ack m;
    m.transfer = id;
    auto it = j.find("blocks");
    if (it == j.end()) return control_error(ErrorCode::missing_field, "missing 'blocks'");
    if (!it->is_array()) return control_error(ErrorCode::wrong_type, "'blocks' must be an array");
    if (it->size() > max_acks_per_message)
      return control_error(ErrorCode::too_large, "too many acks");
    for (const auto& b : *it) {
      if (!b.is_number_unsigned() || b.get<std::uint64_t>() > UINT32_MAX) {
        return control_error(ErrorCode::wrong_type, "block indices must be u32");
      }
      m.blocks.push_back(b.get<std::uint32_t>());
    }
    return Message{std::move(m)};
  }
  if (t == "resend") {
    auto block = r.u64("block", UINT32_MAX);
    if (!block) return block.error();
    auto reason = r.str("reason", 64, false);
    if (!reason) return reason.error();
    ErrorCode code = ErrorCode::hash_mismatch;
    for (int c = 0; c <= static_cast<int>(ErrorCode::internal); ++c) {
      if (reason.value() == error_name(static_cast<ErrorCode>(c))) code = static_cast<ErrorCode>(c);
    }
    return Message{Resend{id, static_cast<std::uint32_t>(block.value()), code}};
  }
  if (t == "done") {
    auto root = r.digest("root");
    if (!root) return root.error();
    return Message{Done{id, root.value()}};
  }
  if (t == "error") {
    auto code = r.u64("code", static_cast<std::uint64_t>(ErrorCode::internal));
    if (!code) return code.error();
    auto message = r.str("message", 1024, false);
    if (!message) return message.error();
    auto reason = r.str("reason", 64, false);
    if (!reason) return reason.error();
    return Message{ErrorMessage{id, static_cast<ErrorCode>(code.value()),
                                std::move(message).value(), std::move(reason).value()}};
  }
  return control_error(ErrorCode::unknown_type, "unknown type '" + t.substr(0, 32) + "'");
}

}  // namespace cieloweb::control
