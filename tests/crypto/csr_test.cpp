#include "crypto/csr.h"

#include <atomic>
#include <thread>
#include <utility>

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "crypto/key.h"
#include "crypto/pem.h"
#include "support/command.h"
#include "support/temp_dir.h"

namespace spire::crypto {
namespace {

const Status kBadSignature(StatusCode::kInvalidArgument,
                           "certificate request signature verification failed");
const Status kMalformed(StatusCode::kInvalidArgument, "malformed certificate request");

CsrTemplate agentCsr() {
  CsrTemplate tmpl;
  tmpl.subject = {{"C", "US"}, {"O", "SPIRE"}};
  tmpl.uri_sans = {"spiffe://example.org/spire/agent/join_token/abc"};
  tmpl.dns_sans = {"node1.example.org"};
  return tmpl;
}

EvpPkeyPtr newKey(KeyType type) {
  return std::move(generateKey(type).value());
}

class CsrTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(CsrTest, RoundTripsAndVerifies) {
  EvpPkeyPtr key = newKey(GetParam());
  Result<X509ReqPtr> csr = createCsr(agentCsr(), *key);
  ASSERT_TRUE(csr.isOk()) << csr.status().toString();
  std::string der = csrToDer(**csr);
  Result<X509ReqPtr> parsed = parseCsrDer(der);
  ASSERT_TRUE(parsed.isOk());
  EXPECT_TRUE(checkCsrSignature(**parsed).isOk());
  EXPECT_EQ(csrToDer(**parsed), der);
  EXPECT_EQ(csrSubjectName(**parsed), "O=SPIRE,C=US");
  EXPECT_EQ(csrUriSans(**parsed), agentCsr().uri_sans);
  EXPECT_EQ(csrDnsSans(**parsed), agentCsr().dns_sans);
  EXPECT_TRUE(publicKeysEqual(*csrPublicKey(**parsed), *key));

  Result<X509ReqPtr> from_pem = parseCsrPem(csrToPem(**csr));
  ASSERT_TRUE(from_pem.isOk());
  EXPECT_EQ(csrToDer(**from_pem), der);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, CsrTest,
                         ::testing::Values(KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa2048),
                         [](const auto& info) {
                           std::string name(keyTypeName(info.param));
                           std::erase(name, '-');
                           return name;
                         });

TEST(CsrTamperTest, RejectsTamperedSubjectAndSignature) {
  EvpPkeyPtr key = newKey(KeyType::kEcP256);
  std::string der = csrToDer(**createCsr(agentCsr(), *key));

  // Change one byte of the signed subject ("SPIRE" -> "SPIRF"): still parses, signature fails.
  std::string tampered = der;
  size_t at = tampered.find("SPIRE");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 4] = 'F';
  Result<X509ReqPtr> parsed = parseCsrDer(tampered);
  ASSERT_TRUE(parsed.isOk());
  EXPECT_EQ(csrSubjectName(**parsed), "O=SPIRF,C=US");
  EXPECT_EQ(checkCsrSignature(**parsed), kBadSignature);

  // Change the SPIFFE ID in the SAN.
  tampered = der;
  at = tampered.find("join_token/abc");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 13] = 'd';
  parsed = parseCsrDer(tampered);
  ASSERT_TRUE(parsed.isOk());
  EXPECT_EQ(checkCsrSignature(**parsed), kBadSignature);

  // A request whose key is swapped for another one: the signature no longer matches.
  EvpPkeyPtr other = newKey(KeyType::kEcP256);
  X509ReqPtr swapped(X509_REQ_dup(parseCsrDer(der)->get()));
  ASSERT_EQ(X509_REQ_set_pubkey(swapped.get(), other.get()), 1);
  EXPECT_EQ(checkCsrSignature(**parseCsrDer(csrToDer(*swapped))), kBadSignature);
}

