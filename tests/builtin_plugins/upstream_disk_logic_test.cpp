// UpstreamAuthority "disk": minting the server's intermediate CA from files on disk.

#include <ctime>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "builtin_plugins/test_pki.h"
#include "upstream_authority/disk/disk_upstream_authority.h"

namespace spire::builtin::upstream_authority {
namespace {

using testing::CertSpec;
using testing::TempDir;

std::string configFor(const std::string& cert, const std::string& key,
                      const std::string& bundle = "") {
  nlohmann::json j = {{"cert_file_path", cert}, {"key_file_path", key}};
  if (!bundle.empty()) {
    j["bundle_file_path"] = bundle;
  }
  return j.dump();
}

std::time_t asTime(const ASN1_TIME* t) {
  std::tm tm{};
  ASN1_TIME_to_tm(t, &tm);
  return timegm(&tm);
}

std::vector<std::string> uriSans(X509* cert) {
  std::vector<std::string> out;
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type == GEN_URI) {
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.ia5)),
                       static_cast<size_t>(ASN1_STRING_length(n->d.ia5)));
    }
  }
  return out;
}

struct SelfSigned {
  SelfSigned(std::chrono::seconds lifetime = std::chrono::hours(24 * 365)) {
    key = testing::makeEcKey();
    cert =
        testing::makeCert(CertSpec{.common_name = "upstream", .is_ca = true, .lifetime = lifetime},
                          key.get(), nullptr, nullptr);
    cert_path = dir.write("upstream.crt", testing::certPem(cert.get()));
    key_path = dir.write("upstream.key", testing::keyPemTraditional(key.get()));
  }
  TempDir dir;
  PkeyPtr key;
  CertPtr cert;
  std::string cert_path, key_path;
};

TEST(DiskUpstreamAuthorityTest, MintsCaThatVerifiesAgainstUpstream) {
  SelfSigned up;
  DiskUpstreamAuthority ua;
  ASSERT_TRUE(ua.configure("example.org", configFor(up.cert_path, up.key_path)).isOk());
  PkeyPtr server_key = testing::makeEcKey("P-384");
  std::time_t before = std::time(nullptr);
  auto minted = ua.mint(testing::makeCsrDer(server_key.get(), {"spiffe://example.org"}), 600);
  ASSERT_TRUE(minted.isOk()) << minted.status().message();
  ASSERT_EQ(minted->x509_ca_chain.size(), 1u); // self-signed upstream: no extra chain
  ASSERT_EQ(minted->upstream_x509_roots.size(), 1u);
  EXPECT_EQ(minted->upstream_x509_roots[0], testing::der(up.cert.get()));

  CertPtr ca = testing::fromDer(minted->x509_ca_chain[0]);
  ASSERT_NE(ca, nullptr);
  EXPECT_TRUE(testing::verifies(ca.get(), {}, {up.cert.get()}));
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(ca.get()), server_key.get()), 1);
  EXPECT_EQ(uriSans(ca.get()), std::vector<std::string>{"spiffe://example.org"});
  uint32_t usage = X509_get_key_usage(ca.get());
  EXPECT_TRUE(usage & KU_KEY_CERT_SIGN);
  EXPECT_TRUE(usage & KU_CRL_SIGN);
  EXPECT_TRUE(usage & KU_DIGITAL_SIGNATURE);
  EXPECT_NE(X509_get0_subject_key_id(ca.get()), nullptr);
  std::time_t not_before = asTime(X509_get0_notBefore(ca.get()));
  std::time_t not_after = asTime(X509_get0_notAfter(ca.get()));
  EXPECT_LE(not_before, before - 10);
  EXPECT_GE(not_after, before + 600);
  EXPECT_LE(not_after, std::time(nullptr) + 600);
}

