#pragma once

// RAII owners for every OpenSSL object the code base touches. Nothing outside core/crypto calls
// an OpenSSL *_free function by hand.

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace spire::crypto {

template <class T, void (*FreeFn)(T*)> struct OpenSslDeleter {
  void operator()(T* p) const { FreeFn(p); }
};

template <class T, void (*FreeFn)(T*)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, FreeFn>>;

inline void freeBio(BIO* b) {
  BIO_free_all(b);
}
inline void freeStackOfX509(STACK_OF(X509) * s) {
  sk_X509_pop_free(s, X509_free);
}
inline void freeGeneralNames(GENERAL_NAMES* n) {
  GENERAL_NAMES_free(n);
}
inline void freeOpenSslString(char* s) {
  OPENSSL_free(s);
}
inline void freeOpenSslBytes(unsigned char* s) {
  OPENSSL_free(s);
}

using EvpPkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509ReqPtr = OpenSslPtr<X509_REQ, X509_REQ_free>;
using X509StorePtr = OpenSslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using X509ExtensionPtr = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using StackOfX509Ptr = OpenSslPtr<STACK_OF(X509), freeStackOfX509>;
using GeneralNamesPtr = OpenSslPtr<GENERAL_NAMES, freeGeneralNames>;
using BioPtr = OpenSslPtr<BIO, freeBio>;
using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;
using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1TimePtr = OpenSslPtr<ASN1_TIME, ASN1_TIME_free>;
using OpenSslStringPtr = OpenSslPtr<char, freeOpenSslString>;
using OpenSslBytesPtr = OpenSslPtr<unsigned char, freeOpenSslBytes>;

// X.509 extension values, built or decoded in core/crypto's certificate code.
inline void freeStackOfX509Extension(STACK_OF(X509_EXTENSION) * s) {
  sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}
using StackOfX509ExtensionPtr = OpenSslPtr<STACK_OF(X509_EXTENSION), freeStackOfX509Extension>;
using BasicConstraintsPtr = OpenSslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using Asn1BitStringPtr = OpenSslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using Asn1OctetStringPtr = OpenSslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using ExtendedKeyUsagePtr = OpenSslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using AuthorityKeyIdPtr = OpenSslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using Pkcs8PrivKeyInfoPtr = OpenSslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using X509VerifyParamPtr = OpenSslPtr<X509_VERIFY_PARAM, X509_VERIFY_PARAM_free>;

// X509 certificates are reference counted; a shared owner lets bundles and SVIDs share them.
using X509Shared = std::shared_ptr<X509>;
inline X509Shared shareX509(X509Ptr cert) {
  return X509Shared(cert.release(), X509_free);
}

// A new reference to an existing certificate (X509_up_ref), owned by the result.
inline X509Ptr upRef(X509* cert) {
  X509_up_ref(cert);
  return X509Ptr(cert);
}
inline EvpPkeyPtr upRef(EVP_PKEY* key) {
  EVP_PKEY_up_ref(key);
  return EvpPkeyPtr(key);
}

// Drains the calling thread's OpenSSL error queue into one line ("" when it is empty).
std::string takeOpenSslErrors();

} // namespace spire::crypto
