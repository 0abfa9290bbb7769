#include "shared/config_json.h"

#include <algorithm>

namespace spire::builtin {

namespace {

Status wrongType(const std::string& key, const char* want) {
  return invalidArgument("configuration key \"" + key + "\" must be " + want);
}

} // namespace

Result<ConfigObject> ConfigObject::parse(std::string_view json_text,
                                         const std::vector<std::string>& known_keys) {
  if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return ConfigObject(nlohmann::json::object());
  }
  nlohmann::json parsed = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return invalidArgument("unable to decode configuration: not valid JSON");
  }
  if (!parsed.is_object()) {
    return invalidArgument("unable to decode configuration: not a JSON object");
  }
  for (const auto& item : parsed.items()) {
    if (std::find(known_keys.begin(), known_keys.end(), item.key()) == known_keys.end()) {
      return invalidArgument("unknown configuration key \"" + item.key() + "\"");
    }
  }
  return ConfigObject(std::move(parsed));
}

bool ConfigObject::has(const std::string& key) const {
  return object_.contains(key) && !object_.at(key).is_null();
}

Result<std::optional<std::string>> ConfigObject::getString(const std::string& key) const {
  if (!has(key)) {
    return std::optional<std::string>();
  }
  const auto& v = object_.at(key);
  if (!v.is_string()) {
    return wrongType(key, "a string");
  }
  return std::optional<std::string>(v.get<std::string>());
}

Result<std::optional<bool>> ConfigObject::getBool(const std::string& key) const {
  if (!has(key)) {
    return std::optional<bool>();
  }
  const auto& v = object_.at(key);
  if (!v.is_boolean()) {
    return wrongType(key, "a boolean");
  }
  return std::optional<bool>(v.get<bool>());
}

Result<std::optional<int64_t>> ConfigObject::getInt(const std::string& key) const {
  if (!has(key)) {
    return std::optional<int64_t>();
  }
  const auto& v = object_.at(key);
  if (!v.is_number_integer()) {
    return wrongType(key, "an integer");
  }
  return std::optional<int64_t>(v.get<int64_t>());
}

Result<std::optional<std::vector<std::string>>>
ConfigObject::getStringList(const std::string& key) const {
  if (!has(key)) {
    return std::optional<std::vector<std::string>>();
  }
  const auto& v = object_.at(key);
  if (!v.is_array()) {
    return wrongType(key, "a list of strings");
  }
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string()) {
      return wrongType(key, "a list of strings");
    }
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

} // namespace spire::builtin
