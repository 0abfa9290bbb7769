// Fuzz target: X.509 bundles and X.509-SVIDs, DER and PEM (x509/x509_bundle.h, x509_svid.h).
//
// The first input byte picks what the rest is: 0 bundle DER, 1 bundle PEM, 2 SVID DER (a
// two-byte big-endian length, that many bytes of certificates, then the PKCS#8 key), 3 SVID PEM
// (certificates and key in one text, as go-spiffe allows).
//
// Invariants: failures are InvalidArgument with a message; a parsed bundle serialises to DER
// and PEM that parse back to the same authorities, and serialising is stable; a parsed SVID
// obeys the X.509-SVID profile (ID from the single URI SAN, non-root path, leaf not a CA with
// digitalSignature and no keyCertSign/cRLSign, signing certificates are CAs), and its DER and
// PEM forms parse back to the same ID and certificates.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/key.h"
#include "fuzz/fuzz_check.h"
#include "spiffe/trust_domain.h"
#include "x509/x509_bundle.h"
#include "x509/x509_svid.h"

namespace {

using spire::Result;
using spire::x509::X509Bundle;
using spire::x509::X509Svid;

const spire::spiffe::TrustDomain& fuzzTd() {
  static const spire::spiffe::TrustDomain td =
      spire::spiffe::TrustDomain::parse("example.org").value();
  return td;
}

void checkFailure(const spire::Status& status) {
  FUZZ_CHECK(status.code() == spire::StatusCode::kInvalidArgument, "failures are InvalidArgument");
  FUZZ_CHECK(!status.message().empty(), "a failure has a message");
}

std::vector<std::string> ders(const std::vector<spire::crypto::X509Shared>& certs) {
  std::vector<std::string> out;
  for (const auto& cert : certs) {
    FUZZ_CHECK(cert != nullptr, "no null certificate");
    out.push_back(spire::crypto::certificateToDer(*cert));
  }
  return out;
}

void checkBundle(const X509Bundle& bundle) {
  FUZZ_CHECK(bundle.trustDomain() == fuzzTd(), "the bundle keeps its trust domain");
  std::vector<std::string> original = ders(bundle.authorities());
  for (std::size_t i = 0; i < original.size(); ++i) {
    for (std::size_t j = i + 1; j < original.size(); ++j) {
      FUZZ_CHECK(original[i] != original[j], "authorities are deduplicated");
    }
  }
  std::string der = bundle.toDer();
  Result<X509Bundle> from_der = X509Bundle::parseDer(fuzzTd(), der);
  FUZZ_CHECK(from_der.isOk(), "toDer() parses back");
  FUZZ_CHECK(ders(from_der->authorities()) == original, "same authorities through DER");
  FUZZ_CHECK(from_der->toDer() == der, "DER serialisation is stable");
  if (!original.empty()) {
    Result<X509Bundle> from_pem = X509Bundle::parsePem(fuzzTd(), bundle.toPem());
    FUZZ_CHECK(from_pem.isOk(), "toPem() parses back");
    FUZZ_CHECK(ders(from_pem->authorities()) == original, "same authorities through PEM");
  }
}

void checkSvid(const X509Svid& svid) {
  FUZZ_CHECK(!svid.certificates.empty(), "an SVID has a leaf");
  FUZZ_CHECK(svid.private_key != nullptr, "an SVID has a key");
  FUZZ_CHECK(!svid.id.isZero() && !svid.id.path().empty(), "the SVID ID has a non-root path");
  const X509& leaf = svid.leaf();
  std::vector<std::string> uris = spire::crypto::uriSans(leaf);
  FUZZ_CHECK(uris.size() == 1 && uris[0] == svid.id.toString(), "the ID is the single URI SAN");
  Result<spire::spiffe::SpiffeId> id = spire::x509::idFromCert(leaf);
  FUZZ_CHECK(id.isOk() && id.value() == svid.id, "idFromCert agrees");
  FUZZ_CHECK(!spire::crypto::isCa(leaf), "the leaf is not a CA");
  uint32_t usage = spire::crypto::keyUsage(leaf);
  FUZZ_CHECK((usage & spire::crypto::key_usage::kDigitalSignature) != 0, "digitalSignature");
  FUZZ_CHECK(
      (usage & (spire::crypto::key_usage::kKeyCertSign | spire::crypto::key_usage::kCrlSign)) == 0,
      "no keyCertSign or cRLSign on the leaf");
  for (std::size_t i = 1; i < svid.certificates.size(); ++i) {
    const X509& signer = *svid.certificates[i];
    FUZZ_CHECK(spire::crypto::isCa(signer), "signing certificates are CAs");
    FUZZ_CHECK((spire::crypto::keyUsage(signer) & spire::crypto::key_usage::kKeyCertSign) != 0,
               "signing certificates have keyCertSign");
  }
  std::vector<std::string> original = ders(svid.certificates);
  Result<spire::x509::EncodedX509Svid> der = svid.toDer();
  FUZZ_CHECK(der.isOk(), "a parsed SVID marshals to DER");
  Result<X509Svid> from_der = X509Svid::parseDer(der->certificates, der->private_key);
  FUZZ_CHECK(from_der.isOk(), "the DER form parses back");
  FUZZ_CHECK(from_der->id == svid.id, "same ID through DER");
  FUZZ_CHECK(ders(from_der->certificates) == original, "same certificates through DER");
  FUZZ_CHECK(spire::crypto::publicKeysEqual(*from_der->private_key, *svid.private_key),
             "same key through DER");
  Result<spire::x509::EncodedX509Svid> pem = svid.toPem();
  FUZZ_CHECK(pem.isOk(), "a parsed SVID marshals to PEM");
  Result<X509Svid> from_pem = X509Svid::parsePem(pem->certificates, pem->private_key);
  FUZZ_CHECK(from_pem.isOk(), "the PEM form parses back");
  FUZZ_CHECK(from_pem->id == svid.id && ders(from_pem->certificates) == original,
             "same SVID through PEM");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
  case 0: {
    Result<X509Bundle> bundle = X509Bundle::parseDer(fuzzTd(), rest);
    bundle.isOk() ? checkBundle(bundle.value()) : checkFailure(bundle.status());
    break;
  }
  case 1: {
    Result<X509Bundle> bundle = X509Bundle::parsePem(fuzzTd(), rest);
    bundle.isOk() ? checkBundle(bundle.value()) : checkFailure(bundle.status());
    break;
  }
  case 2: {
    if (rest.size() < 2) {
      return 0;
    }
    std::size_t certs_len =
        (static_cast<unsigned char>(rest[0]) << 8) | static_cast<unsigned char>(rest[1]);
    rest.remove_prefix(2);
    certs_len = std::min(certs_len, rest.size());
    Result<X509Svid> svid = X509Svid::parseDer(rest.substr(0, certs_len), rest.substr(certs_len));
    svid.isOk() ? checkSvid(svid.value()) : checkFailure(svid.status());
    break;
  }
  default: {
    Result<X509Svid> svid = X509Svid::parsePem(rest, rest);
    svid.isOk() ? checkSvid(svid.value()) : checkFailure(svid.status());
    break;
  }
  }
  return 0;
}
