// spire-server x509 mint and jwt mint (SPIRE's cmd/spire-server/cli/x509 and cli/jwt).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <chrono>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "common/encoding.h"
#include "common/go_quote.h"
#include "crypto/certificate.h"
#include "crypto/csr.h"
#include "crypto/key.h"
#include "crypto/pem.h"
#include "server/commands/client_connection.h"
#include "server/commands/command_groups.h"
#include "server/commands/entry_util.h"
#include "server/commands/proto_json.h"
#include "spire/api/server/bundle/v1/bundle.grpc.pb.h"
#include "spire/api/server/svid/v1/svid.grpc.pb.h"

namespace spire::server::commands {
namespace {

namespace bundlev1 = ::spire::api::server::bundle::v1;
namespace svidv1 = ::spire::api::server::svid::v1;
using cli::Env;
using cli::ParsedFlags;

bool jsonOutput(const ParsedFlags& flags) {
  return flags.outputFormat() == "json";
}

// ttlToSeconds: the -ttl duration in whole seconds, rounded up.
std::int32_t ttlSeconds(const ParsedFlags& flags) {
  const auto ttl = flags.getDuration("ttl");
  return static_cast<std::int32_t>((ttl + std::chrono::seconds(1) - std::chrono::nanoseconds(1)) /
                                   std::chrono::seconds(1));
}

// time.Until(eol) < ttl, to the nanosecond as Go compares it.
bool cappedBelowTtl(std::int64_t eol_epoch, const ParsedFlags& flags) {
  const auto eol = std::chrono::system_clock::time_point(std::chrono::seconds(eol_epoch));
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             eol - std::chrono::system_clock::now()) < flags.getDuration("ttl");
}

// Go's filepath.Join as env.JoinPath uses it: joined and cleaned ("./out/" + "svid.pem" is
// "out/svid.pem").
std::string goJoin(const std::filesystem::path& dir, const std::string& name = {}) {
  std::string out = (name.empty() ? dir : dir / name).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') {
    out.pop_back();
  }
  return out.empty() ? "." : out;
}

// time.Time.UTC().Format(time.RFC3339).
std::string rfc3339(std::int64_t epoch) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// Go's lower-case errno texts for the errors writing a file gives.
std::string errnoText(int err) {
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

// diskutil's WritePrivateFile (0600) / WritePubliclyReadableFile (0644); errors in Go's
// *PathError form ("open <path>: <why>").
Status writeFile(const std::string& path, const std::string& data, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return invalidArgument("open " + path + ": " + errnoText(errno));
  }
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      ::close(fd);
      return invalidArgument("write " + path + ": " + errnoText(err));
    }
    written += static_cast<std::size_t>(n);
  }
  // The mode given to open() is filtered by the umask; set it exactly.
  if (::fchmod(fd, mode) != 0) {
    const int err = errno;
    ::close(fd);
    return invalidArgument("chmod " + path + ": " + errnoText(err));
  }
  ::close(fd);
  return Status::ok();
}

