#include "config/decoder.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <tuple>

namespace spire::config {
namespace {

// Go's strconv.ParseInt(s, 0, 64): optional sign, then 0x/0o/0b prefixes or a leading-0 octal.
bool parseGoInt(const std::string& text, std::int64_t& out) {
  if (text.empty()) {
    return false;
  }
  std::size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  std::string digits = text.substr(i);
  int base = 10;
  if (digits.size() > 1 && digits[0] == '0') {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(digits[1])));
    if (p == 'x') {
      base = 16;
      digits = digits.substr(2);
    } else if (p == 'o') {
      base = 8;
      digits = digits.substr(2);
    } else if (p == 'b') {
      base = 2;
      digits = digits.substr(2);
    } else {
      base = 8;
    }
  }
  if (digits.empty()) {
    return false;
  }
  for (char c : digits) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long magnitude = std::strtoull(digits.c_str(), &end, base);
  if (errno == ERANGE || end == nullptr || *end != '\0') {
    return false;
  }
  bool negative = text[0] == '-';
  if (magnitude > (negative ? 9223372036854775808ULL : 9223372036854775807ULL)) {
    return false;
  }
  out = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
  return true;
}

} // namespace

void DecodeContext::addUnknown(std::string path, SourcePosition position) {
  unknown_.emplace_back(std::move(path), std::move(position));
}

void DecodeContext::addError(std::string message) {
  errors_.push_back(std::move(message));
}

Status DecodeContext::status() const {
  std::vector<std::string> parts;
  if (!unknown_.empty()) {
    // Nested blocks finish before their parents; report in file order instead.
    auto unknown = unknown_;
    std::stable_sort(unknown.begin(), unknown.end(), [](const auto& a, const auto& b) {
      return std::tie(a.second.file, a.second.line, a.second.column) <
             std::tie(b.second.file, b.second.line, b.second.column);
    });
    std::string text = "unknown configuration detected: ";
    for (std::size_t i = 0; i < unknown.size(); ++i) {
      if (i > 0) {
        text += ", ";
      }
      text += quote(unknown[i].first) + " at " + unknown[i].second.toString();
    }
    parts.push_back(std::move(text));
  }
  parts.insert(parts.end(), errors_.begin(), errors_.end());
  if (parts.empty()) {
    return Status::ok();
  }
  std::string message;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    message += (i > 0 ? "; " : "") + parts[i];
  }
  return invalidArgument(std::move(message));
}

std::string joinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) {
    return std::string(key);
  }
  return std::string(parent) + "." + std::string(key);
}

std::string labelPath(std::string_view parent, std::string_view label) {
  return std::string(parent) + "[" + quote(label) + "]";
}

bool keyEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

BlockReader::BlockReader(DecodeContext& context, std::string path,
                         std::vector<const Value*> objects)
    : context_(&context), path_(std::move(path)) {
  if (!objects.empty()) {
    position_ = objects.front()->position();
  }
  for (const Value* object : objects) {
    for (const auto& entry : object->asObject()) {
      entries_.push_back(&entry);
    }
  }
  used_.assign(entries_.size(), false);
}

std::vector<const ObjectEntry*> BlockReader::take(std::string_view key) {
  std::vector<const ObjectEntry*> found;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (keyEquals(entries_[i]->key, key)) {
      used_[i] = true;
      found.push_back(entries_[i]);
    }
  }
  return found;
}

std::vector<const ObjectEntry*> BlockReader::takeAll() {
  used_.assign(entries_.size(), true);
  return entries_;
}

const Value* BlockReader::lastValue(std::string_view key) {
  std::vector<const ObjectEntry*> found = take(key);
  return found.empty() ? nullptr : &found.back()->value;
}

SourcePosition BlockReader::positionOf(std::string_view key) const {
  const ObjectEntry* found = nullptr;
  for (const ObjectEntry* entry : entries_) {
    if (keyEquals(entry->key, key)) {
      found = entry;
    }
  }
  return found != nullptr ? found->value.position() : position_;
}

void BlockReader::fail(std::string_view key, const std::string& problem) {
  context_->addError(joinPath(path_, key) + ": " + problem + " at " + positionOf(key).toString());
}

void BlockReader::failBlock(const std::string& problem) {
  context_->addError(path_ + ": " + problem + " at " + position_.toString());
}

void BlockReader::typeError(std::string_view key, const Value& value, std::string_view expected) {
  context_->addError(joinPath(path_, key) + ": expected " + std::string(expected) + ", got " +
                     value.describe() + " at " + value.position().toString());
}

bool BlockReader::readString(std::string_view key, std::string& out) {
  const Value* value = lastValue(key);
  if (value == nullptr) {
    return false;
  }
  // HCL1 decodes a number into a string field as the number's text (`port = 8081` -> "8081").
  if (value->isString() || value->isNumber()) {
    out = value->text();
    return true;
  }
  typeError(key, *value, "a string");
  return false;
}