TEST(DiskUpstreamAuthorityTest, TtlDefaultsAndIsCappedToUpstreamNotAfter) {
  SelfSigned up(std::chrono::hours(2));
  DiskUpstreamAuthority ua;
  ASSERT_TRUE(ua.configure("example.org", configFor(up.cert_path, up.key_path)).isOk());
  PkeyPtr server_key = testing::makeEcKey();
  std::string csr = testing::makeCsrDer(server_key.get(), {"spiffe://example.org"});

  auto minted = ua.mint(csr, 0); // plugin decides: one hour
  ASSERT_TRUE(minted.isOk());
  CertPtr ca = testing::fromDer(minted->x509_ca_chain[0]);
  std::time_t now = std::time(nullptr);
  EXPECT_NEAR(static_cast<double>(asTime(X509_get0_notAfter(ca.get()))), double(now + 3600), 5.0);

  minted = ua.mint(csr, 24 * 3600); // longer than the upstream CA lives
  ASSERT_TRUE(minted.isOk());
  ca = testing::fromDer(minted->x509_ca_chain[0]);
  EXPECT_EQ(asTime(X509_get0_notAfter(ca.get())), asTime(X509_get0_notAfter(up.cert.get())));
}

TEST(DiskUpstreamAuthorityTest, IntermediateUpstreamWithBundle) {
  TempDir dir;
  PkeyPtr root_key = testing::makeEcKey();
  CertPtr root = testing::makeCert(CertSpec{.common_name = "root", .is_ca = true}, root_key.get(),
                                   nullptr, nullptr);
  PkeyPtr inter_key = testing::makeRsaKey();
  CertPtr inter = testing::makeCert(CertSpec{.common_name = "upstream-inter", .is_ca = true},
                                    inter_key.get(), root.get(), root_key.get());
  std::string cert = dir.write("inter.crt", testing::certPem(inter.get()));
  std::string key = dir.write("inter.key", testing::keyPem(inter_key.get()));
  std::string bundle = dir.write("root.crt", testing::certPem(root.get()));

  DiskUpstreamAuthority ua;
  ASSERT_TRUE(ua.configure("example.org", configFor(cert, key, bundle)).isOk());
  PkeyPtr server_key = testing::makeEcKey();
  auto minted = ua.mint(testing::makeCsrDer(server_key.get(), {"spiffe://example.org"}), 600);
  ASSERT_TRUE(minted.isOk()) << minted.status().message();
  ASSERT_EQ(minted->x509_ca_chain.size(), 2u);
  EXPECT_EQ(minted->x509_ca_chain[1], testing::der(inter.get()));
  ASSERT_EQ(minted->upstream_x509_roots.size(), 1u);
  EXPECT_EQ(minted->upstream_x509_roots[0], testing::der(root.get()));
  CertPtr ca = testing::fromDer(minted->x509_ca_chain[0]);
  EXPECT_TRUE(testing::verifies(ca.get(), {inter.get()}, {root.get()}));

  // A bundle that does not anchor the certificate is refused.
  PkeyPtr stranger_key = testing::makeEcKey();
  CertPtr stranger = testing::makeCert(CertSpec{.common_name = "stranger", .is_ca = true},
                                       stranger_key.get(), nullptr, nullptr);
  Status st = ua.configure(
      "example.org",
      configFor(cert, key, dir.write("stranger.crt", testing::certPem(stranger.get()))));
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "failed to load upstream CA: certificate cannot be validated with the "
                          "provided bundle or is not self-signed");
}

TEST(DiskUpstreamAuthorityTest, ExpiredUpstreamIsRefused) {
  TempDir dir;
  PkeyPtr key = testing::makeEcKey();
  CertPtr expired = testing::makeCert(CertSpec{.common_name = "old",
                                               .is_ca = true,
                                               .not_before_offset = std::chrono::hours(-2),
                                               .lifetime = std::chrono::hours(1)},
                                      key.get(), nullptr, nullptr);
  DiskUpstreamAuthority ua;
  Status st =
      ua.configure("example.org", configFor(dir.write("old.crt", testing::certPem(expired.get())),
                                            dir.write("old.key", testing::keyPem(key.get()))));
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "failed to load upstream CA: certificate cannot be validated with the "
                          "provided bundle or is not self-signed");
}

