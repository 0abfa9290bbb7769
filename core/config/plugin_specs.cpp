#include "config/plugin_specs.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/parse.h"

namespace spire::config {
namespace {

// Compact JSON text. Strings were checked for UTF-8 first; `replace` only keeps dump() from
// throwing should that check ever miss something.
std::string dumpJson(const Value& value) {
  return value.toJson().dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Merges every occurrence of plugin_data into one object, entries in order.
bool collectData(BlockReader& body, Value& merged) {
  std::vector<const ObjectEntry*> entries = body.take("plugin_data");
  if (entries.empty()) {
    return false;
  }
  Value::Object all;
  for (const ObjectEntry* entry : entries) {
    const Value& value = entry->value;
    if (value.isObject()) {
      all.insert(all.end(), value.asObject().begin(), value.asObject().end());
    } else if (value.isList() && value.asList().empty()) {
      // HCL1 writes an empty object as []: nothing to merge.
    } else {
      body.context().addError(joinPath(body.path(), "plugin_data") + ": expected a block, got " +
                              value.describe() + " at " + value.position().toString());
    }
  }
  merged = Value::makeObject(std::move(all), entries.front()->value.position());
  return true;
}

Result<std::string> readDataFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kInvalidArgument,
                  "unable to read " + quote(path) + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void decodeOne(BlockReader& body, const std::string& type, const std::string& name,
               const SourcePosition& position, const std::string& base_dir, PluginSpec& spec) {
  spec.type = type;
  spec.name = name;
  spec.position = position;
  body.readString("plugin_cmd", spec.plugin_cmd);
  body.readStringList("plugin_args", spec.plugin_args);
  body.readString("plugin_checksum", spec.plugin_checksum);
  body.readBool("enabled", spec.enabled);
  Value data;
  bool has_data = collectData(body, data);
  bool has_file = body.readString("plugin_data_file", spec.plugin_data_file);
  if (has_data && has_file) {
    body.fail("plugin_data_file", "only one of plugin_data or plugin_data_file can be set");
  } else if (has_data) {
    if (const SourcePosition* bad = data.findInvalidUtf8()) {
      body.context().addError(joinPath(body.path(), "plugin_data") +
                              ": string is not valid UTF-8 at " + bad->toString());
    } else {
      spec.data_json = dumpJson(data);
    }
  } else if (has_file) {
    std::filesystem::path file(spec.plugin_data_file);
    if (file.is_relative() && !base_dir.empty()) {
      file = std::filesystem::path(base_dir) / file;
    }
    Result<std::string> text = readDataFile(file.string());
    if (!text.isOk()) {
      body.fail("plugin_data_file", text.status().message());
    } else {
      Result<Value> parsed = parseConfigText(text.value(), file.string());
      if (!parsed.isOk()) {
        body.context().addError(parsed.status().message());
      } else if (const SourcePosition* bad = parsed->findInvalidUtf8()) {
        body.context().addError(joinPath(body.path(), "plugin_data_file") +
                                ": string is not valid UTF-8 at " + bad->toString());
      } else {
        spec.data_json = dumpJson(parsed.value());
      }
    }
  }
  body.finish();
}

} // namespace

void decodePlugins(BlockReader& plugins, const std::string& base_dir, PluginSpecs& out) {
  for (const ObjectEntry* type_entry : plugins.takeAll()) {
    const std::string& type = type_entry->key;
    std::string type_path = joinPath(plugins.path(), type);
    std::vector<const Value*> containers;
    const Value& value = type_entry->value;
    if (value.isObject()) {
      containers.push_back(&value);
    } else if (value.isList()) {
      for (const auto& item : value.asList()) {
        if (item.isObject()) {
          containers.push_back(&item);
        } else {
          plugins.context().addError(type_path + ": expected a plugin block, got " +
                                     item.describe() + " at " + item.position().toString());
        }
      }
    } else {
      plugins.context().addError(type_path + ": expected a plugin block, got " + value.describe() +
                                 " at " + value.position().toString());
    }
    for (const Value* container : containers) {
      for (const auto& name_entry : container->asObject()) {
        std::string path = labelPath(type_path, name_entry.key);
        std::vector<const Value*> bodies;
        if (name_entry.value.isObject()) {
          bodies.push_back(&name_entry.value);
        } else if (name_entry.value.isList()) {
          for (const auto& item : name_entry.value.asList()) {
            if (item.isObject()) {
              bodies.push_back(&item);
            }
          }
        }
        if (bodies.empty()) {
          plugins.context().addError(path + ": expected a plugin block, got " +
                                     name_entry.value.describe() + " at " +
                                     name_entry.value.position().toString());
          continue;
        }
        bool duplicate = false;
        for (const auto& existing : out) {
          if (existing.type == type && existing.name == name_entry.key) {
            plugins.context().addError(
                "plugin " + type + " " + quote(name_entry.key) + " declared more than once, at " +
                existing.position.toString() + " and " + type_entry->key_position.toString());
            duplicate = true;
          }
        }
        if (duplicate) {
          continue;
        }
        // The header `NodeAttestor "x" {` starts at the type; JSON may list several names under
        // one type key, where the name's own position is the precise one.
        const SourcePosition& position =
            container->asObject().size() == 1 ? type_entry->key_position : name_entry.key_position;
        BlockReader body(plugins.context(), path, bodies);
        PluginSpec spec;
        decodeOne(body, type, name_entry.key, position, base_dir, spec);
        out.push_back(std::move(spec));
      }
    }
  }
}

} // namespace spire::config
