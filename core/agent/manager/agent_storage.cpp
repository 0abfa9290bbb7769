#include "agent/manager/agent_storage.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/manager/agent_manager.h"
#include "crypto/key.h"

namespace spire::agent::manager {

std::string AgentStorage::path(const char* file) const {
  return (std::filesystem::path(data_dir_) / file).string();
}

Result<std::optional<std::string>> AgentStorage::read(const char* file) const {
  const std::string full = path(file);
  std::ifstream in(full, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) {
      return std::optional<std::string>();
    }
    return internalError("unable to read " + full + ": " + std::strerror(errno));
  }
  std::ostringstream data;
  data << in.rdbuf();
  return std::optional<std::string>(data.str());
}

Status AgentStorage::write(const char* file, const std::string& data, bool secret) const {
  std::error_code ec;
  std::filesystem::create_directories(data_dir_, ec);
  if (ec) {
    return internalError("unable to create data directory " + data_dir_ + ": " + ec.message());
  }
  const std::string full = path(file);
  const std::string temp = full + ".tmp";
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0) {
    return internalError("unable to write " + full + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const std::string reason = std::strerror(errno);
      ::close(fd);
      return internalError("unable to write " + full + ": " + reason);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return internalError("unable to write " + full + ": " + std::strerror(errno));
  }
  if (::rename(temp.c_str(), full.c_str()) != 0) {
    return internalError("unable to write " + full + ": " + std::strerror(errno));
  }
  return Status::ok();
}

namespace {

Result<std::optional<std::vector<crypto::X509Shared>>>
parseChainFile(const Result<std::optional<std::string>>& data, const std::string& full) {
  if (!data) {
    return data.status();
  }
  if (!data->has_value()) {
    return std::optional<std::vector<crypto::X509Shared>>();
  }
  Result<std::vector<crypto::X509Shared>> certs = crypto::parseCertificatesDer(**data);
  if (!certs || certs->empty()) {
    return invalidArgument("malformed certificates in " + full);
  }
  return std::optional<std::vector<crypto::X509Shared>>(std::move(*certs));
}

} // namespace

Result<std::optional<std::vector<crypto::X509Shared>>> AgentStorage::loadBundle() const {
  return parseChainFile(read(kBundleFile), path(kBundleFile));
}

Status AgentStorage::storeBundle(const std::vector<crypto::X509Shared>& authorities) const {
  return write(kBundleFile, crypto::certificatesToDer(authorities), false);
}

Result<std::optional<std::vector<crypto::X509Shared>>> AgentStorage::loadSvid() const {
  return parseChainFile(read(kAgentSvidFile), path(kAgentSvidFile));
}

Status AgentStorage::storeSvid(const std::vector<crypto::X509Shared>& chain) const {
  return write(kAgentSvidFile, crypto::certificatesToDer(chain), false);
}

Result<std::optional<crypto::EvpPkeyPtr>> AgentStorage::loadKey() const {
  Result<std::optional<std::string>> data = read(kAgentKeyFile);
  if (!data) {
    return data.status();
  }
  if (!data->has_value()) {
    return std::optional<crypto::EvpPkeyPtr>();
  }
  Result<crypto::EvpPkeyPtr> key = crypto::parsePkcs8PrivateKeyDer(**data);
  if (!key) {
    return invalidArgument("malformed key in " + path(kAgentKeyFile));
  }
  return std::optional<crypto::EvpPkeyPtr>(std::move(*key));
}

Status AgentStorage::storeKey(const EVP_PKEY& key) const {
  Result<std::string> der = crypto::marshalPkcs8PrivateKeyDer(key);
  if (!der) {
    return der.status();
  }
  return write(kAgentKeyFile, *der, true);
}

void AgentStorage::deleteSvid() const {
  std::error_code ec;
  std::filesystem::remove(path(kAgentSvidFile), ec);
  std::filesystem::remove(path(kAgentKeyFile), ec);
}

} // namespace spire::agent::manager
