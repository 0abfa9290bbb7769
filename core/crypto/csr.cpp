#include "crypto/csr.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "crypto/pem.h"

namespace spire::crypto {
namespace {

std::vector<std::string> csrNames(const X509_REQ& csr, int wanted_type) {
  std::vector<std::string> out;
  StackOfX509ExtensionPtr exts(X509_REQ_get_extensions(const_cast<X509_REQ*>(&csr)));
  if (!exts) {
    ERR_clear_error();
    return out;
  }
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != wanted_type) {
      continue;
    }
    const ASN1_IA5STRING* text =
        wanted_type == GEN_URI ? name->d.uniformResourceIdentifier : name->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                     static_cast<std::size_t>(ASN1_STRING_length(text)));
  }
  return out;
}

} // namespace

Result<X509ReqPtr> createCsr(const CsrTemplate& tmpl, const EVP_PKEY& key) {
  X509ReqPtr csr(X509_REQ_new());
  if (!csr || X509_REQ_set_version(csr.get(), X509_REQ_VERSION_1) != 1) {
    return internalError("cannot allocate certificate request");
  }
  Result<X509NamePtr> subject = makeName(tmpl.subject);
  if (!subject) {
    return subject.status();
  }
  if (X509_REQ_set_subject_name(csr.get(), subject->get()) != 1 ||
      X509_REQ_set_pubkey(csr.get(), const_cast<EVP_PKEY*>(&key)) != 1) {
    return internalError("cannot set request subject or key: " + takeOpenSslErrors());
  }
  if (!tmpl.uri_sans.empty() || !tmpl.dns_sans.empty()) {
    Result<GeneralNamesPtr> names = makeSubjectAltNames(tmpl.uri_sans, tmpl.dns_sans);
    if (!names) {
      return names.status();
    }
    STACK_OF(X509_EXTENSION)* raw = nullptr;
    bool critical = tmpl.subject.empty();
    int rc = X509V3_add1_i2d(&raw, NID_subject_alt_name, names->get(), critical ? 1 : 0,
                             X509V3_ADD_DEFAULT);
    StackOfX509ExtensionPtr exts(raw);
    if (rc != 1 || X509_REQ_add_extensions(csr.get(), exts.get()) != 1) {
      return internalError("cannot add request extensions: " + takeOpenSslErrors());
    }
  }
  if (X509_REQ_sign(csr.get(), const_cast<EVP_PKEY*>(&key), signatureDigestFor(key)) <= 0) {
    return internalError("cannot sign certificate request: " + takeOpenSslErrors());
  }
  return csr;
}

Result<X509ReqPtr> parseCsrDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  X509ReqPtr csr(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!csr || p != end) {
    return invalidArgument(std::string(kMalformedCsr));
  }
  return csr;
}

Result<X509ReqPtr> parseCsrPem(std::string_view pem) {
  std::vector<PemBlock> blocks = decodePemBlocks(pem);
  if (blocks.empty()) {
    return invalidArgument(std::string(kNoPemBlocksFound));
  }
  for (const PemBlock& block : blocks) {
    if (block.type == "CERTIFICATE REQUEST" || block.type == "NEW CERTIFICATE REQUEST") {
      return parseCsrDer(block.der);
    }
  }
  return invalidArgument("no CERTIFICATE REQUEST PEM block found");
}

std::string csrToDer(const X509_REQ& csr) {
  int len = i2d_X509_REQ(&csr, nullptr);
  if (len <= 0) {
    return {};
  }
  std::string out(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  i2d_X509_REQ(&csr, &p);
  return out;
}

std::string csrToPem(const X509_REQ& csr) {
  return encodePem("CERTIFICATE REQUEST", csrToDer(csr));
}

Status checkCsrSignature(const X509_REQ& csr) {
  // Both calls only read the request; their prototypes are not const-qualified.
  auto* req = const_cast<X509_REQ*>(&csr);
  EVP_PKEY* key = X509_REQ_get0_pubkey(req);
  bool ok = key != nullptr && X509_REQ_verify(req, key) == 1;
  ERR_clear_error();
  if (!ok) {
    return invalidArgument(std::string(kCsrSignatureInvalid));
  }
  return Status::ok();
}

EvpPkeyPtr csrPublicKey(const X509_REQ& csr) {
  EVP_PKEY* key = X509_REQ_get0_pubkey(const_cast<X509_REQ*>(&csr));
  ERR_clear_error();
  return key == nullptr ? EvpPkeyPtr() : upRef(key);
}

std::string csrSubjectName(const X509_REQ& csr) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_REQ_get_subject_name(&csr), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::vector<std::string> csrUriSans(const X509_REQ& csr) {
  return csrNames(csr, GEN_URI);
}

std::vector<std::string> csrDnsSans(const X509_REQ& csr) {
  return csrNames(csr, GEN_DNS);
}

} // namespace spire::crypto
