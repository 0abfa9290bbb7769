#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/plugin_config.h"

namespace spire::config {

struct ObjectEntry;

enum class ValueKind { kNull, kBool, kNumber, kString, kList, kObject };

// One node of a parsed configuration file. HCL and JSON files both parse into this tree, so the
// typed decoders never care which syntax a file used. Objects keep their entries in file order and
// keep repeated keys as separate entries (HCL1 allows `WorkloadAttestor "a" {}` twice); the
// decoders and toJson() decide how repeats combine. Every value and key carries where it was
// written.
class Value {
public:
  using List = std::vector<Value>;
  using Object = std::vector<ObjectEntry>;

  Value() = default;
  static Value makeNull(SourcePosition pos);
  static Value makeBool(bool value, SourcePosition pos);
  static Value makeInteger(std::int64_t value, std::string text, SourcePosition pos);
  static Value makeFloat(double value, std::string text, SourcePosition pos);
  static Value makeString(std::string value, SourcePosition pos);
  static Value makeList(List items, SourcePosition pos);
  static Value makeObject(Object entries, SourcePosition pos);

  ValueKind kind() const { return kind_; }
  const SourcePosition& position() const { return position_; }

  bool isNull() const { return kind_ == ValueKind::kNull; }
  bool isBool() const { return kind_ == ValueKind::kBool; }
  bool isNumber() const { return kind_ == ValueKind::kNumber; }
  bool isInteger() const { return kind_ == ValueKind::kNumber && is_integer_; }
  bool isString() const { return kind_ == ValueKind::kString; }
  bool isList() const { return kind_ == ValueKind::kList; }
  bool isObject() const { return kind_ == ValueKind::kObject; }

  bool asBool() const { return bool_; }
  std::int64_t asInteger() const { return integer_; }
  double asDouble() const { return is_integer_ ? static_cast<double>(integer_) : float_; }
  // The number as written in the file ("0x1F", "1.50"), or the string's decoded text.
  const std::string& text() const { return text_; }
  const List& asList() const { return list_; }
  const Object& asObject() const { return object_; }
  Object& mutableObject() { return object_; }

  // The last entry whose key equals `key` exactly (later entries win, as in HCL1), or nullptr.
  const Value* find(std::string_view key) const;

  // "string", "number", "bool", "list", "object" or "null".
  std::string_view typeName() const;
  // For error messages: `string "abc"`, `number 12`, `bool true`, `list`, `object`, `null`.
  std::string describe() const;

  // JSON rendering, entries in file order. A key repeated in one object becomes one JSON array of
  // its values in order, which is how HCL1 merges repeated blocks.
  nlohmann::ordered_json toJson() const;

  // Position of the first string or key (in file order) that is not valid UTF-8, or nullptr.
  // JSON output needs UTF-8; HCL's \x escapes and raw bytes can produce anything.
  const SourcePosition* findInvalidUtf8() const;

  // Structural equality that ignores source positions and number spelling.
  bool sameAs(const Value& other) const;

private:
  ValueKind kind_ = ValueKind::kNull;
  SourcePosition position_;
  bool bool_ = false;
  bool is_integer_ = false;
  std::int64_t integer_ = 0;
  double float_ = 0;
  std::string text_;
  List list_;
  Object object_;
};

struct ObjectEntry {
  std::string key;
  SourcePosition key_position;
  Value value;
};

// Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view text);

// Quotes a string for messages exactly as Go's %q does: "a\"b".
std::string quote(std::string_view text);

} // namespace spire::config
