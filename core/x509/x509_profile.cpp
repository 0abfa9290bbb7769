#include "x509/x509_profile.h"

#include <algorithm>

#include "crypto/certificate.h"
#include "spiffe/spiffe_id.h"
#include "x509/x509_svid.h"

namespace spire::x509 {
namespace {

using namespace profile_errors;

Status fail(std::string_view text) {
  return invalidArgument(std::string(text));
}

bool isExtensionCritical(const X509& cert, int nid) {
  int idx = X509_get_ext_by_NID(&cert, nid, -1);
  return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(&cert, idx)) == 1;
}

} // namespace

Status checkSigningCertificateProfile(const X509& cert) {
  if (!crypto::isCa(cert)) {
    return fail(kNotCa);
  }
  if (!crypto::hasKeyUsageExtension(cert)) {
    return fail(kNoKeyUsage);
  }
  if (!crypto::isKeyUsageCritical(cert)) {
    return fail(kKeyUsageNotCritical);
  }
  if ((crypto::keyUsage(cert) & crypto::key_usage::kKeyCertSign) == 0) {
    return fail(kNoKeyCertSign);
  }
  std::vector<std::string> uris = crypto::uriSans(cert);
  if (uris.size() > 1) {
    return fail(kMoreThanOneUriSan);
  }
  if (uris.size() == 1) {
    Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(uris.front());
    if (!id) {
      return invalidArgument(std::string(kBadIdPrefix) + id.status().message());
    }
    if (!id->path().empty()) {
      return fail(kIdHasPath);
    }
  }
  return Status::ok();
}

Status checkLeafSvidProfile(const X509& cert) {
  using namespace svid_errors;
  Result<spiffe::SpiffeId> id = idFromCert(cert);
  if (!id) {
    return invalidArgument(std::string(kLeafIdPrefix) + id.status().message());
  }
  if (id->path().empty()) {
    return fail(kLeafRootPath);
  }
  if (crypto::isCa(cert)) {
    return fail(kLeafIsCa);
  }
  if (!crypto::hasKeyUsageExtension(cert)) {
    return fail(kLeafNoKeyUsage);
  }
  if (!crypto::isKeyUsageCritical(cert)) {
    return fail(kLeafKeyUsageNotCritical);
  }
  uint32_t usage = crypto::keyUsage(cert);
  if ((usage & crypto::key_usage::kDigitalSignature) == 0) {
    return fail(kLeafNoDigitalSignature);
  }
  if ((usage & crypto::key_usage::kKeyCertSign) != 0) {
    return fail(kLeafKeyCertSign);
  }
  if ((usage & crypto::key_usage::kCrlSign) != 0) {
    return fail(kLeafCrlSign);
  }
  if (X509_get_ext_by_NID(&cert, NID_ext_key_usage, -1) >= 0) {
    std::vector<crypto::ExtKeyUsage> ekus = crypto::extKeyUsages(cert);
    auto has = [&](crypto::ExtKeyUsage u) {
      return std::find(ekus.begin(), ekus.end(), u) != ekus.end();
    };
    if (!has(crypto::ExtKeyUsage::kServerAuth) || !has(crypto::ExtKeyUsage::kClientAuth)) {
      return fail(kLeafExtKeyUsage);
    }
  }
  if (X509_NAME_entry_count(X509_get_subject_name(&cert)) == 0 &&
      !isExtensionCritical(cert, NID_subject_alt_name)) {
    return fail(kLeafSanNotCritical);
  }
  return Status::ok();
}

} // namespace spire::x509
