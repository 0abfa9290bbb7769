#include "config/value.h"

#include "common/go_quote.h"

#include <cstdio>
#include <map>
#include <utility>

namespace spire::config {

Value Value::makeNull(SourcePosition pos) {
  Value v;
  v.kind_ = ValueKind::kNull;
  v.position_ = std::move(pos);
  return v;
}

Value Value::makeBool(bool value, SourcePosition pos) {
  Value v;
  v.kind_ = ValueKind::kBool;
  v.bool_ = value;
  v.text_ = value ? "true" : "false";
  v.position_ = std::move(pos);
  return v;
}

Value Value::makeInteger(std::int64_t value, std::string text, SourcePosition pos) {
  Value v;
  v.kind_ = ValueKind::kNumber;
  v.is_integer_ = true;
  v.integer_ = value;
  v.text_ = std::move(text);
  v.position_ = std::move(pos);
  return v;
}

Value Value::makeFloat(double value, std::string text, SourcePosition pos) {
  Value v;
  v.kind_ = ValueKind::kNumber;
  v.is_integer_ = false;
  v.float_ = value;
  v.text_ = std::move(text);
  v.position_ = std::move(pos);
  return v;
}

Value Value::makeString(std::string value, SourcePosition pos) {
  Value v;
  v.kind_ = ValueKind::kString;
  v.text_ = std::move(value);
  v.position_ = std::move(pos);
  return v;
}

Value Value::makeList(List items, SourcePosition pos) {
  Value v;
  v.kind_ = ValueKind::kList;
  v.list_ = std::move(items);
  v.position_ = std::move(pos);
  return v;
}

Value Value::makeObject(Object entries, SourcePosition pos) {
  Value v;
  v.kind_ = ValueKind::kObject;
  v.object_ = std::move(entries);
  v.position_ = std::move(pos);
  return v;
}

const Value* Value::find(std::string_view key) const {
  const Value* found = nullptr;
  for (const auto& entry : object_) {
    if (entry.key == key) {
      found = &entry.value;
    }
  }
  return found;
}

std::string_view Value::typeName() const {
  switch (kind_) {
  case ValueKind::kNull:
    return "null";
  case ValueKind::kBool:
    return "bool";
  case ValueKind::kNumber:
    return "number";
  case ValueKind::kString:
    return "string";
  case ValueKind::kList:
    return "list";
  case ValueKind::kObject:
    return "object";
  }
  return "null";
}

std::string Value::describe() const {
  switch (kind_) {
  case ValueKind::kBool:
  case ValueKind::kNumber:
    return std::string(typeName()) + " " + text_;
  case ValueKind::kString:
    return "string " + quote(text_);
  default:
    return std::string(typeName());
  }
}

nlohmann::ordered_json Value::toJson() const {
  switch (kind_) {
  case ValueKind::kNull:
    return nullptr;
  case ValueKind::kBool:
    return bool_;
  case ValueKind::kNumber:
    if (is_integer_) {
      return integer_;
    }
    return float_;
  case ValueKind::kString:
    return text_;
  case ValueKind::kList: {
    auto out = nlohmann::ordered_json::array();
    for (const auto& item : list_) {
      out.push_back(item.toJson());
    }
    return out;
  }
  case ValueKind::kObject: {
    // Count first so that a repeated key becomes one array placed where the key first appeared.
    std::map<std::string_view, int> counts;
    for (const auto& entry : object_) {
      ++counts[entry.key];
    }
    auto out = nlohmann::ordered_json::object();
    for (const auto& entry : object_) {
      if (counts[entry.key] == 1) {
        out[entry.key] = entry.value.toJson();
        continue;
      }
      auto& slot = out[entry.key];
      if (slot.is_null()) {
        slot = nlohmann::ordered_json::array();
      }
      slot.push_back(entry.value.toJson());
    }
    return out;
  }
  }
  return nullptr;
}

const SourcePosition* Value::findInvalidUtf8() const {
  switch (kind_) {
  case ValueKind::kString:
    return isValidUtf8(text_) ? nullptr : &position_;
  case ValueKind::kList:
    for (const auto& item : list_) {
      if (const SourcePosition* bad = item.findInvalidUtf8()) {
        return bad;
      }
    }
    return nullptr;
  case ValueKind::kObject:
    for (const auto& entry : object_) {
      if (!isValidUtf8(entry.key)) {
        return &entry.key_position;
      }
      if (const SourcePosition* bad = entry.value.findInvalidUtf8()) {
        return bad;
      }
    }
    return nullptr;
  default:
    return nullptr;
  }
}

bool isValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (next & 0x3F);
    }
    static const std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

bool Value::sameAs(const Value& other) const {
  if (kind_ != other.kind_) {
    return false;
  }
  switch (kind_) {
  case ValueKind::kNull:
    return true;
  case ValueKind::kBool:
    return bool_ == other.bool_;
  case ValueKind::kNumber:
    if (is_integer_ && other.is_integer_) {
      return integer_ == other.integer_;
    }
    return asDouble() == other.asDouble();
  case ValueKind::kString:
    return text_ == other.text_;
  case ValueKind::kList:
    if (list_.size() != other.list_.size()) {
      return false;
    }
    for (std::size_t i = 0; i < list_.size(); ++i) {
      if (!list_[i].sameAs(other.list_[i])) {
        return false;
      }
    }
    return true;
  case ValueKind::kObject:
    if (object_.size() != other.object_.size()) {
      return false;
    }
    for (std::size_t i = 0; i < object_.size(); ++i) {
      if (object_[i].key != other.object_[i].key ||
          !object_[i].value.sameAs(other.object_[i].value)) {
        return false;
      }
    }
    return true;
  }
  return false;
}

std::string quote(std::string_view text) {
  return goQuote(text);
}

} // namespace spire::config
