#pragma once

// Plugin configuration arrives as JSON text (the host normalises HCL plugin_data to JSON). These
// helpers parse it into an object, reject keys the plugin does not know (a typo must not be
// silently ignored), and read typed values with precise errors.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/status.h"

namespace spire::builtin {

class ConfigObject {
public:
  // Empty text is an empty object. Errors are InvalidArgument.
  static Result<ConfigObject> parse(std::string_view json_text,
                                    const std::vector<std::string>& known_keys);

  bool has(const std::string& key) const;
  // Each returns nullopt when the key is absent, an error when its type is wrong.
  Result<std::optional<std::string>> getString(const std::string& key) const;
  Result<std::optional<bool>> getBool(const std::string& key) const;
  Result<std::optional<int64_t>> getInt(const std::string& key) const;
  Result<std::optional<std::vector<std::string>>> getStringList(const std::string& key) const;

private:
  explicit ConfigObject(nlohmann::json object) : object_(std::move(object)) {}
  nlohmann::json object_;
};

} // namespace spire::builtin