bool BlockReader::readInt(std::string_view key, std::int64_t& out) {
  const Value* value = lastValue(key);
  if (value == nullptr) {
    return false;
  }
  if (value->isInteger()) {
    out = value->asInteger();
    return true;
  }
  // HCL1 parses a string into an int field with strconv.ParseInt(s, 0, 0): bind_port = "8081".
  if (value->isString() && parseGoInt(value->text(), out)) {
    return true;
  }
  typeError(key, *value, value->isNumber() ? "an integer" : "a number");
  return false;
}

bool BlockReader::readPort(std::string_view key, int& out) {
  std::int64_t value = 0;
  if (!readInt(key, value)) {
    return false;
  }
  if (value < 0 || value > 65535) {
    fail(key, "port " + std::to_string(value) + " is out of range 0-65535");
    return false;
  }
  out = static_cast<int>(value);
  return true;
}

bool BlockReader::readBool(std::string_view key, bool& out) {
  const Value* value = lastValue(key);
  if (value == nullptr) {
    return false;
  }
  // HCL1 accepts only a bool literal here, not "true" in quotes.
  if (value->isBool()) {
    out = value->asBool();
    return true;
  }
  typeError(key, *value, "a bool");
  return false;
}

bool BlockReader::readOptionalBool(std::string_view key, std::optional<bool>& out) {
  bool value = false;
  if (!readBool(key, value)) {
    return false;
  }
  out = value;
  return true;
}

bool BlockReader::readDuration(std::string_view key, Duration& out) {
  const Value* value = lastValue(key);
  if (value == nullptr) {
    return false;
  }
  if (!value->isString() && !value->isNumber()) {
    typeError(key, *value, "a duration string");
    return false;
  }
  Result<Duration> parsed = parseGoDuration(value->text());
  if (!parsed.isOk()) {
    context_->addError(joinPath(path_, key) + ": could not parse " + quote(value->text()) + ": " +
                       parsed.status().message() + " at " + value->position().toString());
    return false;
  }
  out = parsed.value();
  return true;
}

bool BlockReader::readOptionalDuration(std::string_view key, std::optional<Duration>& out) {
  Duration value{};
  if (!readDuration(key, value)) {
    return false;
  }
  out = value;
  return true;
}

bool BlockReader::readStringList(std::string_view key, std::vector<std::string>& out) {
  const Value* value = lastValue(key);
  if (value == nullptr) {
    return false;
  }
  if (!value->isList()) {
    typeError(key, *value, "a list of strings");
    return false;
  }
  std::vector<std::string> items;
  for (const auto& item : value->asList()) {
    if (!item.isString() && !item.isNumber()) {
      context_->addError(joinPath(path_, key) + ": expected a list of strings, got " +
                         item.describe() + " in the list at " + item.position().toString());
      return false;
    }
    items.push_back(item.text());
  }
  out = std::move(items);
  return true;
}

std::vector<const Value*> BlockReader::objectsOf(std::string_view key,
                                                 const std::vector<const ObjectEntry*>& entries) {
  std::vector<const Value*> objects;
  for (const ObjectEntry* entry : entries) {
    const Value& value = entry->value;
    if (value.isObject()) {
      objects.push_back(&value);
    } else if (value.isList()) {
      for (const auto& item : value.asList()) {
        if (item.isObject()) {
          objects.push_back(&item);
        } else {
          typeError(key, item, "a block");
        }
      }
    } else {
      typeError(key, value, "a block");
    }
  }
  return objects;
}

std::optional<BlockReader> BlockReader::block(std::string_view key) {
  std::vector<const ObjectEntry*> entries = take(key);
  if (entries.empty()) {
    return std::nullopt;
  }
  std::vector<const Value*> objects = objectsOf(key, entries);
  if (objects.empty()) {
    return std::nullopt;
  }
  return BlockReader(*context_, joinPath(path_, key), std::move(objects));
}

std::vector<BlockReader> BlockReader::blockList(std::string_view key) {
  std::vector<BlockReader> blocks;
  for (const Value* object : objectsOf(key, take(key))) {
    blocks.emplace_back(*context_, joinPath(path_, key), std::vector<const Value*>{object});
  }
  return blocks;
}

std::vector<LabelledBlock> BlockReader::labelledBlocks(std::string_view key) {
  std::vector<LabelledBlock> result;
  std::string base = joinPath(path_, key);
  for (const Value* container : objectsOf(key, take(key))) {
    for (const auto& entry : container->asObject()) {
      std::string path = labelPath(base, entry.key);
      std::vector<const Value*> bodies;
      if (entry.value.isObject()) {
        bodies.push_back(&entry.value);
      } else if (entry.value.isList() && !entry.value.asList().empty()) {
        for (const auto& item : entry.value.asList()) {
          if (item.isObject()) {
            bodies.push_back(&item);
          }
        }
      }
      if (bodies.empty()) {
        context_->addError(path + ": expected a block, got " + entry.value.describe() + " at " +
                           entry.value.position().toString());
        continue;
      }
      result.push_back(LabelledBlock{entry.key, entry.key_position,
                                     BlockReader(*context_, std::move(path), std::move(bodies))});
    }
  }
  return result;
}

void BlockReader::finish() {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (!used_[i]) {
      context_->addUnknown(joinPath(path_, entries_[i]->key), entries_[i]->key_position);
    }
  }
}

} // namespace spire::config
