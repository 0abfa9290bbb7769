#include "upstream_authority/disk/disk_upstream_authority.h"

#include <ctime>

#include "shared/config_json.h"
#include "shared/crypto_util.h"
#include "shared/file_util.h"

namespace spire::builtin::upstream_authority {

namespace {

Status addExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return internalError(std::string("unable to add extension ") + OBJ_nid2sn(nid) + ": " +
                         takeOsslErrors());
  }
  return okStatus();
}

// The digest Go's x509 package picks for a signing key; nullptr for keys that sign raw data.
const EVP_MD* signatureDigest(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    int bits = EVP_PKEY_get_bits(key);
    return bits > 384 ? EVP_sha512() : bits > 256 ? EVP_sha384() : EVP_sha256();
  }
  if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")) {
    return nullptr;
  }
  return EVP_sha256();
}

// The URI SANs of a CSR's extensionRequest.
std::vector<std::string> csrUris(X509_REQ* csr) {
  std::vector<std::string> out;
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(csr);
  if (exts == nullptr) {
    return out;
  }
  for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts, i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) {
      continue;
    }
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
    for (int j = 0; names && j < sk_GENERAL_NAME_num(names.get()); ++j) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), j);
      if (name->type == GEN_URI) {
        const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
        out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                         static_cast<size_t>(ASN1_STRING_length(uri)));
      }
    }
  }
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  return out;
}

} // namespace

Status DiskUpstreamAuthority::configure(const std::string& trust_domain,
                                        std::string_view json_config) {
  if (trust_domain.empty()) {
    return invalidArgument("trust_domain is required");
  }
  auto config =
      ConfigObject::parse(json_config, {"cert_file_path", "key_file_path", "bundle_file_path"});
  if (!config) {
    return config.status();
  }
  auto cert = config->getString("cert_file_path");
  auto key = config->getString("key_file_path");
  auto bundle = config->getString("bundle_file_path");
  for (const auto* r : {&cert, &key, &bundle}) {
    if (!*r) {
      return r->status();
    }
  }
  if (!cert->has_value() || (*cert)->empty()) {
    return invalidArgument("cert_file_path is required");
  }
  if (!key->has_value() || (*key)->empty()) {
    return invalidArgument("key_file_path is required");
  }
  Paths paths{**cert, **key, bundle->value_or("")};
  auto creds = load(paths);
  if (!creds) {
    return creds.status().withPrefix("failed to load upstream CA");
  }
  std::lock_guard lock(mu_);
  trust_domain_ = trust_domain;
  paths_ = std::move(paths);
  creds_ = std::move(*creds);
  return okStatus();
}

Result<std::shared_ptr<const DiskUpstreamAuthority::Credentials>>
DiskUpstreamAuthority::load(const Paths& paths) {
  auto key_pem = readFile(paths.key);
  if (!key_pem) {
    return key_pem.status();
  }
  auto key = parsePemPrivateKey(*key_pem);
  if (!key) {
    return key.status().withPrefix("\"" + paths.key + "\"");
  }
  auto cert_pem = readFile(paths.cert);
  if (!cert_pem) {
    return cert_pem.status();
  }
  auto certs = parsePemCertificates(*cert_pem);
  if (!certs) {
    return certs.status().withPrefix("\"" + paths.cert + "\"");
  }
  auto creds = std::make_shared<Credentials>();
  std::vector<CertPtr> roots;
  if (paths.bundle.empty()) {
    if (certs->size() != 1) {
      return invalidArgument("with no bundle_file_path configured only self-signed CAs are "
                             "supported");
    }
  } else {
    auto bundle_pem = readFile(paths.bundle);
    if (!bundle_pem) {
      return bundle_pem.status();
    }
    auto bundle = parsePemCertificates(*bundle_pem);
    if (!bundle) {
      return bundle.status().withPrefix("\"" + paths.bundle + "\"");
    }
    roots = std::move(*bundle);
  }
  X509* ca = (*certs)[0].get();
  if (EVP_PKEY_eq(X509_get0_pubkey(ca), key->get()) != 1) {
    takeOsslErrors();
    return invalidArgument("certificate and private key does not match");
  }

  StorePtr store(X509_STORE_new());
  CertStackPtr untrusted(sk_X509_new_null());
  if (paths.bundle.empty()) {
    X509_STORE_add_cert(store.get(), ca);
  } else {
    for (const auto& root : roots) {
      X509_STORE_add_cert(store.get(), root.get());
    }
    for (size_t i = 1; i < certs->size(); ++i) {
      X509_up_ref((*certs)[i].get());
      sk_X509_push(untrusted.get(), (*certs)[i].get());
    }
  }
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), ca, untrusted.get()) != 1 ||
      X509_verify_cert(ctx.get()) != 1) {
    takeOsslErrors();
    return invalidArgument(
        "certificate cannot be validated with the provided bundle or is not self-signed");
  }

  if (paths.bundle.empty()) {
    creds->roots_der.push_back(certificateDer(ca));
  } else {
    for (const auto& cert : *certs) {
      creds->chain_der.push_back(certificateDer(cert.get()));
    }
    for (const auto& root : roots) {
      creds->roots_der.push_back(certificateDer(root.get()));
    }
  }
  creds->key = std::move(*key);
  creds->cert = std::move((*certs)[0]);
  return std::shared_ptr<const Credentials>(std::move(creds));
}

