#include "node_attestor/x509pop/x509pop_server.h"

#include <algorithm>
#include <map>

#include "shared/config_json.h"
#include "shared/crypto_util.h"
#include "shared/file_util.h"

namespace spire::builtin::x509pop {

namespace {

// URI SANs "x509pop://<td>/<key>:<value>" become "san:<key>:<value>".
std::vector<std::string> sanSelectors(X509* leaf, const std::string& trust_domain) {
  std::vector<std::string> out;
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return out;
  }
  const std::string prefix = std::string(kPluginName) + "://" + trust_domain + "/";
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) {
      continue;
    }
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<size_t>(ASN1_STRING_length(uri)));
    if (value.rfind(prefix, 0) != 0) {
      continue;
    }
    std::string rest = value.substr(prefix.size());
    if (rest.find(':') == std::string::npos) {
      continue;
    }
    out.push_back("san:" + rest);
  }
  return out;
}

} // namespace

Status X509PopServer::configure(const std::string& trust_domain, std::string_view json_config) {
  if (trust_domain.empty()) {
    return invalidArgument("trust_domain is required");
  }
  auto config = ConfigObject::parse(json_config, {"mode", "svid_prefix", "ca_bundle_path",
                                                  "ca_bundle_paths", "agent_path_template"});
  if (!config) {
    return config.status();
  }
  auto mode = config->getString("mode");
  auto bundle_path = config->getString("ca_bundle_path");
  auto bundle_paths = config->getStringList("ca_bundle_paths");
  auto path_template = config->getString("agent_path_template");
  auto svid_prefix = config->getString("svid_prefix");
  if (!mode) {
    return mode.status();
  }
  if (!bundle_path) {
    return bundle_path.status();
  }
  if (!bundle_paths) {
    return bundle_paths.status();
  }
  if (!path_template) {
    return path_template.status();
  }
  if (!svid_prefix) {
    return svid_prefix.status();
  }
  std::string mode_name = mode->value_or("external_pki");
  if (mode_name == "spiffe") {
    // SPIRE validates against the server's own bundle here; that needs a host service the ABI
    // does not offer yet.
    return invalidArgument("mode \"spiffe\" is not supported by this build");
  }
  if (mode_name != "external_pki") {
    return invalidArgument("invalid mode \"" + mode_name +
                           "\": must be \"external_pki\" or \"spiffe\"");
  }

  std::vector<std::string> paths;
  if (bundle_path->has_value() && !(*bundle_path)->empty()) {
    paths.push_back(**bundle_path);
  }
  if (bundle_paths->has_value()) {
    paths.insert(paths.end(), (*bundle_paths)->begin(), (*bundle_paths)->end());
  }
  if (paths.empty()) {
    return invalidArgument("one of ca_bundle_path or ca_bundle_paths must be configured");
  }

  auto parsed_template =
      AgentPathTemplate::parse(path_template->value_or(kDefaultExternalPkiTemplate));
  if (!parsed_template) {
    return parsed_template.status();
  }
  auto next = std::make_shared<Config>(
      Config{trust_domain, std::vector<CertPtr>{}, std::move(*parsed_template)});
  for (const auto& path : paths) {
    auto pem = readFile(path);
    if (!pem) {
      return invalidArgument("unable to load trust bundle: " + pem.status().message());
    }
    auto certs = parsePemCertificates(*pem);
    if (!certs) {
      return certs.status().withPrefix("unable to load trust bundle \"" + path + "\"");
    }
    for (auto& cert : *certs) {
      next->roots.push_back(std::move(cert));
    }
  }
  std::lock_guard lock(mu_);
  config_ = std::move(next);
  return okStatus();
}

Result<std::unique_ptr<X509PopServer::Session>> X509PopServer::newSession() const {
  std::lock_guard lock(mu_);
  if (!config_) {
    return failedPrecondition("not configured");
  }
  return std::make_unique<Session>(config_);
}

Result<std::string> X509PopServer::Session::begin(std::string_view payload) {
  if (challenged_) {
    return failedPrecondition("attestation already started");
  }
  auto chain = decodeAttestationData(payload);
  if (!chain) {
    return chain.status();
  }
  if (chain->empty()) {
    return invalidArgument("no certificate to attest");
  }
  auto leaf = parseDerCertificate((*chain)[0]);
  if (!leaf) {
    return invalidArgument("unable to parse leaf certificate: " + leaf.status().message());
  }
  CertStackPtr intermediates(sk_X509_new_null());
  for (size_t i = 1; i < chain->size(); ++i) {
    auto cert = parseDerCertificate((*chain)[i]);
    if (!cert) {
      return invalidArgument("unable to parse intermediate certificate " + std::to_string(i - 1) +
                             ": " + cert.status().message());
    }
    sk_X509_push(intermediates.get(), cert->release());
  }

  StorePtr store(X509_STORE_new());
  for (const auto& root : config_->roots) {
    X509_STORE_add_cert(store.get(), root.get());
  }
  // A configured CA is a trust anchor even when it is not self-signed, as with Go's Verify.
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf->get(), intermediates.get()) != 1) {
    return internalError("unable to verify certificate: " + takeOsslErrors());
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    std::string why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    takeOsslErrors();
    return permissionDenied("certificate verification failed: " + why);
  }
  STACK_OF(X509)* verified = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 1; i < sk_X509_num(verified); ++i) {
    std::string fp = fingerprint(sk_X509_value(verified, i));
    if (std::find(ca_fingerprints_.begin(), ca_fingerprints_.end(), fp) == ca_fingerprints_.end()) {
      ca_fingerprints_.push_back(std::move(fp));
    }
  }

  auto challenge = generateChallenge(leaf->get());
  if (!challenge) {
    return challenge.status().withPrefix("unable to generate challenge");
  }
  challenge_ = std::move(*challenge);
  leaf_ = std::move(*leaf);
  challenged_ = true;
  return encodeChallenge(challenge_);
}

Result<AgentAttributes> X509PopServer::Session::finish(std::string_view challenge_response) {
  if (!challenged_) {
    return failedPrecondition("no challenge was issued");
  }
  challenged_ = false; // one response per challenge
  auto response = decodeResponse(challenge_response);
  if (!response) {
    return response.status();
  }
  if (Status st = verifyChallengeResponse(X509_get0_pubkey(leaf_.get()), challenge_, *response);
      !st.isOk()) {
    return Status(Code::kPermissionDenied,
                  "challenge response verification failed: " + st.message());
  }

  std::map<std::string, std::string> values = {
      {"PluginName", kPluginName},
      {"Fingerprint", fingerprint(leaf_.get())},
      {"TrustDomain", config_->trust_domain},
      {"Subject.CommonName", subjectCommonName(leaf_.get())},
      {"SerialNumberHex", serialNumberHex(leaf_.get())},
  };
  auto id = agentIdFromPath(config_->trust_domain, config_->path_template.render(values));
  if (!id) {
    return id.status().withPrefix("failed to build agent ID");
  }

  AgentAttributes out;
  out.spiffe_id = std::move(*id);
  if (const auto& cn = values["Subject.CommonName"]; !cn.empty()) {
    out.selector_values.push_back("subject:cn:" + cn);
  }
  for (const auto& fp : ca_fingerprints_) {
    out.selector_values.push_back("ca:fingerprint:" + fp);
  }
  out.selector_values.push_back("serialnumber:" + values["SerialNumberHex"]);
  for (auto& san : sanSelectors(leaf_.get(), config_->trust_domain)) {
    out.selector_values.push_back(std::move(san));
  }
  out.can_reattest = true;
  return out;
}

} // namespace spire::builtin::x509pop
