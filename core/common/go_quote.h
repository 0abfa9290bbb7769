#pragma once

// Go's %q quoting. SPIRE and go-spiffe put %q-quoted values in their error messages (IDs, trust
// domains, audiences, flag values), so matching their texts byte for byte needs Go's exact rules.

#include <string>
#include <string_view>
#include <vector>

namespace spire {

// Go's strconv.Quote (what fmt's %q prints for a string): printable ASCII as is, quote and
// backslash escaped, the usual \n \t ... escapes, other control bytes and invalid UTF-8 as
// \xNN. Valid non-ASCII UTF-8 sequences are copied unchanged.
std::string goQuote(std::string_view text);

// fmt's %q on a []string: ["a" "b"]; an empty list prints as [].
std::string goQuoteList(const std::vector<std::string>& items);

} // namespace spire
