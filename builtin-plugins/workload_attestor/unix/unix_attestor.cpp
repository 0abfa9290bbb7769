#include "workload_attestor/unix/unix_attestor.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "shared/config_json.h"
#include "shared/crypto_util.h"
#include "shared/file_util.h"
#include "shared/ossl.h"

namespace spire::builtin::workload_attestor {

namespace {

std::vector<std::string> fields(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      ++i;
    }
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
      ++i;
    }
    if (i > start) {
      out.emplace_back(text.substr(start, i - start));
    }
  }
  return out;
}

std::optional<std::string> userName(const std::string& uid_text) {
  char* end = nullptr;
  unsigned long uid = std::strtoul(uid_text.c_str(), &end, 10);
  if (end == uid_text.c_str() || *end != '\0') {
    return std::nullopt;
  }
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  return std::string(found->pw_name);
}

std::optional<std::string> groupName(const std::string& gid_text) {
  char* end = nullptr;
  unsigned long gid = std::strtoul(gid_text.c_str(), &end, 10);
  if (end == gid_text.c_str() || *end != '\0') {
    return std::nullopt;
  }
  std::vector<char> buf(65536);
  group gr{};
  group* found = nullptr;
  if (getgrgid_r(static_cast<gid_t>(gid), &gr, buf.data(), buf.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  return std::string(found->gr_name);
}

// SPIRE takes the effective id: the second field of "Uid:"/"Gid:" (real, effective, saved, fs).
Result<std::string> effectiveId(const std::vector<std::string>& ids, const char* what) {
  if (ids.empty()) {
    return internalError(std::string(what) + " lookup: no " + what + " for process");
  }
  return ids.size() == 1 ? ids[0] : ids[1];
}

Result<std::string> sha256OfFile(const std::string& path, int64_t limit) {
  const std::string prefix = "SHA256 digest: ";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return internalError(prefix + "open " + path + ": " + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (limit > 0) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      return internalError(prefix + "stat " + path + ": " + std::strerror(errno));
    }
    if (st.st_size > limit) {
      return internalError(prefix + "workload " + path + " exceeds size limit (" +
                           std::to_string(st.st_size) + " > " + std::to_string(limit) + ")");
    }
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::array<char, 65536> buf{};
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return internalError(prefix + "read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) {
      break;
    }
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), out.data(), &len);
  return hexEncode(std::string_view(reinterpret_cast<const char*>(out.data()), len));
}

} // namespace

UnixAttestor::UnixAttestor() {
  const char* host_proc = std::getenv("HOST_PROC");
  proc_root_ = host_proc != nullptr && *host_proc != '\0' ? host_proc : "/proc";
}

Result<UnixAttestorConfig> UnixAttestor::parseConfig(std::string_view json_config) {
  auto config = ConfigObject::parse(json_config, {"discover_workload_path", "workload_size_limit"});
  if (!config) {
    return config.status();
  }
  UnixAttestorConfig out;
  auto discover = config->getBool("discover_workload_path");
  if (!discover) {
    return discover.status();
  }
  out.discover_workload_path = discover->value_or(false);
  auto limit = config->getInt("workload_size_limit");
  if (!limit) {
    return limit.status();
  }
  out.workload_size_limit = limit->value_or(0);
  return out;
}

Status UnixAttestor::configure(std::string_view json_config) {
  auto config = parseConfig(json_config);
  if (!config) {
    return config.status();
  }
  std::lock_guard lock(mu_);
  config_ = *config;
  return okStatus();
}

UnixAttestor::ProcStatus UnixAttestor::parseStatus(std::string_view text) {
  ProcStatus out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    if (key == "Uid") {
      out.uids = fields(value);
    } else if (key == "Gid") {
      out.gids = fields(value);
    } else if (key == "Groups") {
      out.groups = fields(value);
    }
  }
  return out;
}

Result<std::vector<std::string>> UnixAttestor::attest(int32_t pid) const {
  UnixAttestorConfig config;
  {
    std::lock_guard lock(mu_);
    if (!config_) {
      return failedPrecondition("not configured");
    }
    config = *config_;
  }
  if (pid <= 0) {
    return invalidArgument("invalid pid " + std::to_string(pid));
  }
  const std::string proc_dir = proc_root_ + "/" + std::to_string(pid);
  auto status_text = readFile(proc_dir + "/status");
  if (!status_text) {
    if (status_text.status().code() == Code::kNotFound) {
      // NOT_FOUND rather than SPIRE's INTERNAL: the ABI reserves it for a vanished process.
      return notFound("failed to get process: process " + std::to_string(pid) + " does not exist");
    }
    return status_text.status().withPrefix("failed to get process");
  }
  ProcStatus st = parseStatus(*status_text);

  std::vector<std::string> selectors;
  auto uid = effectiveId(st.uids, "UIDs");
  if (!uid) {
    return uid.status();
  }
  selectors.push_back("uid:" + *uid);
  if (auto name = userName(*uid)) {
    selectors.push_back("user:" + *name);
  }
  auto gid = effectiveId(st.gids, "GIDs");
  if (!gid) {
    return gid.status();
  }
  selectors.push_back("gid:" + *gid);
  if (auto name = groupName(*gid)) {
    selectors.push_back("group:" + *name);
  }
  for (const auto& sgid : st.groups) {
    selectors.push_back("supplementary_gid:" + sgid);
    if (auto name = groupName(sgid)) {
      selectors.push_back("supplementary_group:" + *name);
    }
  }

  if (config.discover_workload_path) {
    const std::string exe_link = proc_dir + "/exe";
    std::array<char, PATH_MAX> target{};
    ssize_t n = ::readlink(exe_link.c_str(), target.data(), target.size() - 1);
    if (n < 0) {
      return internalError("path lookup: readlink " + exe_link + ": " + std::strerror(errno));
    }
    selectors.push_back("path:" + std::string(target.data(), static_cast<size_t>(n)));
    if (config.workload_size_limit >= 0) {
      // Hash through /proc/<pid>/exe rather than the path: it names the very file the process
      // runs, even inside another mount namespace or after the path was replaced.
      auto digest = sha256OfFile(exe_link, config.workload_size_limit);
      if (!digest) {
        return digest.status();
      }
      selectors.push_back("sha256:" + *digest);
    }
  }
  return selectors;
}

} // namespace spire::builtin::workload_attestor
