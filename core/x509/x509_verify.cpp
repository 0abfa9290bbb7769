#include "x509/x509_verify.h"

#include <ctime>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "x509/x509_svid.h"

namespace spire::x509 {
namespace {

constexpr std::string_view kUnknownAuthority = "x509: certificate signed by unknown authority";

// Go's RFC 3339 form of a UTC time, e.g. "2026-11-23T12:00:00Z".
std::string rfc3339(crypto::TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Go's CertificateInvalidError text for an Expired certificate.
std::string expiredText(const X509& cert, crypto::TimePoint now) {
  crypto::TimePoint not_before = crypto::notBefore(cert);
  bool early = now < not_before;
  return "x509: certificate has expired or is not yet valid: current time " + rfc3339(now) +
         (early ? " is before " + rfc3339(not_before)
                : " is after " + rfc3339(crypto::notAfter(cert)));
}

// The name Go's UnknownAuthorityError gives the candidate certificate: CN, else the first O,
// else "serial:<decimal>".
std::string candidateName(const X509& cert) {
  const X509_NAME* name = X509_get_subject_name(&cert);
  for (int nid : {NID_commonName, NID_organizationName}) {
    int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx >= 0) {
      const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
      unsigned char* utf8 = nullptr;
      int len = ASN1_STRING_to_UTF8(&utf8, data);
      crypto::OpenSslBytesPtr owner(utf8);
      if (len > 0) {
        return std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
      }
    }
  }
  return "serial:" + crypto::serialNumberDecimal(cert);
}

// Translates an OpenSSL verification failure into Go's wording where there is one.
std::string verifyErrorText(X509_STORE_CTX* ctx, crypto::TimePoint now) {
  int err = X509_STORE_CTX_get_error(ctx);
  int depth = X509_STORE_CTX_get_error_depth(ctx);
  const X509* current = X509_STORE_CTX_get_current_cert(ctx);
  std::string hint;
  switch (err) {
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
  case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
  case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
  case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
  case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    return std::string(kUnknownAuthority);
  case X509_V_ERR_CERT_HAS_EXPIRED:
  case X509_V_ERR_CERT_NOT_YET_VALID:
    if (current == nullptr) {
      return std::string(kUnknownAuthority);
    }
    if (depth == 0) {
      return expiredText(*current, now);
    }
    hint = expiredText(*current, now);
    break;
  case X509_V_ERR_INVALID_CA:
    hint = "x509: certificate is not authorized to sign other certificates";
    break;
  default:
    return "x509: " + std::string(X509_verify_cert_error_string(err));
  }
  // Go reports a bad candidate issuer as an unknown authority with a hint naming it.
  std::string out(kUnknownAuthority);
  if (current != nullptr) {
    out += " (possibly because of \"" + hint +
           "\" while trying to verify candidate authority certificate \"" +
           candidateName(*current) + "\")";
  }
  return out;
}

Status verifyError(std::string reason) {
  return invalidArgument("x509svid: could not verify leaf certificate: " + std::move(reason));
}

} // namespace

Result<VerifiedX509Svid> verifyX509Svid(const std::vector<crypto::X509Shared>& chain,
                                        const X509BundleSource* source, crypto::TimePoint now) {
  if (chain.empty()) {
    return invalidArgument("x509svid: empty certificates chain");
  }
  if (source == nullptr) {
    return invalidArgument("x509svid: bundleSource is required");
  }
  const X509& leaf = *chain.front();
  Result<spiffe::SpiffeId> id = idFromCert(leaf);
  if (!id) {
    return invalidArgument("x509svid: could not get leaf SPIFFE ID: " + id.status().message());
  }
  uint32_t usage = crypto::keyUsage(leaf);
  if (crypto::isCa(leaf)) {
    return invalidArgument("x509svid: leaf certificate with CA flag set to true");
  }
  if ((usage & crypto::key_usage::kKeyCertSign) != 0) {
    return invalidArgument("x509svid: leaf certificate with KeyCertSign key usage");
  }
  if ((usage & crypto::key_usage::kCrlSign) != 0) {
    return invalidArgument("x509svid: leaf certificate with KeyCrlSign key usage");
  }
  Result<X509Bundle> bundle = source->getX509BundleForTrustDomain(id->trustDomain());
  if (!bundle) {
    return Status(bundle.status().code(),
                  "x509svid: could not get X509 bundle: " + bundle.status().message());
  }

  crypto::X509StorePtr roots(X509_STORE_new());
  crypto::StackOfX509Ptr intermediates(sk_X509_new_null());
  crypto::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!roots || !intermediates || !ctx) {
    return internalError("cannot allocate verification context");
  }
  for (const crypto::X509Shared& authority : bundle->authorities()) {
    X509_STORE_add_cert(roots.get(), authority.get()); // takes its own reference
  }
  for (std::size_t i = 1; i < chain.size(); ++i) {
    // The stack frees its elements, so it gets references of its own.
    sk_X509_push(intermediates.get(), crypto::upRef(chain[i].get()).release());
  }
  if (X509_STORE_CTX_init(ctx.get(), roots.get(), chain.front().get(), intermediates.get()) != 1) {
    return internalError("cannot initialise verification: " + crypto::takeOpenSslErrors());
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(now));
  // Every bundle certificate is an anchor, as in Go's root pool, even when not self-signed.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  // No purpose is set, so extended key usage is not enforced (Go's ExtKeyUsageAny).
  int rc = X509_verify_cert(ctx.get());
  if (rc != 1) {
    std::string reason = verifyErrorText(ctx.get(), now);
    ERR_clear_error();
    return verifyError(std::move(reason));
  }
  std::vector<crypto::X509Shared> verified;
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(built); ++i) {
    verified.push_back(crypto::shareX509(crypto::upRef(sk_X509_value(built, i))));
  }
  VerifiedX509Svid result;
  result.id = std::move(*id);
  result.verified_chains.push_back(std::move(verified));
  return result;
}

} // namespace spire::x509
