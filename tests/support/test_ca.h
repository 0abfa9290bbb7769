#pragma once

// A small certificate authority for tests: a self-signed root, intermediates, and leaf SVIDs,
// each with options that break one rule of the X.509-SVID profile at a time. Keys are generated
// per CA/leaf (EC P-256 unless asked otherwise), so tests stay hermetic.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/certificate_builder.h"
#include "crypto/key.h"
#include "spiffe/trust_domain.h"
#include "x509/x509_bundle.h"
#include "x509/x509_svid.h"

namespace spire::testing {

using crypto::TimePoint;

// A fixed "now" for tests that pin time: 2030-01-01T00:00:00Z.
TimePoint fixedNow();

struct LeafOptions {
  // The URI SANs; by default the single ID "spiffe://<td>/workload". Set uri_sans to {} for a
  // leaf without URI SAN, or to two entries for one with two.
  std::optional<std::vector<std::string>> uri_sans;
  std::vector<std::string> dns_sans;
  std::vector<crypto::NameAttribute> subject = {{"C", "US"}, {"O", "SPIRE"}};
  bool basic_constraints = true;
  bool is_ca = false;
  // SPIRE's workload usages by default.
  uint32_t key_usage = crypto::key_usage::kDigitalSignature | crypto::key_usage::kKeyEncipherment |
                       crypto::key_usage::kKeyAgreement;
  std::vector<crypto::ExtKeyUsage> ext_key_usage = {crypto::ExtKeyUsage::kServerAuth,
                                                    crypto::ExtKeyUsage::kClientAuth};
  bool key_usage_critical = true;
  // The SAN extension is critical anyway when the subject is empty (see CertificateTemplate).
  bool san_critical = false;
  // Defaults: now - 10 s (SPIRE's NotBeforeCushion) and now + 1 h, "now" being the CA's.
  std::optional<TimePoint> not_before;
  std::optional<TimePoint> not_after;
  crypto::KeyType key_type = crypto::KeyType::kEcP256;
};

struct CaOptions {
  // The URI SAN of the CA; by default the trust domain's ID ("spiffe://<td>"). {} for none.
  std::optional<std::vector<std::string>> uri_sans;
  std::vector<crypto::NameAttribute> subject = {{"C", "US"}, {"O", "SPIFFE"}};
  bool basic_constraints = true;
  bool is_ca = true;
  uint32_t key_usage = crypto::key_usage::kKeyCertSign | crypto::key_usage::kCrlSign;
  bool key_usage_critical = true;
  std::optional<TimePoint> not_before; // default now - 1 min
  std::optional<TimePoint> not_after;  // default now + 24 h
  crypto::KeyType key_type = crypto::KeyType::kEcP256;
};

// A leaf and its key as issued, valid or deliberately not.
struct IssuedLeaf {
  // Leaf first, then the issuing CA's intermediates (the root excluded).
  std::vector<crypto::X509Shared> chain;
  std::shared_ptr<EVP_PKEY> key;

  std::string certsPem() const;
  std::string certsDer() const;
  std::string keyPem() const; // PKCS#8
  std::string keyDer() const; // PKCS#8
  // Parses through X509Svid::parseDer; fails the test if the SVID is invalid.
  x509::X509Svid svid() const;
};

// Copyable; copies share the CA's certificate and key. A failure to build a certificate throws
// std::runtime_error, which GoogleTest reports as a test failure (these helpers only run in tests).
class TestCa {
public:
  // A self-signed root for `trust_domain` (e.g. "example.org").
  static TestCa createRoot(const std::string& trust_domain, const CaOptions& options = {},
                           TimePoint now = std::chrono::system_clock::now());

  // An intermediate CA signed by this one.
  TestCa createIntermediate(const CaOptions& options = {}) const;

  IssuedLeaf issueLeaf(const LeafOptions& options = {}) const;
  // Convenience: a valid SVID for `path` (e.g. "/workload").
  x509::X509Svid issueSvid(const std::string& path = "/workload") const;

  const crypto::X509Shared& cert() const { return cert_; }
  const EVP_PKEY& key() const { return *key_; }
  const spiffe::TrustDomain& trustDomain() const { return td_; }
  TimePoint now() const { return now_; }
  // This CA and its parents up to, not including, the root (empty for the root itself).
  const std::vector<crypto::X509Shared>& intermediates() const { return intermediates_; }
  // The root's certificate as a bundle of the trust domain.
  x509::X509Bundle bundle() const;
  const crypto::X509Shared& root() const { return root_; }

private:
  TestCa() = default;

  spiffe::TrustDomain td_;
  TimePoint now_;
  crypto::X509Shared cert_;
  std::shared_ptr<EVP_PKEY> key_;
  crypto::X509Shared root_;
  std::vector<crypto::X509Shared> intermediates_;
};

} // namespace spire::testing
