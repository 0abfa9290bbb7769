#pragma once

// RAII owners for the OpenSSL objects the built-in plugins use; no plugin calls *_free by hand.

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace spire::builtin {

template <class T, void (*FreeFn)(T*)> struct OsslDeleter {
  void operator()(T* p) const { FreeFn(p); }
};
template <class T, void (*FreeFn)(T*)> using OsslPtr = std::unique_ptr<T, OsslDeleter<T, FreeFn>>;

inline void freeBioAll(BIO* b) {
  BIO_free_all(b);
}
inline void freeX509Stack(STACK_OF(X509) * s) {
  sk_X509_pop_free(s, X509_free);
}
inline void freeGeneralNameStack(GENERAL_NAMES* n) {
  GENERAL_NAMES_free(n);
}
inline void freeOsslBytes(unsigned char* p) {
  OPENSSL_free(p);
}

using PkeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using CertPtr = OsslPtr<X509, X509_free>;
using CsrPtr = OsslPtr<X509_REQ, X509_REQ_free>;
using StorePtr = OsslPtr<X509_STORE, X509_STORE_free>;
using StoreCtxPtr = OsslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using CertStackPtr = OsslPtr<STACK_OF(X509), freeX509Stack>;
using GeneralNamesPtr = OsslPtr<GENERAL_NAMES, freeGeneralNameStack>;
using BioPtr = OsslPtr<BIO, freeBioAll>;
using BnPtr = OsslPtr<BIGNUM, BN_free>;
using EcdsaSigPtr = OsslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using Asn1IntPtr = OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using ExtPtr = OsslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using OsslBytesPtr = OsslPtr<unsigned char, freeOsslBytes>;

// Drains this thread's OpenSSL error queue into one line ("" when empty).
std::string takeOsslErrors();

} // namespace spire::builtin
