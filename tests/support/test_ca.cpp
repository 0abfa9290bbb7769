#include "support/test_ca.h"

#include <stdexcept>

#include "common/status.h"

namespace spire::testing {
namespace {

template <class T> T orThrow(Result<T> result, const char* what) {
  if (!result) {
    throw std::runtime_error(std::string(what) + ": " + result.status().toString());
  }
  return std::move(*result);
}

std::shared_ptr<EVP_PKEY> makeKey(crypto::KeyType type) {
  crypto::EvpPkeyPtr key = orThrow(crypto::generateKey(type), "generateKey");
  return std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free);
}

crypto::CertificateTemplate caTemplate(const CaOptions& options, const spiffe::TrustDomain& td,
                                       TimePoint now) {
  crypto::CertificateTemplate tmpl;
  tmpl.subject = options.subject;
  tmpl.not_before = options.not_before.value_or(now - std::chrono::minutes(1));
  tmpl.not_after = options.not_after.value_or(now + std::chrono::hours(24));
  tmpl.uri_sans = options.uri_sans.value_or(std::vector<std::string>{td.idString()});
  tmpl.basic_constraints_valid = options.basic_constraints;
  tmpl.is_ca = options.is_ca;
  tmpl.key_usage = options.key_usage;
  tmpl.key_usage_critical = options.key_usage_critical;
  return tmpl;
}

} // namespace

TimePoint fixedNow() {
  // 2030-01-01T00:00:00Z
  return std::chrono::system_clock::from_time_t(1893456000);
}

std::string IssuedLeaf::certsPem() const {
  return crypto::certificatesToPem(chain);
}
std::string IssuedLeaf::certsDer() const {
  return crypto::certificatesToDer(chain);
}
std::string IssuedLeaf::keyPem() const {
  return orThrow(crypto::marshalPkcs8PrivateKeyPem(*key), "marshal key");
}
std::string IssuedLeaf::keyDer() const {
  return orThrow(crypto::marshalPkcs8PrivateKeyDer(*key), "marshal key");
}
x509::X509Svid IssuedLeaf::svid() const {
  return orThrow(x509::X509Svid::parseDer(certsDer(), keyDer()), "parse SVID");
}

TestCa TestCa::createRoot(const std::string& trust_domain, const CaOptions& options,
                          TimePoint now) {
  TestCa ca;
  ca.td_ = orThrow(spiffe::TrustDomain::parse(trust_domain), "trust domain");
  ca.now_ = now;
  ca.key_ = makeKey(options.key_type);
  crypto::X509Ptr cert = orThrow(
      crypto::createCertificate(caTemplate(options, ca.td_, now), *ca.key_, nullptr, *ca.key_),
      "create root");
  ca.cert_ = crypto::shareX509(std::move(cert));
  ca.root_ = ca.cert_;
  return ca;
}

TestCa TestCa::createIntermediate(const CaOptions& options) const {
  TestCa ca;
  ca.td_ = td_;
  ca.now_ = now_;
  ca.key_ = makeKey(options.key_type);
  crypto::X509Ptr cert = orThrow(
      crypto::createCertificate(caTemplate(options, td_, now_), *ca.key_, cert_.get(), *key_),
      "create intermediate");
  ca.cert_ = crypto::shareX509(std::move(cert));
  ca.root_ = root_;
  ca.intermediates_.push_back(ca.cert_);
  ca.intermediates_.insert(ca.intermediates_.end(), intermediates_.begin(), intermediates_.end());
  return ca;
}

IssuedLeaf TestCa::issueLeaf(const LeafOptions& options) const {
  IssuedLeaf leaf;
  leaf.key = makeKey(options.key_type);
  crypto::CertificateTemplate tmpl;
  tmpl.subject = options.subject;
  tmpl.not_before = options.not_before.value_or(now_ - std::chrono::seconds(10));
  tmpl.not_after = options.not_after.value_or(now_ + std::chrono::hours(1));
  tmpl.uri_sans = options.uri_sans.value_or(std::vector<std::string>{td_.idString() + "/workload"});
  tmpl.dns_sans = options.dns_sans;
  tmpl.basic_constraints_valid = options.basic_constraints;
  tmpl.is_ca = options.is_ca;
  tmpl.key_usage = options.key_usage;
  tmpl.ext_key_usage = options.ext_key_usage;
  tmpl.key_usage_critical = options.key_usage_critical;
  tmpl.san_critical = options.san_critical;
  crypto::X509Ptr cert =
      orThrow(crypto::createCertificate(tmpl, *leaf.key, cert_.get(), *key_), "issue leaf");
  leaf.chain.push_back(crypto::shareX509(std::move(cert)));
  leaf.chain.insert(leaf.chain.end(), intermediates_.begin(), intermediates_.end());
  return leaf;
}

x509::X509Svid TestCa::issueSvid(const std::string& path) const {
  LeafOptions options;
  options.uri_sans = std::vector<std::string>{td_.idString() + path};
  return issueLeaf(options).svid();
}

x509::X509Bundle TestCa::bundle() const {
  return x509::X509Bundle(td_, {root_});
}

} // namespace spire::testing
