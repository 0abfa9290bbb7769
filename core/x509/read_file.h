#pragma once

// Whole-file reads for the Load functions (go-spiffe's x509svid.Load / x509bundle.Load).

#include <string>

#include "common/status.h"

namespace spire::x509 {

// The file's bytes. Errors carry errno's text: NotFound for a missing file, Internal otherwise.
Result<std::string> readWholeFile(const std::string& path);

} // namespace spire::x509
