#include "plugin_host/loader.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include <boost/dll/shared_library.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "plugin_host/plugin_checksum.h"

#ifndef SPIRE_DEFAULT_PLUGIN_DIR
#define SPIRE_DEFAULT_PLUGIN_DIR "/usr/local/lib/spire-cpp/plugins"
#endif

namespace spire::plugin_host {
namespace {

Status loadError(const std::string& prefix, std::string message,
                 StatusCode code = StatusCode::kFailedPrecondition) {
  return Status(code, prefix + ": " + message);
}

std::string quoted(const std::filesystem::path& p) {
  return "\"" + p.string() + "\"";
}

// Closes a file descriptor on scope exit.
class Fd {
public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Keeps the descriptor open for the life of the process.
  void keepOpen() { fd_ = -1; }

private:
  int fd_;
};

// Libraries stay loaded until the process exits: a plugin's code must never disappear under a
// pointer the daemon still holds (descriptors, vtables, threads). Keyed by (device, inode) so the
// same file configured twice is loaded once.
class LibraryRegistry {
public:
  static LibraryRegistry& instance() {
    static auto* registry = new LibraryRegistry(); // intentionally never destroyed
    return *registry;
  }

  // The already loaded library for this file, or loads it from the open descriptor.
  // On success the descriptor is kept open for good: glibc recognises already loaded objects by
  // the name passed to dlopen, so "/proc/self/fd/N" must never name another file later, which
  // holds only while fd N stays taken (the library is never unloaded anyway).
  Result<boost::dll::shared_library*> load(Fd& fd, const struct stat& st,
                                           const std::filesystem::path& path,
                                           const std::string& prefix) {
    std::lock_guard lock(mu_);
    auto key = std::make_pair(st.st_dev, st.st_ino);
    if (auto it = libraries_.find(key); it != libraries_.end()) {
      return it->second.get();
    }
    auto lib = std::make_unique<boost::dll::shared_library>();
    boost::dll::fs::error_code ec;
    // Loading through /proc/self/fd/N maps exactly the file that was hashed: nothing can swap
    // the path's target between the checksum and the dlopen.
    std::string fd_path = "/proc/self/fd/" + std::to_string(fd.get());
    ::dlerror();
    lib->load(fd_path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
    if (ec || !lib->is_loaded()) {
      const char* why = ::dlerror();
      return loadError(prefix, "cannot load plugin " + quoted(path) + ": " +
                                   (why != nullptr ? std::string(why) : ec.message()));
    }
    boost::dll::shared_library* raw = lib.get();
    libraries_.emplace(key, std::move(lib));
    fd.keepOpen();
    return raw;
  }

private:
  std::mutex mu_;
  std::map<std::pair<dev_t, ino_t>, std::unique_ptr<boost::dll::shared_library>> libraries_;
};

bool validPluginName(const char* name) {
  if (name == nullptr || *name == '\0') {
    return false;
  }
  for (const char* p = name; *p != '\0'; ++p) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              (c >= 'A' && c <= 'Z');
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string supportedRange(std::uint32_t lo, std::uint32_t hi) {
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

// The smallest descriptor ABI v1 allows: up to and including vtable_size.
constexpr std::size_t kMinDescriptorSize =
    offsetof(spire_plugin_descriptor, vtable_size) + sizeof(std::uint32_t);

struct Negotiated {
  std::uint32_t abi_version = 0;
  const spire_plugin_descriptor* descriptor = nullptr;
};

// Steps "entry symbol" and "negotiate".
Result<Negotiated> negotiate(boost::dll::shared_library& lib, const std::filesystem::path& path,
                             spire_plugin_type requested, const LoaderOptions& options,
                             const std::string& prefix) {
  if (!lib.has(SPIRE_PLUGIN_ENTRY_SYMBOL)) {
    return loadError(prefix, "not a spire-cpp plugin " + quoted(path) + ": no entry symbol " +
                                 SPIRE_PLUGIN_ENTRY_SYMBOL +
                                 " (build it with spire_add_plugin from the plugin SDK)");
  }
  auto entry = lib.get<std::remove_pointer_t<spire_plugin_entry_fn>>(SPIRE_PLUGIN_ENTRY_SYMBOL);
  spire_plugin_query query{};
  query.struct_size = sizeof(query);
  query.abi_min = options.abi_min;
  query.abi_max = options.abi_max;
  query.requested_type = requested;
  query.api = hostApi();
  Negotiated out;
  out.abi_version = entry(&query, &out.descriptor);
  std::string range = supportedRange(options.abi_min, options.abi_max);
  if (out.abi_version == 0) {
    return loadError(prefix, "plugin " + quoted(path) +
                                 " refused to load: it speaks none of ABI versions " + range);
  }
  if (out.abi_version < options.abi_min || out.abi_version > options.abi_max) {
    return loadError(prefix, "incompatible plugin " + quoted(path) + ": ABI version " +
                                 std::to_string(out.abi_version) + ", this build supports " +
                                 range + " (rebuild it against this release's plugin SDK)");
  }
  if (out.descriptor == nullptr) {
    return loadError(prefix, "malformed plugin " + quoted(path) + ": no descriptor");
  }
  return out;
}

struct CheckedDescriptor {
  PluginInfo info;
  std::vector<unsigned char> vtable; // padded to this build's vtable size
};

// Step "descriptor checks". `requested` 0 accepts any type (plugin info).
Result<CheckedDescriptor> checkDescriptor(const Negotiated& n, const std::filesystem::path& path,
                                          spire_plugin_type requested,
                                          const std::string& expected_name,
                                          const std::string& prefix) {
  const spire_plugin_descriptor& d = *n.descriptor;
  auto malformed = [&](const std::string& why) {
    return loadError(prefix, "malformed plugin " + quoted(path) + ": " + why);
  };
  if (d.struct_size < kMinDescriptorSize) {
    return malformed("descriptor is " + std::to_string(d.struct_size) + " bytes, at least " +
                     std::to_string(kMinDescriptorSize) + " expected");
  }
  if (d.abi_version != n.abi_version) {
    return malformed("descriptor says ABI version " + std::to_string(d.abi_version) +
                     " but the entry point answered " + std::to_string(n.abi_version));
  }
  if (requested != 0 && d.plugin_type != requested) {
    return loadError(prefix, "wrong plugin type: " + quoted(path) + " is a " +
                                 describeType(d.plugin_type) + " plugin, configured as " +
                                 describeType(requested));
  }
  const std::size_t known = knownVtableSize(d.plugin_type);
  if (known == 0) {
    return malformed("unknown plugin type " + std::to_string(d.plugin_type));
  }
  if (!validPluginName(d.name)) {
    return malformed("invalid plugin name (expected [a-zA-Z0-9_-]+)");
  }
  if (!expected_name.empty() && expected_name != d.name) {
    return loadError(prefix, "plugin name mismatch: " + quoted(path) + " is named \"" + d.name +
                                 "\", configured as \"" + expected_name + "\"");
  }
  if (d.create == nullptr) {
    return malformed("required function \"create\" is missing");
  }
  if (d.configure == nullptr) {
    return malformed("required function \"configure\" is missing");
  }
  if (d.vtable == nullptr) {
    return malformed("no vtable");
  }
  if (d.vtable_size < sizeof(std::uint32_t)) {
    return malformed("vtable_size " + std::to_string(d.vtable_size) + " is too small");
  }
  std::uint32_t table_size = 0;
  std::memcpy(&table_size, d.vtable, sizeof(table_size));
  if (table_size != d.vtable_size) {
    return malformed("vtable struct_size " + std::to_string(table_size) +
                     " differs from descriptor vtable_size " + std::to_string(d.vtable_size));
  }
  const auto* bytes = static_cast<const unsigned char*>(d.vtable);
  if (d.vtable_size > known) {
    // A bigger table comes from a newer SDK: fine only if everything we do not know is unset.
    for (std::size_t i = known; i < d.vtable_size; ++i) {
      if (bytes[i] != 0) {
        return loadError(prefix, "incompatible plugin " + quoted(path) + ": its " +
                                     describeType(d.plugin_type) + " table is " +
                                     std::to_string(d.vtable_size) + " bytes and the " +
                                     std::to_string(d.vtable_size - known) +
                                     " bytes this build does not know are not zero "
                                     "(it needs a newer spire-cpp)");
      }
    }
  }
  CheckedDescriptor out;
  out.vtable.assign(known, 0);
  std::memcpy(out.vtable.data(), bytes, std::min<std::size_t>(known, d.vtable_size));
  // The copy keeps our own size in its struct_size field.
  const std::uint32_t known32 = static_cast<std::uint32_t>(known);
  std::memcpy(out.vtable.data(), &known32, sizeof(known32));
  for (const RequiredMethod& m : requiredMethods(d.plugin_type)) {
    void* fn = nullptr;
    std::memcpy(&fn, out.vtable.data() + m.offset, sizeof(fn));
    if (fn == nullptr) {
      return malformed("required method \"" + std::string(m.name) + "\" of the " +
                       describeType(d.plugin_type) + " table is missing");
    }
  }
  PluginInfo& info = out.info;
  info.path = path.string();
  info.abi_version = d.abi_version;
  info.type = d.plugin_type;
  info.flags = d.flags;
  info.name = d.name;
  info.version = d.version != nullptr ? d.version : "";
  info.description = d.description != nullptr ? d.description : "";
  info.vtable_size = d.vtable_size;
  info.has_validate = d.validate != nullptr;
  for (const RequiredMethod& m : allMethods(d.plugin_type)) {
    void* fn = nullptr;
    std::memcpy(&fn, out.vtable.data() + m.offset, sizeof(fn));
    (fn != nullptr ? info.implemented : info.missing).push_back(m.name);
  }
  return out;
}

struct Opened {
  std::unique_ptr<Fd> fd;
  struct stat st {};
};

// Steps "open" and "checksum".
Result<Opened> openAndVerify(const std::filesystem::path& path, const std::string& checksum,
                             const std::string& prefix) {
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    int err = errno;
    return loadError(prefix, "cannot open plugin " + quoted(path) + ": " + std::strerror(err),
                     err == ENOENT ? StatusCode::kNotFound : StatusCode::kFailedPrecondition);
  }
  Opened out;
  out.fd = std::make_unique<Fd>(raw);
  if (::fstat(raw, &out.st) != 0 || !S_ISREG(out.st.st_mode)) {
    return loadError(prefix, "cannot load plugin " + quoted(path) + ": not a regular file");
  }
  if (!checksum.empty()) {
    Status verified = verifyChecksum(raw, checksum);
    if (!verified.isOk()) {
      return loadError(prefix, verified.message() + " for plugin " + quoted(path), verified.code());
    }
  }
  return out;
}

std::string prefixOf(const config::PluginSpec& spec) {
  return spec.type + " \"" + spec.name + "\"";
}

} // namespace

std::filesystem::path defaultPluginDir() {
  if (const char* env = std::getenv("SPIRE_PLUGIN_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return SPIRE_DEFAULT_PLUGIN_DIR;
}

Result<std::filesystem::path> resolvePluginPath(const config::PluginSpec& spec,
                                                const LoaderOptions& options) {
  if (!spec.plugin_cmd.empty()) {
    return std::filesystem::absolute(spec.plugin_cmd);
  }
  std::optional<spire_plugin_type> type = pluginTypeFor(spec.type, options.role);
  if (!type) {
    return Status(StatusCode::kInvalidArgument, prefixOf(spec) + ": unknown plugin type \"" +
                                                    spec.type + "\" for the " +
                                                    std::string(roleName(options.role)));
  }
  std::filesystem::path dir = options.plugin_dir.empty() ? defaultPluginDir() : options.plugin_dir;
  return dir / (std::string(fileStem(*type)) + "_" + spec.name + ".so");
}

Result<LoadedPluginPtr> loadUnconfigured(const config::PluginSpec& spec,
                                         const LoaderOptions& options) {
  const std::string prefix = prefixOf(spec);
  std::optional<spire_plugin_type> type = pluginTypeFor(spec.type, options.role);
  if (!type) {
    return Status(StatusCode::kInvalidArgument, prefix + ": unknown plugin type \"" + spec.type +
                                                    "\" for the " +
                                                    std::string(roleName(options.role)));
  }
  Result<std::filesystem::path> path = resolvePluginPath(spec, options);
  if (!path.isOk()) {
    return path.status();
  }
  Result<Opened> opened = openAndVerify(*path, spec.plugin_checksum, prefix);
  if (!opened.isOk()) {
    return opened.status();
  }
  Result<boost::dll::shared_library*> lib =
      LibraryRegistry::instance().load(*opened->fd, opened->st, *path, prefix);
  if (!lib.isOk()) {
    return lib.status();
  }
  Result<Negotiated> negotiated = negotiate(**lib, *path, *type, options, prefix);
  if (!negotiated.isOk()) {
    return negotiated.status();
  }
  // Built-ins are found by name, so their descriptor must carry that name; an external plugin
  // is named by its configuration block (as in SPIRE).
  const std::string expected_name = spec.plugin_cmd.empty() ? spec.name : std::string();
  Result<CheckedDescriptor> checked =
      checkDescriptor(*negotiated, *path, *type, expected_name, prefix);
  if (!checked.isOk()) {
    return checked.status();
  }
  auto host = std::make_unique<spire_host>();
  host->type_name = spec.type;
  host->plugin_name = spec.name;
  host->logger = options.logger ? options.logger : spdlog::default_logger();
  host->agent_store = options.agent_store;
  auto plugin =
      std::make_shared<LoadedPlugin>(spec.name, std::move(checked->info), negotiated->descriptor,
                                     std::move(checked->vtable), std::move(host));
  if (Status st = plugin->create(); !st.isOk()) {
    return st;
  }
  return plugin;
}

Result<LoadedPluginPtr> loadPlugin(const config::PluginSpec& spec, const LoaderOptions& options) {
  if (!nlohmann::json::accept(spec.data_json) ||
      !nlohmann::json::parse(spec.data_json, nullptr, false).is_object()) {
    return Status(StatusCode::kInvalidArgument,
                  prefixOf(spec) + ": invalid plugin_data: expected a JSON object");
  }
  Result<LoadedPluginPtr> plugin = loadUnconfigured(spec, options);
  if (!plugin.isOk()) {
    return plugin;
  }
  if (Status st = (*plugin)->configure(options.trust_domain, spec.data_json); !st.isOk()) {
    return st;
  }
  return plugin;
}

Result<std::string> pluginInfoText(const std::filesystem::path& path) {
  const std::string prefix = "plugin " + quoted(path);
  Result<Opened> opened = openAndVerify(path, "", prefix);
  if (!opened.isOk()) {
    return opened.status();
  }
  Result<boost::dll::shared_library*> lib =
      LibraryRegistry::instance().load(*opened->fd, opened->st, path, prefix);
  if (!lib.isOk()) {
    return lib.status();
  }
  LoaderOptions options;
  std::ostringstream out;
  out << "file: " << path.string() << "\n";
  const spire_plugin_descriptor* seen[8] = {};
  std::size_t seen_count = 0;
  for (spire_plugin_type t = SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR;
       t <= SPIRE_PLUGIN_TYPE_DATASTORE; ++t) {
    Result<Negotiated> n = negotiate(**lib, path, t, options, prefix);
    if (!n.isOk()) {
      return n.status();
    }
    if (n->descriptor->plugin_type != t) {
      continue;
    }
    bool duplicate = false;
    for (std::size_t i = 0; i < seen_count; ++i) {
      duplicate = duplicate || seen[i] == n->descriptor;
    }
    if (duplicate || seen_count == 8) {
      continue;
    }
    seen[seen_count++] = n->descriptor;
    Result<CheckedDescriptor> checked = checkDescriptor(*n, path, 0, "", prefix);
    if (!checked.isOk()) {
      return checked.status();
    }
    const PluginInfo& info = checked->info;
    out << "plugin:\n"
        << "  type: " << describeType(info.type) << "\n"
        << "  name: " << info.name << "\n"
        << "  version: " << info.version << "\n";
    if (!info.description.empty()) {
      out << "  description: " << info.description << "\n";
    }
    out << "  abi_version: " << info.abi_version << "\n"
        << "  flags: "
        << ((info.flags & SPIRE_PLUGIN_FLAG_SERIALIZE_CALLS) ? "serialize_calls" : "none") << "\n"
        << "  vtable_size: " << info.vtable_size << "\n"
        << "  validate: " << (info.has_validate ? "yes" : "no") << "\n"
        << "  methods:";
    for (const std::string& m : info.implemented) {
      out << " " << m;
    }
    out << "\n";
    if (!info.missing.empty()) {
      out << "  not implemented:";
      for (const std::string& m : info.missing) {
        out << " " << m;
      }
      out << "\n";
    }
  }
  if (seen_count == 0) {
    return loadError(prefix,
                     "malformed plugin " + quoted(path) + ": no descriptor of a known type");
  }
  return out.str();
}

} // namespace spire::plugin_host