Status runX509Mint(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  const std::string& spiffe_id = flags.getString("spiffeID");
  if (spiffe_id.empty()) {
    return commandError("spiffeID must be specified");
  }
  if (auto id = idStringToProto(spiffe_id); !id) {
    return commandError(id.status().message());
  }
  auto key = crypto::generateKey(crypto::KeyType::kEcP256);
  if (!key) {
    return commandError("unable to generate key: " + key.status().message());
  }
  crypto::CsrTemplate tmpl;
  tmpl.uri_sans.push_back(spiffe_id);
  tmpl.dns_sans = flags.getStrings("dns");
  auto csr = crypto::createCsr(tmpl, **key);
  if (!csr) {
    return commandError("unable to generate CSR: " + csr.status().message());
  }
  svidv1::MintX509SVIDRequest req;
  req.set_csr(crypto::csrToDer(**csr));
  req.set_ttl(ttlSeconds(flags));
  svidv1::MintX509SVIDResponse resp;
  {
    grpc::ClientContext ctx;
    const grpc::Status st = svidv1::SVID::NewStub(conn.channel())->MintX509SVID(&ctx, req, &resp);
    if (!st.ok()) {
      return conn.failure(st, "unable to mint SVID");
    }
  }
  if (resp.svid().cert_chain_size() == 0) {
    return commandError("server response missing SVID chain");
  }
  types::Bundle bundle;
  {
    grpc::ClientContext ctx;
    const grpc::Status st = bundlev1::Bundle::NewStub(conn.channel())
                                ->GetBundle(&ctx, bundlev1::GetBundleRequest(), &bundle);
    if (!st.ok()) {
      return conn.failure(st, "unable to get bundle");
    }
  }
  if (bundle.x509_authorities_size() == 0) {
    return commandError("server response missing X509 Authorities");
  }
  if (cappedBelowTtl(resp.svid().expires_at(), flags)) {
    env.err << "X509-SVID lifetime was capped shorter than specified ttl; expires "
            << goQuote(rfc3339(resp.svid().expires_at())) << "\n";
  }
  auto key_der = crypto::marshalPkcs8PrivateKeyDer(**key);
  if (!key_der) {
    return commandError("unable to marshal private key: " + key_der.status().message());
  }
  std::string svid_pem;
  for (const auto& der : resp.svid().cert_chain()) {
    svid_pem += crypto::encodePem("CERTIFICATE", der);
  }
  const std::string key_pem = crypto::encodePem("PRIVATE KEY", *key_der);
  std::string bundle_pem;
  for (const auto& authority : bundle.x509_authorities()) {
    bundle_pem += crypto::encodePem("CERTIFICATE", authority.asn1());
  }
  const std::string& dir = flags.getString("write");
  if (dir.empty()) {
    if (jsonOutput(flags)) {
      nlohmann::ordered_json doc;
      doc["x509_svid"] = nlohmann::ordered_json::array();
      for (const auto& der : resp.svid().cert_chain()) {
        doc["x509_svid"].push_back(base64Encode(der));
      }
      doc["private_key"] = base64Encode(*key_der);
      doc["root_cas"] = nlohmann::ordered_json::array();
      for (const auto& authority : bundle.x509_authorities()) {
        doc["root_cas"].push_back(base64Encode(authority.asn1()));
      }
      // cliprinter's PrintStruct hands its variadic slice on as one value: an array.
      cli::printJson(env.out, nlohmann::ordered_json::array({doc}));
      return Status::ok();
    }
    env.out << "X509-SVID:\n" << svid_pem << "\n";
    env.out << "Private key:\n" << key_pem << "\n";
    env.out << "Root CAs:\n" << bundle_pem << "\n";
    return Status::ok();
  }
  const std::string svid_path = goJoin(dir, "svid.pem");
  const std::string key_path = goJoin(dir, "key.pem");
  const std::string bundle_path = goJoin(dir, "bundle.pem");
  if (Status st = writeFile(svid_path, svid_pem, 0644); !st.isOk()) {
    return commandError("unable to write SVID: " + st.message());
  }
  env.out << "X509-SVID written to " << svid_path << "\n";
  if (Status st = writeFile(key_path, key_pem, 0600); !st.isOk()) {
    return commandError("unable to write key: " + st.message());
  }
  env.out << "Private key written to " << key_path << "\n";
  if (Status st = writeFile(bundle_path, bundle_pem, 0644); !st.isOk()) {
    return commandError("unable to write bundle: " + st.message());
  }
  env.out << "Root CAs written to " << bundle_path << "\n";
  return Status::ok();
}

// The "exp" claim of a compact JWS, read without verification as go-jose's
// UnsafeClaimsWithoutVerification does; the error is go-jose's where we know it.
Result<std::int64_t> tokenExpiry(const std::string& token) {
  const auto first = token.find('.');
  const auto second = first == std::string::npos ? first : token.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos ||
      token.find('.', second + 1) != std::string::npos) {
    return invalidArgument("go-jose/go-jose: compact JWS format must have three parts");
  }
  auto payload = base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) {
    return invalidArgument("illegal base64 data in JWS payload");
  }
  auto claims = nlohmann::json::parse(*payload, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) {
    return invalidArgument("go-jose/go-jose/jwt: error in cryptographic primitive");
  }
  if (!claims.contains("exp") || claims["exp"].is_null()) {
    return invalidArgument("no expiry claim");
  }
  if (!claims["exp"].is_number()) {
    return invalidArgument("json: cannot unmarshal into NumericDate");
  }
  return static_cast<std::int64_t>(claims["exp"].get<double>());
}

Status runJwtMint(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  const std::string& spiffe_id = flags.getString("spiffeID");
  if (spiffe_id.empty()) {
    return commandError("spiffeID must be specified");
  }
  if (flags.getStrings("audience").empty()) {
    return commandError("at least one audience must be specified");
  }
  auto id = idStringToProto(spiffe_id);
  if (!id) {
    return commandError(id.status().message());
  }
  svidv1::MintJWTSVIDRequest req;
  *req.mutable_id() = *id;
  for (const auto& audience : flags.getStrings("audience")) {
    req.add_audience(audience);
  }
  req.set_ttl(ttlSeconds(flags));
  svidv1::MintJWTSVIDResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status st = svidv1::SVID::NewStub(conn.channel())->MintJWTSVID(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st, "unable to mint SVID");
  }
  const std::string& token = resp.svid().token();
  if (token.empty()) {
    return commandError("server response missing token");
  }
  const auto expiry = tokenExpiry(token);
  if (!expiry) {
    // SPIRE only warns: the token is still printed or written.
    env.err << "Unable to determine JWT-SVID lifetime: " << expiry.status().message() << "\n";
  } else if (cappedBelowTtl(*expiry, flags)) {
    env.err << "JWT-SVID lifetime was capped shorter than specified ttl; expires "
            << goQuote(rfc3339(*expiry)) << "\n";
  }
  if (const auto& write = flags.getString("write"); !write.empty()) {
    const std::string path = goJoin(write);
    if (Status st = writeFile(path, token, 0600); !st.isOk()) {
      return commandError("unable to write token: " + st.message());
    }
    env.out << "JWT-SVID written to " << path << "\n";
    return Status::ok();
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  env.out << token << "\n";
  return Status::ok();
}

} // namespace

CommandList mintCommands() {
  return {{"x509 mint", runX509Mint}, {"jwt mint", runJwtMint}};
}

} // namespace spire::server::commands
