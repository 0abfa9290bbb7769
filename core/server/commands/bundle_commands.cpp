// spire-server bundle show|list|set|delete|count (SPIRE's cmd/spire-server/cli/bundle).
#include <nlohmann/json.hpp>

#include "bundle/spiffe_bundle.h"
#include "cli/output.h"
#include "common/go_quote.h"
#include "crypto/certificate.h"
#include "crypto/key.h"
#include "crypto/pem.h"
#include "jwt/jwk.h"
#include "server/commands/client_connection.h"
#include "server/commands/command_groups.h"
#include "server/commands/entry_util.h"
#include "server/commands/proto_json.h"
#include "spiffe/trust_domain.h"
#include "spire/api/server/bundle/v1/bundle.grpc.pb.h"

namespace spire::server::commands {
namespace {

namespace bundlev1 = ::spire::api::server::bundle::v1;
using cli::Env;
using cli::ParsedFlags;

constexpr char kHeaderLine[] = "****************************************\n";

bool jsonOutput(const ParsedFlags& flags) {
  return flags.outputFormat() == "json";
}

std::string lowerAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

// validateFormat: "" means pem; anything but pem or spiffe (any case) is refused.
Result<std::string> validateFormat(const std::string& format) {
  const std::string lowered = lowerAscii(format.empty() ? "pem" : format);
  if (lowered != "pem" && lowered != "spiffe") {
    return commandError("invalid format: " + goQuote(lowered));
  }
  return lowered;
}

// The SPIFFE bundle document of a bundle proto (bundleFromProto).
Result<bundle::SpiffeBundle> bundleFromProto(const types::Bundle& proto) {
  auto td = spiffe::TrustDomain::parse(proto.trust_domain());
  if (!td) {
    return commandError(td.status().message());
  }
  bundle::SpiffeBundle out(*td);
  std::vector<crypto::X509Shared> certs;
  for (int i = 0; i < proto.x509_authorities_size(); ++i) {
    auto cert = crypto::parseCertificateDer(proto.x509_authorities(i).asn1());
    if (!cert) {
      return commandError("unable to parse root CA " + std::to_string(i) + ": " +
                          cert.status().message());
    }
    certs.emplace_back(std::move(*cert));
  }
  out.setX509Authorities(std::move(certs));
  for (int i = 0; i < proto.jwt_authorities_size(); ++i) {
    const auto& key = proto.jwt_authorities(i);
    auto parsed = crypto::parsePublicKeyDer(key.public_key());
    if (!parsed) {
      return commandError("failed to parse public key: " + parsed.status().message());
    }
    if (Status st = out.addJwtAuthority(key.key_id(), jwt::sharePublicKey(std::move(*parsed)));
        !st.isOk()) {
      return commandError(st.message());
    }
  }
  if (proto.refresh_hint() > 0) {
    out.setRefreshHint(std::chrono::seconds(proto.refresh_hint()));
  }
  if (proto.sequence_number() > 0) {
    out.setSequenceNumber(proto.sequence_number());
  }
  return out;
}

// printBundleWithFormat: PEM certificates, or the SPIFFE document indented by four spaces.
Status printBundleWithFormat(std::ostream& out, const types::Bundle& b, const std::string& format,
                             bool header) {
  auto fmt = validateFormat(format);
  if (!fmt) {
    return fmt.status();
  }
  if (header) {
    out << kHeaderLine << "* " << b.trust_domain() << "\n" << kHeaderLine;
  }
  if (*fmt == "pem") {
    for (const auto& authority : b.x509_authorities()) {
      auto certs = crypto::parseCertificatesDer(authority.asn1());
      if (!certs) {
        return commandError("unable to parse certificates ASN.1 DER data: " +
                            certs.status().message());
      }
      for (const auto& cert : *certs) {
        out << crypto::encodePem("CERTIFICATE", crypto::certificateToDer(*cert));
      }
    }
    return Status::ok();
  }
  auto doc = bundleFromProto(b);
  if (!doc) {
    return doc.status();
  }
  auto compact = doc->marshal();
  if (!compact) {
    return commandError(compact.status().message());
  }
  out << nlohmann::ordered_json::parse(*compact).dump(4) << "\n";
  return Status::ok();
}

Status runShow(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  bundlev1::GetBundleRequest req;
  types::Bundle resp;
  grpc::ClientContext ctx;
  const grpc::Status st = bundlev1::Bundle::NewStub(conn.channel())->GetBundle(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  return printBundleWithFormat(env.out, resp, flags.getString("format"), false);
}

Status runList(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  auto stub = bundlev1::Bundle::NewStub(conn.channel());
  if (const auto& id = flags.getString("id"); !id.empty()) {
    bundlev1::GetFederatedBundleRequest req;
    req.set_trust_domain(id);
    types::Bundle resp;
    grpc::ClientContext ctx;
    const grpc::Status st = stub->GetFederatedBundle(&ctx, req, &resp);
    if (!st.ok()) {
      return conn.failure(st);
    }
    if (jsonOutput(flags)) {
      printProtoJson(env.out, resp);
      return Status::ok();
    }
    return printBundleWithFormat(env.out, resp, flags.getString("format"), false);
  }
  // SPIRE asks once, without a page size: the server then answers with every bundle.
  bundlev1::ListFederatedBundlesRequest req;
  bundlev1::ListFederatedBundlesResponse all;
  {
    grpc::ClientContext ctx;
    const grpc::Status st = stub->ListFederatedBundles(&ctx, req, &all);
    if (!st.ok()) {
      return conn.failure(st);
    }
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, all);
    return Status::ok();
  }
  for (int i = 0; i < all.bundles_size(); ++i) {
    if (i != 0) {
      env.out << "\n";
    }
    if (Status st = printBundleWithFormat(env.out, all.bundles(i), flags.getString("format"), true);
        !st.isOk()) {
      return st;
    }
  }
  return Status::ok();
}

// util.ParseBundle: PEM certificates or a SPIFFE bundle document into the API's bundle.
// PEM keeps -id as given (the server validates it); a SPIFFE document needs a trust domain first.
Result<types::Bundle> parseBundle(const std::string& data, const std::string& format,
                                  const std::string& id) {
  types::Bundle out;
  if (format == "pem") {
    out.set_trust_domain(id);
    auto certs = crypto::parseCertificatesPem(data);
    if (!certs) {
      return commandError("unable to parse bundle data: " + certs.status().message());
    }
    for (const auto& cert : *certs) {
      out.add_x509_authorities()->set_asn1(crypto::certificateToDer(*cert));
    }
    return out;
  }
  auto td = spiffe::TrustDomain::parse(id);
  if (!td) {
    return commandError(td.status().message());
  }
  out.set_trust_domain(td->name());
  auto doc = bundle::SpiffeBundle::parse(*td, data);
  if (!doc) {
    return commandError("unable to parse to spiffe bundle: " + doc.status().message());
  }
  for (const auto& cert : doc->x509Authorities()) {
    out.add_x509_authorities()->set_asn1(crypto::certificateToDer(*cert));
  }
  for (const auto& [kid, key] : doc->jwtAuthorities()) {
    auto der = crypto::marshalPublicKeyDer(*key);
    if (!der) {
      return commandError(der.status().message());
    }
    auto* jwt_key = out.add_jwt_authorities();
    jwt_key->set_public_key(*der);
    jwt_key->set_key_id(kid);
  }
  if (auto hint = doc->refreshHint()) {
    out.set_refresh_hint(hint->count());
  }
  if (auto sequence = doc->sequenceNumber()) {
    out.set_sequence_number(*sequence);
  }
  return out;
}

Status runSet(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  const std::string& id = flags.getString("id");
  if (id.empty()) {
    return commandError("id flag is required");
  }
  auto format = validateFormat(flags.getString("format"));
  if (!format) {
    return format.status();
  }
  const std::string& path = flags.getString("path");
  auto data = readInput(path.empty() ? "-" : path, env.in);
  if (!data) {
    return commandError("unable to load bundle data: " + data.status().message());
  }
  auto parsed = parseBundle(*data, *format, id);
  if (!parsed) {
    return parsed.status();
  }
  bundlev1::BatchSetFederatedBundleRequest req;
  *req.add_bundle() = *parsed;
  bundlev1::BatchSetFederatedBundleResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status st =
      bundlev1::Bundle::NewStub(conn.channel())->BatchSetFederatedBundle(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st, "failed to set federated bundle");
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  if (resp.results_size() == 0) {
    return commandError("failed to set federated bundle: no result");
  }
  const auto& result = resp.results(0);
  if (result.status().code() != 0) {
    return commandError("failed to set federated bundle: " + result.status().message());
  }
  env.out << "bundle set.\n";
  return Status::ok();
}

Status runDelete(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  const std::string& id = flags.getString("id");
  if (id.empty()) {
    return commandError("id is required");
  }
  const std::string& mode_text = flags.getString("mode");
  bundlev1::BatchDeleteFederatedBundleRequest req;
  if (mode_text.empty() || mode_text == "restrict") {
    req.set_mode(bundlev1::BatchDeleteFederatedBundleRequest::RESTRICT);
  } else if (mode_text == "dissociate") {
    req.set_mode(bundlev1::BatchDeleteFederatedBundleRequest::DISSOCIATE);
  } else if (mode_text == "delete") {
    req.set_mode(bundlev1::BatchDeleteFederatedBundleRequest::DELETE);
  } else {
    return commandError("unsupported mode " + goQuote(mode_text));
  }
  req.add_trust_domains(id);
  bundlev1::BatchDeleteFederatedBundleResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status st =
      bundlev1::Bundle::NewStub(conn.channel())->BatchDeleteFederatedBundle(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st, "failed to delete federated bundle");
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  if (resp.results_size() == 0) {
    return commandError("failed to delete federated bundle: no result");
  }
  const auto& result = resp.results(0);
  if (result.status().code() != 0) {
    return commandError("failed to delete federated bundle " + goQuote(result.trust_domain()) +
                        ": " + result.status().message());
  }
  env.out << "bundle deleted.\n";
  return Status::ok();
}

Status runCount(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  bundlev1::CountBundlesRequest req;
  bundlev1::CountBundlesResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status st = bundlev1::Bundle::NewStub(conn.channel())->CountBundles(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  const long long count = resp.count();
  env.out << cli::pluralize(std::to_string(count) + " ", "bundle", "bundles", count) << "\n";
  return Status::ok();
}

} // namespace

CommandList bundleCommands() {
  return {{"bundle show", runShow},
          {"bundle list", runList},
          {"bundle set", runSet},
          {"bundle delete", runDelete},
          {"bundle count", runCount}};
}

} // namespace spire::server::commands
