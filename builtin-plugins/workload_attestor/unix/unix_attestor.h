#pragma once

// WorkloadAttestor "unix": selector values from /proc/<pid>, as SPIRE's unix attestor on Linux.
//   uid:<effective uid>, user:<name>, gid:<effective gid>, group:<name>,
//   supplementary_gid:<gid> and supplementary_group:<name> for each entry of "Groups:",
//   and with discover_workload_path: path:<exe path>, sha256:<hex of the binary>.
// Names are emitted only when the id resolves (getpwuid_r/getgrgid_r), as in SPIRE.
//
// THREADS: attest() may run concurrently; configuration is swapped under a mutex.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/status.h"

namespace spire::builtin::workload_attestor {

struct UnixAttestorConfig {
  bool discover_workload_path = false;
  // 0 = no limit, < 0 = never hash (SPIRE's semantics).
  int64_t workload_size_limit = 0;
};

class UnixAttestor {
public:
  // proc_root is "/proc" unless HOST_PROC is set (SPIRE honours the same variable).
  UnixAttestor();
  explicit UnixAttestor(std::string proc_root) : proc_root_(std::move(proc_root)) {}

  static Result<UnixAttestorConfig> parseConfig(std::string_view json_config);
  Status configure(std::string_view json_config);

  Result<std::vector<std::string>> attest(int32_t pid) const;

  // The uid/gid/groups lines of a /proc/<pid>/status text (exposed for tests).
  struct ProcStatus {
    std::vector<std::string> uids;
    std::vector<std::string> gids;
    std::vector<std::string> groups;
  };
  static ProcStatus parseStatus(std::string_view text);

private:
  std::string proc_root_;
  mutable std::mutex mu_;
  std::optional<UnixAttestorConfig> config_;
};

} // namespace spire::builtin::workload_attestor
