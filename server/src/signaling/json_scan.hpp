// Strict JSON validation (RFC 8259) in one pass that reports the members of a top-level object
// without building anything: what the message parser needs, at a fraction of the cost of a SAX
// parse (which was over half of the server's CPU when relaying). Accepts exactly the texts
// nlohmann::json accepts, a leading UTF-8 byte order mark included, with one deliberate
// exception: nlohmann takes a NUL byte for the end of the text and accepts "{}\0junk", which is
// refused here as trailing garbage. The fuzzer checks the rest.
#pragma once

#include <string>
#include <string_view>

namespace cieloweb::signaling {

enum class JsonKind { string, number, object, array, literal };

struct JsonMember {
  std::string_view key;  // as written between the quotes, escapes not decoded
  bool key_escaped = false;
  JsonKind kind = JsonKind::literal;
  std::string_view value;  // the value's text as sent; for a string, what is between the quotes
  bool value_escaped = false;
};

class JsonScanner {
 public:
  virtual ~JsonScanner() = default;

  // Whether `text` is one JSON value with nothing but whitespace around it, every string
  // well-formed UTF-8 with valid escapes (paired surrogates). Reports each member of a top-level
  // object in order, duplicates included. Nesting deeper than max_depth_supported is refused:
  // callers bound the depth beforehand (json_depth).
  bool scan(std::string_view text);
  bool top_is_object() const { return top_is_object_; }

  static constexpr int max_depth_supported = 256;

 protected:
  virtual void on_top_member(const JsonMember& member) = 0;

 private:
  bool value(int depth, JsonKind& kind, bool& escaped);
  bool object(int depth);
  bool array(int depth);
  bool string(bool& escaped);
  bool number();
  bool literal(std::string_view word);
  bool hex4(unsigned& out);
  void skip_whitespace();

  const char* p_ = nullptr;
  const char* end_ = nullptr;
  bool top_is_object_ = false;
};

// The contents of a JSON string already validated by JsonScanner (`raw`: between the quotes),
// with its escapes decoded to UTF-8.
std::string decode_json_string(std::string_view raw);

}  // namespace cieloweb::signaling