TEST(CsrParseTest, Errors) {
  EvpPkeyPtr key = newKey(KeyType::kEcP256);
  std::string der = csrToDer(**createCsr(agentCsr(), *key));
  EXPECT_EQ(parseCsrDer("").status(), kMalformed);
  EXPECT_EQ(parseCsrDer("garbage").status(), kMalformed);
  EXPECT_EQ(parseCsrDer(der + "x").status(), kMalformed);
  EXPECT_EQ(parseCsrDer(der.substr(0, 20)).status(), kMalformed);
  EXPECT_EQ(parseCsrPem("text").status(),
            Status(StatusCode::kInvalidArgument, "no PEM blocks found"));
  EXPECT_EQ(parseCsrPem(encodePem("CERTIFICATE", der)).status(),
            Status(StatusCode::kInvalidArgument, "no CERTIFICATE REQUEST PEM block found"));
  EXPECT_TRUE(parseCsrPem(encodePem("NEW CERTIFICATE REQUEST", der)).isOk());
}

TEST(CsrParseTest, RequestWithoutSansHasNone) {
  EvpPkeyPtr key = newKey(KeyType::kEcP256);
  CsrTemplate tmpl;
  tmpl.subject = {{"CN", "x"}};
  Result<X509ReqPtr> csr = createCsr(tmpl, *key);
  ASSERT_TRUE(csr.isOk());
  EXPECT_TRUE(csrUriSans(**csr).empty());
  EXPECT_TRUE(csrDnsSans(**csr).empty());
  EXPECT_TRUE(checkCsrSignature(**csr).isOk());
}

// Cross-check: the openssl CLI verifies our requests' self-signature and rejects a tampered one.
TEST(CsrCrossCheckTest, OpenSslCliAgrees) {
  if (!testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  testing::TempDir dir;
  EvpPkeyPtr key = newKey(KeyType::kEcP384);
  std::string der = csrToDer(**createCsr(agentCsr(), *key));
  std::string good = dir.writeFile("good.der", der);
  testing::CommandResult ok =
      testing::runCommand("openssl req -inform DER -in " + good + " -noout -verify");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("verify OK"), std::string::npos) << ok.output;

  std::string tampered = der;
  tampered[tampered.find("SPIRE") + 4] = 'F';
  std::string bad = dir.writeFile("bad.der", tampered);
  // OpenSSL 3.0's `req -verify` exits 0 even on failure, so its verdict is read from the text.
  testing::CommandResult rejected =
      testing::runCommand("openssl req -inform DER -in " + bad + " -noout -verify");
  EXPECT_NE(rejected.output.find("verify failure"), std::string::npos) << rejected.output;
}

// --- IssuanceCsr: the cheap path must agree with parseCsrDer + checkCsrSignature. ---

std::string spkiOf(const EVP_PKEY& key) {
  unsigned char* out = nullptr;
  int len = i2d_PUBKEY(&key, &out);
  OpenSslBytesPtr owner(out);
  return len > 0 ? std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(len)) : "";
}

// What the X509_REQ path says about `der`: parse status, then signature status.
std::pair<Status, Status> referenceVerdict(std::string_view der) {
  Result<X509ReqPtr> req = parseCsrDer(der);
  if (!req) {
    return {req.status(), Status()};
  }
  return {Status(), checkCsrSignature(**req)};
}

std::pair<Status, Status> issuanceVerdict(std::string_view der) {
  Result<IssuanceCsr> csr = IssuanceCsr::parse(der);
  if (!csr) {
    return {csr.status(), Status()};
  }
  return {Status(), csr->checkSignature()};
}

class IssuanceCsrTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(IssuanceCsrTest, VerifiesAndCarriesTheKeyInfo) {
  EvpPkeyPtr key = newKey(GetParam());
  std::string der = csrToDer(**createCsr(agentCsr(), *key));
  Result<IssuanceCsr> csr = IssuanceCsr::parse(der);
  ASSERT_TRUE(csr.isOk()) << csr.status().toString();
  bool ec = GetParam() == KeyType::kEcP256 || GetParam() == KeyType::kEcP384;
  EXPECT_EQ(csr->fastPath(), ec);
  EXPECT_TRUE(csr->checkSignature().isOk());
  EXPECT_EQ(csr->subjectPublicKeyInfo(), spkiOf(*key));
}

TEST_P(IssuanceCsrTest, RejectsWhatTheGeneralPathRejects) {
  EvpPkeyPtr key = newKey(GetParam());
  std::string der = csrToDer(**createCsr(agentCsr(), *key));

  EXPECT_EQ(IssuanceCsr::parse("").status(), kMalformed);
  EXPECT_EQ(IssuanceCsr::parse("garbage").status(), kMalformed);
  EXPECT_EQ(IssuanceCsr::parse(der + "x").status(), kMalformed);
  // Every truncation.
  for (size_t n = 0; n < der.size(); ++n) {
    EXPECT_EQ(IssuanceCsr::parse(der.substr(0, n)).status(), kMalformed) << "length " << n;
  }
  // A changed subject, SAN and signature: parses, the signature fails.
  for (std::string_view needle : {"SPIRE", "join_token/abc"}) {
    std::string tampered = der;
    tampered[tampered.find(needle) + 2] ^= 0x01;
    Result<IssuanceCsr> csr = IssuanceCsr::parse(tampered);
    ASSERT_TRUE(csr.isOk()) << needle;
    EXPECT_EQ(csr->checkSignature(), kBadSignature) << needle;
  }
  std::string bad_signature = der;
  bad_signature[bad_signature.size() - 3] ^= 0x01;
  EXPECT_EQ(issuanceVerdict(bad_signature), referenceVerdict(bad_signature));
  EXPECT_EQ(issuanceVerdict(bad_signature).second, kBadSignature);

  // The key swapped for another one of the same type.
  EvpPkeyPtr other = newKey(GetParam());
  X509ReqPtr swapped(X509_REQ_dup(parseCsrDer(der)->get()));
  ASSERT_EQ(X509_REQ_set_pubkey(swapped.get(), other.get()), 1);
  Result<IssuanceCsr> csr = IssuanceCsr::parse(csrToDer(*swapped));
  ASSERT_TRUE(csr.isOk());
  EXPECT_EQ(csr->checkSignature(), kBadSignature);
  EXPECT_EQ(csr->subjectPublicKeyInfo(), spkiOf(*other));
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, IssuanceCsrTest,
                         ::testing::Values(KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa2048),
                         [](const auto& info) {
                           std::string name(keyTypeName(info.param));
                           std::erase(name, '-');
                           return name;
                         });

// Differential: every single-byte change of a P-256 request gets the same verdict on both paths
// (malformed / parses with a bad signature / parses and verifies).
TEST(IssuanceCsrDifferentialTest, EveryByteFlipAgreesWithX509Req) {
  EvpPkeyPtr key = newKey(KeyType::kEcP256);
  const std::string der = csrToDer(**createCsr(agentCsr(), *key));
  int fast_accepts = 0;
  for (size_t i = 0; i < der.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xFF}) {
      std::string mutated = der;
      mutated[i] = static_cast<char>(mutated[i] ^ flip);
      auto expected = referenceVerdict(mutated);
      ASSERT_EQ(issuanceVerdict(mutated), expected) << "byte " << i << " ^ " << int(flip);
      Result<IssuanceCsr> csr = IssuanceCsr::parse(mutated);
      fast_accepts += csr.isOk() && csr->fastPath() ? 1 : 0;
    }
  }
  EXPECT_GT(fast_accepts, 0);
}