TEST(DiskUpstreamAuthorityTest, ReloadsFilesOnEachMintAndKeepsLastGood) {
  SelfSigned up;
  DiskUpstreamAuthority ua;
  ASSERT_TRUE(ua.configure("example.org", configFor(up.cert_path, up.key_path)).isOk());
  PkeyPtr server_key = testing::makeEcKey();
  std::string csr = testing::makeCsrDer(server_key.get(), {"spiffe://example.org"});

  // Rotate the upstream CA on disk: the next mint is signed by the new one.
  PkeyPtr new_key = testing::makeEcKey();
  CertPtr new_cert = testing::makeCert(CertSpec{.common_name = "upstream-2", .is_ca = true},
                                       new_key.get(), nullptr, nullptr);
  up.dir.write("upstream.crt", testing::certPem(new_cert.get()));
  up.dir.write("upstream.key", testing::keyPem(new_key.get()));
  auto minted = ua.mint(csr, 600);
  ASSERT_TRUE(minted.isOk());
  CertPtr ca = testing::fromDer(minted->x509_ca_chain[0]);
  EXPECT_TRUE(testing::verifies(ca.get(), {}, {new_cert.get()}));
  EXPECT_FALSE(testing::verifies(ca.get(), {}, {up.cert.get()}));

  // Broken files: the last good credentials keep working.
  std::filesystem::remove(up.key_path);
  minted = ua.mint(csr, 600);
  ASSERT_TRUE(minted.isOk());
  ca = testing::fromDer(minted->x509_ca_chain[0]);
  EXPECT_TRUE(testing::verifies(ca.get(), {}, {new_cert.get()}));
}

TEST(DiskUpstreamAuthorityTest, CsrErrors) {
  SelfSigned up;
  DiskUpstreamAuthority ua;
  EXPECT_EQ(ua.mint("x", 0).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(ua.mint("x", 0).status().message(), "not configured");
  ASSERT_TRUE(ua.configure("example.org", configFor(up.cert_path, up.key_path)).isOk());
  PkeyPtr key = testing::makeEcKey();
  auto check = [&](const std::string& csr, const std::string& message) {
    auto r = ua.mint(csr, 0);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), message);
  };
  check("garbage", "unable to sign CSR: unable to parse CSR");
  check(testing::makeCsrDer(key.get(), {}),
        "unable to sign CSR: CSR must have exactly one URI SAN");
  check(testing::makeCsrDer(key.get(), {"spiffe://example.org", "spiffe://example.org/x"}),
        "unable to sign CSR: CSR must have exactly one URI SAN");
  check(testing::makeCsrDer(key.get(), {"spiffe://other.org"}),
        "unable to sign CSR: CSR SPIFFE ID \"spiffe://other.org\" is not the trust domain ID for "
        "trust domain \"example.org\"");
  std::string csr = testing::makeCsrDer(key.get(), {"spiffe://example.org"});
  csr[csr.size() - 3] = static_cast<char>(csr[csr.size() - 3] ^ 0x55); // break the signature
  check(csr, "unable to sign CSR: CSR signature check failed");
}

TEST(DiskUpstreamAuthorityTest, ConfigErrors) {
  SelfSigned up;
  SelfSigned other;
  DiskUpstreamAuthority ua;
  auto check = [&](const std::string& td, const std::string& json, const std::string& message) {
    Status st = ua.configure(td, json);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << json;
    EXPECT_EQ(st.message(), message) << json;
  };
  check("", configFor(up.cert_path, up.key_path), "trust_domain is required");
  check("example.org", R"({"key_file_path": "k"})", "cert_file_path is required");
  check("example.org", R"({"cert_file_path": "c"})", "key_file_path is required");
  check("example.org", configFor(up.cert_path, other.key_path),
        "failed to load upstream CA: certificate and private key does not match");
  std::string two =
      up.dir.write("two.crt", testing::certPem(up.cert.get()) + testing::certPem(other.cert.get()));
  check("example.org", configFor(two, up.key_path),
        "failed to load upstream CA: with no bundle_file_path configured only self-signed CAs are "
        "supported");
  check("example.org", R"({"cert_file_path": "c", "key_file_path": "k", "x": 1})",
        "unknown configuration key \"x\"");
  Status st = ua.configure("example.org", configFor(up.cert_path, "/nonexistent.key"));
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(),
            "failed to load upstream CA: unable to read \"/nonexistent.key\": No such "
            "file or directory");
}

} // namespace
} // namespace spire::builtin::upstream_authority
