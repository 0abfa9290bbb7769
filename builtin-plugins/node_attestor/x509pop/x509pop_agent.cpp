#include "node_attestor/x509pop/x509pop_agent.h"

#include "node_attestor/x509pop/x509pop_protocol.h"
#include "shared/config_json.h"
#include "shared/crypto_util.h"
#include "shared/file_util.h"

namespace spire::builtin::x509pop {

Status X509PopAgent::configure(std::string_view json_config) {
  auto config = ConfigObject::parse(json_config,
                                    {"private_key_path", "certificate_path", "intermediates_path"});
  if (!config) {
    return config.status();
  }
  auto key_path = config->getString("private_key_path");
  auto cert_path = config->getString("certificate_path");
  auto inter_path = config->getString("intermediates_path");
  for (const auto* r : {&key_path, &cert_path, &inter_path}) {
    if (!*r) {
      return r->status();
    }
  }
  if (!key_path->has_value() || (*key_path)->empty()) {
    return invalidArgument("private_key_path is required");
  }
  if (!cert_path->has_value() || (*cert_path)->empty()) {
    return invalidArgument("certificate_path is required");
  }

  auto key_pem = readFile(**key_path);
  if (!key_pem) {
    return invalidArgument("unable to load private key: " + key_pem.status().message());
  }
  auto key = parsePemPrivateKey(*key_pem);
  if (!key) {
    return key.status().withPrefix("unable to load private key \"" + **key_path + "\"");
  }
  auto cert_pem = readFile(**cert_path);
  if (!cert_pem) {
    return invalidArgument("unable to load certificate: " + cert_pem.status().message());
  }
  auto certs = parsePemCertificates(*cert_pem);
  if (!certs) {
    return certs.status().withPrefix("unable to load certificate \"" + **cert_path + "\"");
  }
  auto loaded = std::make_shared<Loaded>();
  for (auto& cert : *certs) {
    loaded->chain_der.push_back(certificateDer(cert.get()));
  }
  if (inter_path->has_value() && !(*inter_path)->empty()) {
    auto inter_pem = readFile(**inter_path);
    if (!inter_pem) {
      return invalidArgument("unable to load intermediates: " + inter_pem.status().message());
    }
    auto inters = parsePemCertificates(*inter_pem);
    if (!inters) {
      return inters.status().withPrefix("unable to load intermediates \"" + **inter_path + "\"");
    }
    for (auto& cert : *inters) {
      loaded->chain_der.push_back(certificateDer(cert.get()));
    }
  }
  if (EVP_PKEY_eq(X509_get0_pubkey((*certs)[0].get()), key->get()) != 1) {
    takeOsslErrors();
    return invalidArgument("certificate and private key do not match");
  }
  loaded->key = std::move(*key);

  std::lock_guard lock(mu_);
  loaded_ = std::move(loaded);
  return okStatus();
}

Result<std::shared_ptr<const X509PopAgent::Loaded>> X509PopAgent::snapshot() const {
  std::lock_guard lock(mu_);
  if (!loaded_) {
    return failedPrecondition("not configured");
  }
  return loaded_;
}

std::string X509PopAgent::payloadOf(const Loaded& loaded) {
  return encodeAttestationData(loaded.chain_der);
}

Result<std::string> X509PopAgent::respondWith(const Loaded& loaded,
                                              std::string_view challenge_json) {
  auto challenge = decodeChallenge(challenge_json);
  if (!challenge) {
    return challenge.status();
  }
  auto response = calculateResponse(loaded.key.get(), *challenge);
  if (!response) {
    return response.status().withPrefix("failed to calculate challenge response");
  }
  return encodeResponse(*response);
}

Result<std::string> X509PopAgent::payload() const {
  auto loaded = snapshot();
  if (!loaded) {
    return loaded.status();
  }
  return payloadOf(**loaded);
}

Result<std::string> X509PopAgent::respond(std::string_view challenge_json) const {
  auto loaded = snapshot();
  if (!loaded) {
    return loaded.status();
  }
  return respondWith(**loaded, challenge_json);
}

} // namespace spire::builtin::x509pop
