#include "agent/commands/x509_svid_output.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/pretty_print.h"
#include "common/go_quote.h"
#include "config/duration.h"
#include "crypto/certificate.h"
#include "crypto/key.h"
#include "crypto/pem.h"
#include "spiffe/spiffe_id.h"
#include "x509/x509_bundle_source.h"
#include "x509/x509_svid.h"
#include "x509/x509_verify.h"

namespace spire::agent::commands {
namespace {

Result<std::vector<crypto::X509Shared>> parseCerts(const std::string& der) {
  return crypto::parseCertificatesDer(der);
}

Result<X509SvidView> parseSvidEntry(const X509SVID& entry) {
  Result<std::vector<crypto::X509Shared>> certificates = parseCerts(entry.x509_svid());
  if (!certificates) {
    return certificates.status();
  }
  if (certificates->empty()) {
    return invalidArgument("no certificates found");
  }
  Result<crypto::EvpPkeyPtr> key = crypto::parsePkcs8PrivateKeyDer(entry.x509_svid_key());
  if (!key) {
    return invalidArgument("failed to parse private key: " + key.status().message());
  }
  Result<std::vector<crypto::X509Shared>> bundle = parseCerts(entry.bundle());
  if (!bundle) {
    return invalidArgument("failed to parse trust bundle: " + bundle.status().message());
  }
  if (bundle->empty()) {
    return invalidArgument("no certificates in trust bundle");
  }
  X509SvidView view;
  view.spiffe_id = entry.spiffe_id();
  view.hint = entry.hint();
  view.certificates = std::move(*certificates);
  view.private_key = std::move(*key);
  view.bundle = std::move(*bundle);
  return view;
}

Status validateView(const X509SvidView& view) {
  Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(view.spiffe_id);
  if (!id) {
    return id.status();
  }
  x509::X509BundleSet bundles({x509::X509Bundle(id->trustDomain(), view.bundle)});
  Result<x509::VerifiedX509Svid> verified =
      x509::verifyX509Svid(view.certificates, &bundles, std::chrono::system_clock::now());
  if (!verified) {
    return invalidArgument(goQuote(view.spiffe_id) + " SVID failed verification against bundle: " +
                           verified.status().message());
  }
  return {};
}

std::string timeText(crypto::TimePoint at) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  return cli::goTimeString(seconds, cli::TimeZoneChoice::kUtc);
}

void printValidity(std::ostream& out, const std::string& label, const X509& cert) {
  out << label << " Valid After:\t" << timeText(crypto::notBefore(cert)) << "\n";
  out << label << " Valid Until:\t" << timeText(crypto::notAfter(cert)) << "\n";
}

void printSvid(std::ostream& out, const X509SvidView& svid) {
  // The SPIFFE ID first, so that a failure further down still says which SVID it was.
  out << "SPIFFE ID:\t\t" << svid.spiffe_id << "\n";
  if (!svid.hint.empty()) {
    out << "Hint:\t\t\t" << svid.hint << "\n";
  }
  out << "SVID Valid After:\t" << timeText(crypto::notBefore(*svid.certificates.front())) << "\n";
  out << "SVID Valid Until:\t" << timeText(crypto::notAfter(*svid.certificates.front())) << "\n";
  for (std::size_t i = 1; i < svid.certificates.size(); ++i) {
    printValidity(out, "Intermediate #" + std::to_string(i), *svid.certificates[i]);
  }
  for (std::size_t i = 0; i < svid.bundle.size(); ++i) {
    printValidity(out, "CA #" + std::to_string(i + 1), *svid.bundle[i]);
  }
}

std::string goErrnoText(int error) {
  std::string text = std::strerror(error);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

// os.OpenFile(O_WRONLY|O_CREATE|O_TRUNC, mode) + Write, as SPIRE's diskutil. The mode is forced
// on an existing file too, so a key never stays readable from an earlier, laxer write.
Status writeFile(const std::string& path, const std::string& data, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return {StatusCode::kInternal, "open " + path + ": " + goErrnoText(errno)};
  }
  Status status;
  if (::fchmod(fd, mode) != 0) {
    status = {StatusCode::kInternal, "chmod " + path + ": " + goErrnoText(errno)};
  }
  std::size_t written = 0;
  while (status.isOk() && written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      status = {StatusCode::kInternal, "write " + path + ": " + goErrnoText(errno)};
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 && status.isOk()) {
    status = {StatusCode::kInternal, "close " + path + ": " + goErrnoText(errno)};
  }
  return status;
}

// Go's path.Clean.
std::string goPathClean(const std::string& path) {
  if (path.empty()) {
    return ".";
  }
  const bool rooted = path.front() == '/';
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t end = path.find('/', i);
    if (end == std::string::npos) {
      end = path.size();
    }
    const std::string part = path.substr(i, end - i);
    i = end + 1;
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t k = 0; k < parts.size(); ++k) {
    out += (k == 0 ? "" : "/") + parts[k];
  }
  return out.empty() ? "." : out;
}

} // namespace

std::string goPathJoin(const std::string& dir, const std::string& name) {
  if (dir.empty()) {
    return goPathClean(name);
  }
  return goPathClean(dir + "/" + name);
}

