#pragma once
// SPIRE's api.MakeErr (pkg/server/api/status.go): how a service turns a failure into the status
// the caller sees and the line the server logs. The rules decide which texts callers get, so
// they are kept exactly:
//   InvalidArgument  message "<msg>: <cause>" (just "<msg>" without a cause), logged as
//                    "Invalid argument: <msg>"
//   NotFound         message "<msg>" only (the cause is neither returned nor logged)
//   anything else    message "<msg>: <cause>", logged as "<Msg>" (first letter capitalised)
// The agent and SVID services share it (the agent service links this library).
#include <cctype>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "common/status.h"

namespace spire::server::api {

inline Status makeError(spdlog::logger& log, StatusCode code, std::string_view msg,
                        std::string_view cause = {}) {
  std::string message(msg);
  if (code == StatusCode::kInvalidArgument) {
    if (!cause.empty()) {
      message.append(": ").append(cause);
    }
    log.error("Invalid argument: {}{}{}", msg, cause.empty() ? "" : ": ", cause);
    return Status(code, std::move(message));
  }
  std::string logged(msg);
  if (!logged.empty()) {
    logged[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(logged[0])));
  }
  if (code == StatusCode::kNotFound) {
    log.error("{}", logged);
    return Status(code, std::move(message));
  }
  if (!cause.empty()) {
    message.append(": ").append(cause);
  }
  log.error("{}{}{}", logged, cause.empty() ? "" : ": ", cause);
  return Status(code, std::move(message));
}

// The same with the cause taken from a failed Status (its message; its code is not kept, as
// SPIRE's concatErr keeps only the message).
inline Status makeError(spdlog::logger& log, StatusCode code, std::string_view msg,
                        const Status& cause) {
  return makeError(log, code, msg, std::string_view(cause.message()));
}

} // namespace spire::server::api
