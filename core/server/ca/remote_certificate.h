#pragma once

// X.509 certificates and PKCS#10 requests signed through a RemoteSigner. OpenSSL's X509_sign
// wants the private key, which stays in the KeyManager, so the TBS part is built here, its
// signature AlgorithmIdentifier set (the same value inside the TBS and on the outer structure),
// the TBS DER hashed and signed remotely, and the signature attached in place.

#include "common/status.h"
#include "crypto/certificate_builder.h"
#include "crypto/csr.h"
#include "crypto/openssl_ptr.h"
#include "server/ca/remote_signer.h"

namespace spire::server::ca {

// As crypto::createCertificate (same template semantics: empty serial = random 128-bit, SKI
// from the public key, AKI = the issuer's SKI, none when self-signed), signed by `signer`. With
// `issuer` null the certificate is self-signed and `subject_key` must be the signer's key.
// `self_check` verifies the signature with the signer's public key afterwards (CA certificates;
// the SVID hot path skips it).
Result<crypto::X509Shared> createRemoteCertificate(const crypto::CertificateTemplate& tmpl,
                                                   const EVP_PKEY& subject_key, const X509* issuer,
                                                   const RemoteSigner& signer,
                                                   bool self_check = true);

// Same, the subject key given as its DER SubjectPublicKeyInfo (as a CSR carried it), copied into
// the certificate without an EVP_PKEY round trip (crypto::setSubjectPublicKeyInfo): the SVID hot
// path. No self check. X509_get0_pubkey on the result returns null: serialise it before use.
Result<crypto::X509Shared>
createRemoteCertificateForKeyInfo(const crypto::CertificateTemplate& tmpl,
                                  std::string_view subject_spki_der, const X509& issuer,
                                  const RemoteSigner& signer);

// A CSR for the signer's own key, signed through it; checked with crypto::checkCsrSignature.
Result<crypto::X509ReqPtr> createRemoteCsr(const crypto::CsrTemplate& tmpl,
                                           const RemoteSigner& signer);

} // namespace spire::server::ca