Result<std::vector<X509SvidView>> parseAndValidateX509SvidResponse(const X509SVIDResponse& resp) {
  if (resp.svids().empty()) {
    return invalidArgument("workload response contains no svids");
  }
  std::map<std::string, std::vector<crypto::X509Shared>> federated;
  for (const auto& [td, der] : resp.federated_bundles()) {
    Result<std::vector<crypto::X509Shared>> certs = parseCerts(der);
    if (!certs) {
      return invalidArgument("failed to parse bundle for federated domain " + goQuote(td) + ": " +
                             certs.status().message());
    }
    if (certs->empty()) {
      return invalidArgument("no certificates in bundle for federated domain " + goQuote(td));
    }
    federated[td] = std::move(*certs);
  }
  std::vector<X509SvidView> svids;
  for (int i = 0; i < resp.svids_size(); ++i) {
    const X509SVID& entry = resp.svids(i);
    Result<X509SvidView> view = parseSvidEntry(entry);
    if (!view) {
      return invalidArgument("failed to parse svid entry " + std::to_string(i) + " for spiffe id " +
                             goQuote(entry.spiffe_id()) + ": " + view.status().message());
    }
    view->federated_bundles = federated;
    svids.push_back(std::move(*view));
  }
  for (const X509SvidView& svid : svids) {
    if (Status valid = validateView(svid); !valid.isOk()) {
      return valid;
    }
  }
  return svids;
}

Result<std::vector<X509SvidView>> x509ContextViews(const X509SVIDResponse& resp) {
  if (resp.svids().empty()) {
    return invalidArgument("no SVIDs in response");
  }
  std::vector<x509::X509Svid> parsed;
  std::set<std::string> hints;
  for (const X509SVID& entry : resp.svids()) {
    // With several SVIDs of one hint, the first is taken (Workload API spec).
    if (!entry.hint().empty() && !hints.insert(entry.hint()).second) {
      continue;
    }
    Result<x509::X509Svid> svid =
        x509::X509Svid::parseDer(entry.x509_svid(), entry.x509_svid_key());
    if (!svid) {
      return svid.status();
    }
    parsed.push_back(std::move(*svid));
  }
  // The bundle set: each SVID entry's bundle under its trust domain, then the federated ones;
  // a later bundle of the same trust domain replaces an earlier one (x509bundle.NewSet).
  std::map<std::string, std::vector<crypto::X509Shared>> bundles;
  auto add_bundle = [&](const std::string& id, const std::string& der) -> Status {
    Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(id);
    if (!td) {
      return td.status();
    }
    Result<std::vector<crypto::X509Shared>> certs = parseCerts(der);
    if (!certs) {
      return certs.status();
    }
    bundles[td->name()] = std::move(*certs);
    return {};
  };
  for (const X509SVID& entry : resp.svids()) {
    if (Status added = add_bundle(entry.spiffe_id(), entry.bundle()); !added.isOk()) {
      return added;
    }
  }
  for (const auto& [id, der] : resp.federated_bundles()) {
    if (Status added = add_bundle(id, der); !added.isOk()) {
      return added;
    }
  }
  std::vector<X509SvidView> views;
  for (x509::X509Svid& svid : parsed) {
    X509SvidView view;
    view.spiffe_id = svid.id.toString();
    view.certificates = svid.certificates;
    view.private_key = std::move(svid.private_key);
    for (const auto& [td, certs] : bundles) {
      if (td == svid.id.trustDomain().name()) {
        view.bundle = certs;
      } else {
        view.federated_bundles[td] = certs;
      }
    }
    views.push_back(std::move(view));
  }
  return views;
}

void printX509SvidResponse(std::ostream& out, const std::vector<X509SvidView>& svids,
                           std::chrono::nanoseconds response_time) {
  out << "Received " << svids.size() << (svids.size() == 1 ? " svid" : " svids") << " after "
      << config::formatGoDuration(response_time) << "\n";
  for (const X509SvidView& svid : svids) {
    out << "\n";
    printSvid(out, svid);
    for (const auto& [td, certs] : svid.federated_bundles) {
      for (std::size_t i = 0; i < certs.size(); ++i) {
        printValidity(out, "[" + td + "] CA #" + std::to_string(i + 1), *certs[i]);
      }
    }
  }
  out << "\n";
}

Status writeX509Svids(std::ostream& out, const std::string& dir,
                      const std::vector<X509SvidView>& svids) {
  for (std::size_t i = 0; i < svids.size(); ++i) {
    const X509SvidView& svid = svids[i];
    const std::string n = std::to_string(i);
    const std::string svid_path = goPathJoin(dir, "svid." + n + ".pem");
    const std::string key_path = goPathJoin(dir, "svid." + n + ".key");
    const std::string bundle_path = goPathJoin(dir, "bundle." + n + ".pem");

    out << "Writing SVID #" << n << " to file " << svid_path << ".\n";
    if (Status s = writeFile(svid_path, crypto::certificatesToPem(svid.certificates), 0644);
        !s.isOk()) {
      return s;
    }
    out << "Writing key #" << n << " to file " << key_path << ".\n";
    Result<std::string> key = crypto::marshalPkcs8PrivateKeyDer(*svid.private_key);
    if (!key) {
      return key.status();
    }
    if (Status s = writeFile(key_path, crypto::encodePem("PRIVATE KEY", *key), 0600); !s.isOk()) {
      return s;
    }
    out << "Writing bundle #" << n << " to file " << bundle_path << ".\n";
    if (Status s = writeFile(bundle_path, crypto::certificatesToPem(svid.bundle), 0644);
        !s.isOk()) {
      return s;
    }
    std::size_t j = 0;
    for (const auto& [td, certs] : svid.federated_bundles) {
      const std::string path =
          goPathJoin(dir, "federated_bundle." + n + "." + std::to_string(j) + ".pem");
      out << "Writing federated bundle #" << j << " for trust domain " << td << " to file " << path
          << ".\n";
      if (Status s = writeFile(path, crypto::certificatesToPem(certs), 0644); !s.isOk()) {
        return s;
      }
      ++j;
    }
  }
  return {};
}

} // namespace spire::agent::commands
