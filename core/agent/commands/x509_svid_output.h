#pragma once

// What `api fetch x509` and `api watch` do with an X509SVIDResponse in pretty mode: turn it into
// SVID views (two ways, as SPIRE has two: the fetch command's own parser and go-spiffe's
// X509Context used by watch), print them as SPIRE's printer.go does, and write them to files as
// `-write DIR` does.

#include <chrono>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/openssl_ptr.h"
#include "spiffe/workload/workload.pb.h"

namespace spire::agent::commands {

struct X509SvidView {
  std::string spiffe_id;
  std::string hint;
  std::vector<crypto::X509Shared> certificates; // leaf first
  crypto::EvpPkeyPtr private_key;
  std::vector<crypto::X509Shared> bundle;
  // Trust domain ID string -> authorities; std::map so output and file numbering are sorted
  // (SPIRE ranges over a Go map, i.e. in no particular order).
  std::map<std::string, std::vector<crypto::X509Shared>> federated_bundles;
};

// fetch_x509.go parseAndValidateX509SVIDResponse, with its messages (InvalidArgument):
//   "workload response contains no svids"
//   "failed to parse bundle for federated domain "<td>": <why>"
//   "no certificates in bundle for federated domain "<td>""
//   "failed to parse svid entry <i> for spiffe id "<id>": <why>" where why is the certificate
//     parse error, "no certificates found", "failed to parse private key: <why>",
//     "failed to parse trust bundle: <why>" or "no certificates in trust bundle"
//   the SPIFFE ID parse error, or ""<id>" SVID failed verification against bundle: <why>".
Result<std::vector<X509SvidView>> parseAndValidateX509SvidResponse(const X509SVIDResponse& resp);

// go-spiffe's parseX509Context as `api watch` sees it: SVIDs via x509svid.ParseRaw (the first of
// several with one hint kept), each given the bundle of its own trust domain and every other
// bundle of the response as federated. Errors: "no SVIDs in response", x509svid's and the trust
// domain / certificate parse errors.
Result<std::vector<X509SvidView>> x509ContextViews(const X509SVIDResponse& resp);

// printer.go printX509SVIDResponse: "Received N svid(s) after <Go duration>", then per SVID a
// blank line and its SPIFFE ID, hint, validity of leaf, intermediates, CAs and federated CAs;
// a blank line at the end. Times print as Go's time.Time in UTC.
void printX509SvidResponse(std::ostream& out, const std::vector<X509SvidView>& svids,
                           std::chrono::nanoseconds response_time);

// fetch_x509.go writeResponse: svid.<i>.pem and bundle.<i>.pem (0644), svid.<i>.key (PKCS#8,
// 0600), federated_bundle.<i>.<j>.pem (0644), announcing each on `out` first. Errors are Go's
// os.OpenFile texts ("open <path>: no such file or directory").
Status writeX509Svids(std::ostream& out, const std::string& dir,
                      const std::vector<X509SvidView>& svids);

// Go's path.Join: the elements joined with "/" and the result cleaned (path.Clean).
std::string goPathJoin(const std::string& dir, const std::string& name);

} // namespace spire::agent::commands
