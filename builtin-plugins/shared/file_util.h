#pragma once

#include <string>

#include "shared/status.h"

namespace spire::builtin {

// The whole file. NotFound when it does not exist, Internal on any other error.
Result<std::string> readFile(const std::string& path);

// Replaces `path` with `data` so that a reader sees either the old or the new content, never a
// mix, even across a crash: write a temp file (mode 0600) in the same directory, fsync it,
// rename it over `path`, then fsync the directory so the rename itself is durable.
Status writeFileAtomic(const std::string& path, const std::string& data);

} // namespace spire::builtin
