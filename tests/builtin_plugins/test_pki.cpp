#include "builtin_plugins/test_pki.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <openssl/pem.h>
#include <openssl/rand.h>

namespace spire::builtin::testing {

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    throw std::runtime_error(std::string("test PKI: ") + what);
  }
}

void addExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  check(ext && X509_add_ext(cert, ext.get(), -1) == 1, "add extension");
}

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

} // namespace

PkeyPtr makeEcKey(const char* curve) {
  PkeyPtr key(EVP_EC_gen(curve));
  check(key != nullptr, "EC key");
  return key;
}

PkeyPtr makeRsaKey(int bits) {
  PkeyPtr key(EVP_RSA_gen(static_cast<unsigned>(bits)));
  check(key != nullptr, "RSA key");
  return key;
}

CertPtr makeCert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  CertPtr cert(X509_new());
  check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "version");
  long serial = spec.serial;
  if (serial == 0) {
    unsigned char r[4];
    RAND_bytes(r, sizeof(r));
    serial = ((long(r[0] & 0x7f) << 24) | (long(r[1]) << 16) | (long(r[2]) << 8) | r[3]) + 1;
  }
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!spec.common_name.empty()) {
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                               -1, 0);
  }
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                  static_cast<long>(spec.not_before_offset.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  static_cast<long>(spec.not_before_offset.count() + spec.lifetime.count()));
  check(X509_set_pubkey(cert.get(), key) == 1, "pubkey");
  if (spec.is_ca) {
    addExt(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE");
    addExt(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  } else if (spec.key_usage) {
    addExt(cert.get(), issuer, NID_key_usage,
           spec.digital_signature ? "critical,digitalSignature" : "critical,keyEncipherment");
  }
  addExt(cert.get(), issuer, NID_subject_key_identifier, "hash");
  if (!spec.uris.empty()) {
    std::string san;
    for (const auto& uri : spec.uris) {
      san += (san.empty() ? "URI:" : ",URI:") + uri;
    }
    addExt(cert.get(), issuer, NID_subject_alt_name, san);
  }
  check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "sign");
  return cert;
}

std::string makeCsrDer(EVP_PKEY* key, const std::vector<std::string>& uris,
                       const std::string& common_name) {
  CsrPtr req(X509_REQ_new());
  X509_REQ_set_version(req.get(), 0);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("SPIRE"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_REQ_set_pubkey(req.get(), key);
  if (!uris.empty()) {
    std::string san;
    for (const auto& uri : uris) {
      san += (san.empty() ? "URI:" : ",URI:") + uri;
    }
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
    sk_X509_EXTENSION_push(exts, ext);
    X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  }
  check(X509_REQ_sign(req.get(), key, EVP_sha256()) > 0, "sign CSR");
  unsigned char* raw = nullptr;
  int len = i2d_X509_REQ(req.get(), &raw);
  check(len > 0, "encode CSR");
  std::string out(reinterpret_cast<const char*>(raw), static_cast<size_t>(len));
  OPENSSL_free(raw);
  return out;
}

std::string certPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return bioText(bio.get());
}

std::string keyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bioText(bio.get());
}

std::string keyPemTraditional(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bioText(bio.get());
}

std::string der(X509* cert) {
  unsigned char* raw = nullptr;
  int len = i2d_X509(cert, &raw);
  std::string out(reinterpret_cast<const char*>(raw), static_cast<size_t>(len));
  OPENSSL_free(raw);
  return out;
}

CertPtr fromDer(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return CertPtr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

bool verifies(X509* leaf, const std::vector<X509*>& intermediates,
              const std::vector<X509*>& roots) {
  StorePtr store(X509_STORE_new());
  for (X509* root : roots) {
    X509_STORE_add_cert(store.get(), root);
  }
  CertStackPtr chain(sk_X509_new_null());
  for (X509* cert : intermediates) {
    X509_up_ref(cert);
    sk_X509_push(chain.get(), cert);
  }
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain.get());
  return X509_verify_cert(ctx.get()) == 1;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "spire-builtin-XXXXXX").string();
  check(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  std::string p = file(name);
  std::ofstream out(p, std::ios::binary);
  out << content;
  return p;
}

} // namespace spire::builtin::testing
