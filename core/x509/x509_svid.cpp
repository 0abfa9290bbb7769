#include "x509/x509_svid.h"

#include "crypto/key.h"
#include "crypto/pem.h"
#include "x509/read_file.h"

namespace spire::x509 {
namespace {

using namespace svid_errors;

Status parseError(std::string_view what, const Status& cause) {
  return invalidArgument("x509svid: cannot parse " + std::string(what) + ": " + cause.message());
}

Status certificateError(std::string_view reason) {
  return invalidArgument("x509svid: certificate validation failed: " + std::string(reason));
}

Status keyError(std::string_view reason) {
  return invalidArgument("x509svid: private key validation failed: " + std::string(reason));
}

// go-spiffe's validateLeafCertificate + validateKeyUsage.
Result<spiffe::SpiffeId> validateLeaf(const X509& leaf) {
  Result<spiffe::SpiffeId> id = idFromCert(leaf);
  if (!id) {
    return certificateError(std::string(kLeafIdPrefix) + id.status().message());
  }
  if (id->path().empty()) {
    return certificateError(kLeafRootPath);
  }
  if (crypto::isCa(leaf)) {
    return certificateError(kLeafIsCa);
  }
  uint32_t usage = crypto::keyUsage(leaf);
  if ((usage & crypto::key_usage::kDigitalSignature) == 0) {
    return certificateError(kLeafNoDigitalSignature);
  }
  if ((usage & crypto::key_usage::kKeyCertSign) != 0) {
    return certificateError(kLeafKeyCertSign);
  }
  if ((usage & crypto::key_usage::kCrlSign) != 0) {
    return certificateError(kLeafCrlSign);
  }
  return id;
}

Status validateSigningCertificates(const std::vector<crypto::X509Shared>& certs) {
  for (std::size_t i = 1; i < certs.size(); ++i) {
    if (!crypto::isCa(*certs[i])) {
      return certificateError(kSigningNotCa);
    }
    if ((crypto::keyUsage(*certs[i]) & crypto::key_usage::kKeyCertSign) == 0) {
      return certificateError(kSigningNoKeyCertSign);
    }
  }
  return Status::ok();
}

Result<EncodedX509Svid> encode(const X509Svid& svid, bool pem) {
  if (svid.certificates.empty()) {
    return invalidArgument("x509svid: no certificates to marshal");
  }
  if (!svid.private_key) {
    return invalidArgument("x509svid: cannot encode private key: no private key");
  }
  Result<std::string> key = pem ? crypto::marshalPkcs8PrivateKeyPem(*svid.private_key)
                                : crypto::marshalPkcs8PrivateKeyDer(*svid.private_key);
  if (!key) {
    return invalidArgument("x509svid: cannot encode private key: " + key.status().message());
  }
  std::string certs = pem ? crypto::certificatesToPem(svid.certificates)
                          : crypto::certificatesToDer(svid.certificates);
  return EncodedX509Svid{std::move(certs), std::move(*key)};
}

} // namespace

Result<spiffe::SpiffeId> idFromCert(const X509& cert) {
  std::vector<std::string> uris = crypto::uriSans(cert);
  if (uris.empty()) {
    return invalidArgument(std::string(kNoUriSan));
  }
  if (uris.size() > 1) {
    return invalidArgument(std::string(kMoreThanOneUriSan));
  }
  return spiffe::SpiffeId::parse(uris.front());
}

Result<X509Svid> X509Svid::fromParts(std::vector<crypto::X509Shared> certificates,
                                     crypto::EvpPkeyPtr private_key) {
  if (certificates.empty()) {
    return certificateError(kNoCertificates);
  }
  Result<spiffe::SpiffeId> id = validateLeaf(*certificates.front());
  if (!id) {
    return id.status();
  }
  if (Status st = validateSigningCertificates(certificates); !st.isOk()) {
    return st;
  }
  if (!private_key) {
    return keyError(kNoPrivateKey);
  }
  crypto::EvpPkeyPtr leaf_key = crypto::publicKeyOf(*certificates.front());
  if (!leaf_key || !crypto::publicKeysEqual(*leaf_key, *private_key)) {
    return keyError(kKeyMismatch);
  }
  X509Svid svid;
  svid.id = std::move(*id);
  svid.certificates = std::move(certificates);
  svid.private_key = std::move(private_key);
  return svid;
}

Result<X509Svid> X509Svid::parsePem(std::string_view certs_pem, std::string_view key_pem) {
  Result<std::vector<crypto::X509Shared>> certs = crypto::parseCertificatesPem(certs_pem);
  if (!certs) {
    return parseError("PEM encoded certificate", certs.status());
  }
  // As go-spiffe's pemutil: no PEM block at all is an error, but a text holding only other block
  // types yields no key, which validation then reports as "no private key found".
  std::vector<crypto::PemBlock> blocks = crypto::decodePemBlocks(key_pem);
  if (blocks.empty()) {
    return parseError("PEM encoded private key",
                      invalidArgument(std::string(crypto::kNoPemBlocksFound)));
  }
  crypto::EvpPkeyPtr key;
  for (const crypto::PemBlock& block : blocks) {
    if (block.type == "PRIVATE KEY") {
      Result<crypto::EvpPkeyPtr> parsed = crypto::parsePkcs8PrivateKeyDer(block.der);
      if (!parsed) {
        return parseError("PEM encoded private key", parsed.status());
      }
      key = std::move(*parsed);
      break;
    }
  }
  return fromParts(std::move(*certs), std::move(key));
}

Result<X509Svid> X509Svid::loadPem(const std::string& cert_path, const std::string& key_path) {
  Result<std::string> certs = readWholeFile(cert_path);
  if (!certs) {
    return Status(certs.status().code(),
                  "x509svid: cannot read certificate file: " + certs.status().message());
  }
  Result<std::string> key = readWholeFile(key_path);
  if (!key) {
    return Status(key.status().code(), "x509svid: cannot read key file: " + key.status().message());
  }
  return parsePem(*certs, *key);
}

Result<X509Svid> X509Svid::parseDer(std::string_view certs_der, std::string_view pkcs8_key_der) {
  Result<std::vector<crypto::X509Shared>> certs = crypto::parseCertificatesDer(certs_der);
  if (!certs) {
    return parseError("DER encoded certificate", certs.status());
  }
  Result<crypto::EvpPkeyPtr> key = crypto::parsePkcs8PrivateKeyDer(pkcs8_key_der);
  if (!key) {
    return parseError("DER encoded private key", key.status());
  }
  return fromParts(std::move(*certs), std::move(*key));
}

Result<EncodedX509Svid> X509Svid::toPem() const {
  return encode(*this, true);
}

Result<EncodedX509Svid> X509Svid::toDer() const {
  return encode(*this, false);
}

crypto::TimePoint X509Svid::expiresAt() const {
  return certificates.empty() ? crypto::TimePoint{} : crypto::notAfter(leaf());
}

X509Svid X509Svid::clone() const {
  X509Svid copy;
  copy.id = id;
  copy.certificates = certificates;
  copy.private_key = private_key ? crypto::upRef(private_key.get()) : crypto::EvpPkeyPtr();
  copy.hint = hint;
  return copy;
}

} // namespace spire::x509