// Shapes the cheap path leaves to the general one: still answered exactly as before.
TEST(IssuanceCsrFallbackTest, UnusualRequestsTakeTheGeneralPath) {
  EvpPkeyPtr key = newKey(KeyType::kEcP256);
  const std::string der = csrToDer(**createCsr(agentCsr(), *key));

  // A point that is not on the curve: both paths parse it and fail the signature.
  std::string spki = spkiOf(*key);
  std::string off_curve = der;
  size_t at = off_curve.find(spki);
  ASSERT_NE(at, std::string::npos);
  off_curve[at + spki.size() - 1] ^= 0x01;
  EXPECT_EQ(issuanceVerdict(off_curve), referenceVerdict(off_curve));
  EXPECT_EQ(issuanceVerdict(off_curve).second, kBadSignature);

  // A compressed point (valid, but not what the cheap path reads).
  EvpPkeyPtr compressed_key = newKey(KeyType::kEcP256);
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(
                compressed_key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"),
            1);
  std::string compressed = csrToDer(**createCsr(agentCsr(), *compressed_key));
  Result<IssuanceCsr> csr = IssuanceCsr::parse(compressed);
  ASSERT_TRUE(csr.isOk());
  EXPECT_FALSE(csr->fastPath());
  EXPECT_EQ(csr->checkSignature(), referenceVerdict(compressed).second);
  EXPECT_EQ(csr->subjectPublicKeyInfo(), spkiOf(*compressed_key));

  // Ed25519 (no digest).
  EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_TRUE(ed);
  std::string ed_der = csrToDer(**createCsr(agentCsr(), *ed));
  csr = IssuanceCsr::parse(ed_der);
  ASSERT_TRUE(csr.isOk());
  EXPECT_FALSE(csr->fastPath());
  EXPECT_TRUE(csr->checkSignature().isOk());
  EXPECT_EQ(csr->subjectPublicKeyInfo(), spkiOf(*ed));

  // The signature algorithm with explicit NULL parameters (RFC 5758 says absent).
  X509ReqPtr req = std::move(parseCsrDer(der).value());
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_REQ_get0_signature(req.get(), &sig, &alg);
  X509_ALGOR_set0(const_cast<X509_ALGOR*>(alg), OBJ_nid2obj(NID_ecdsa_with_SHA256), V_ASN1_NULL,
                  nullptr);
  std::string null_params = csrToDer(*req);
  ASSERT_NE(null_params, der);
  csr = IssuanceCsr::parse(null_params);
  ASSERT_TRUE(csr.isOk());
  EXPECT_FALSE(csr->fastPath());
  EXPECT_EQ(issuanceVerdict(null_params), referenceVerdict(null_params));
}

// A SHA-512 signature over a P-256 request is accepted by both paths.
TEST(IssuanceCsrFallbackTest, Sha512SignatureOnTheCheapPath) {
  EvpPkeyPtr key = newKey(KeyType::kEcP256);
  X509ReqPtr req = std::move(createCsr(agentCsr(), *key).value());
  ASSERT_GT(X509_REQ_sign(req.get(), key.get(), EVP_sha512()), 0);
  std::string der = csrToDer(*req);
  Result<IssuanceCsr> csr = IssuanceCsr::parse(der);
  ASSERT_TRUE(csr.isOk());
  EXPECT_TRUE(csr->fastPath());
  EXPECT_TRUE(csr->checkSignature().isOk());
  EXPECT_EQ(issuanceVerdict(der), referenceVerdict(der));
}

// Works the same from many threads (the curve templates are per thread).
TEST(IssuanceCsrThreadTest, ParsesConcurrently) {
  EvpPkeyPtr key = newKey(KeyType::kEcP384);
  const std::string der = csrToDer(**createCsr(agentCsr(), *key));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        Result<IssuanceCsr> csr = IssuanceCsr::parse(der);
        ok += csr.isOk() && csr->fastPath() && csr->checkSignature().isOk() ? 1 : 0;
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(ok.load(), 80);
}

} // namespace
} // namespace spire::crypto