Result<MintResult> DiskUpstreamAuthority::mint(std::string_view csr_der,
                                               int32_t preferred_ttl_seconds) {
  std::shared_ptr<const Credentials> creds;
  std::string trust_domain;
  {
    std::lock_guard lock(mu_);
    if (!creds_) {
      return failedPrecondition("not configured");
    }
    trust_domain = trust_domain_;
    auto reloaded = load(paths_);
    if (reloaded) {
      creds_ = std::move(*reloaded);
    }
    creds = creds_;
  }

  const auto* p = reinterpret_cast<const unsigned char*>(csr_der.data());
  CsrPtr csr(d2i_X509_REQ(nullptr, &p, static_cast<long>(csr_der.size())));
  if (!csr) {
    takeOsslErrors();
    return invalidArgument("unable to sign CSR: unable to parse CSR");
  }
  EVP_PKEY* csr_key = X509_REQ_get0_pubkey(csr.get());
  if (csr_key == nullptr || X509_REQ_verify(csr.get(), csr_key) != 1) {
    takeOsslErrors();
    return invalidArgument("unable to sign CSR: CSR signature check failed");
  }
  std::vector<std::string> uris = csrUris(csr.get());
  if (uris.size() != 1) {
    return invalidArgument("unable to sign CSR: CSR must have exactly one URI SAN");
  }
  const std::string td_id = "spiffe://" + trust_domain;
  if (uris[0] != td_id) {
    return invalidArgument("unable to sign CSR: CSR SPIFFE ID \"" + uris[0] +
                           "\" is not the trust domain ID for trust domain \"" + trust_domain +
                           "\"");
  }

  auto cert = sign(*creds, csr.get(), csr_key, preferred_ttl_seconds);
  if (!cert) {
    return cert.status().withPrefix("unable to sign CSR");
  }
  MintResult out;
  out.x509_ca_chain.push_back(certificateDer(cert->get()));
  out.x509_ca_chain.insert(out.x509_ca_chain.end(), creds->chain_der.begin(),
                           creds->chain_der.end());
  out.upstream_x509_roots = creds->roots_der;
  return out;
}

Result<CertPtr> DiskUpstreamAuthority::sign(const Credentials& creds, X509_REQ* csr,
                                            EVP_PKEY* csr_key,
                                            int32_t preferred_ttl_seconds) const {
  CertPtr cert(X509_new());
  auto serial_bytes = randomBytes(16);
  if (!serial_bytes) {
    return serial_bytes.status();
  }
  (*serial_bytes)[0] = static_cast<char>((*serial_bytes)[0] & 0x7f); // positive
  BnPtr serial(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_bytes->data()), 16, nullptr));
  Asn1IntPtr serial_asn1(BN_to_ASN1_INTEGER(serial.get(), nullptr));

  std::time_t now = std::time(nullptr);
  std::chrono::seconds ttl =
      preferred_ttl_seconds > 0 ? std::chrono::seconds(preferred_ttl_seconds) : kDefaultTtl;
  std::time_t not_after = now + static_cast<std::time_t>(ttl.count());

  bool ok = X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            X509_set_serialNumber(cert.get(), serial_asn1.get()) == 1 &&
            X509_set_issuer_name(cert.get(), X509_get_subject_name(creds.cert.get())) == 1 &&
            X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(csr)) == 1 &&
            X509_set_pubkey(cert.get(), csr_key) == 1 &&
            X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0,
                             -static_cast<long>(kBackdate.count()), &now) != nullptr;
  if (!ok) {
    return internalError("unable to build certificate: " + takeOsslErrors());
  }
  const ASN1_TIME* upstream_not_after = X509_get0_notAfter(creds.cert.get());
  if (ASN1_TIME_cmp_time_t(upstream_not_after, not_after) < 0) {
    ok = X509_set1_notAfter(cert.get(), upstream_not_after) == 1;
  } else {
    ok = X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, 0, &not_after) != nullptr;
  }
  if (!ok) {
    return internalError("unable to set certificate lifetime: " + takeOsslErrors());
  }

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, creds.cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : std::initializer_list<std::pair<int, const char*>>{
           {NID_basic_constraints, "critical,CA:TRUE"},
           {NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"},
           {NID_subject_key_identifier, "hash"},
           {NID_authority_key_identifier, "keyid"},
       }) {
    if (Status st = addExtension(cert.get(), &ctx, nid, value); !st.isOk()) {
      return st;
    }
  }
  // The URI SAN is copied from the CSR (already checked to be exactly the trust domain ID).
  std::vector<std::string> uris = csrUris(csr);
  const std::string san_value = "URI:" + uris.at(0);
  if (Status st = addExtension(cert.get(), &ctx, NID_subject_alt_name, san_value.c_str());
      !st.isOk()) {
    return st;
  }
  if (X509_sign(cert.get(), creds.key.get(), signatureDigest(creds.key.get())) <= 0) {
    return internalError("unable to sign certificate: " + takeOsslErrors());
  }
  return cert;
}

} // namespace spire::builtin::upstream_authority
