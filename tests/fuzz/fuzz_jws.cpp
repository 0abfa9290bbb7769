// Fuzz target: compact JWS parsing, verification and signing (jwt/jws.h).
//
// Invariants: failures are InvalidArgument with a message; a parsed JWS has an allowed "alg" and
// an object header, and re-serialising its three decoded parts gives a token that parses to the
// same JWS; verification with an unrelated key fails with go-jose's crypto error or another
// InvalidArgument, never crashes; and any input used as a payload signs and verifies.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/encoding.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_keys.h"
#include "jwt/jws.h"

namespace {

using spire::Result;
using spire::jwt::CompactJws;

void checkFailure(const spire::Status& status) {
  FUZZ_CHECK(status.code() == spire::StatusCode::kInvalidArgument, "failures are InvalidArgument");
  FUZZ_CHECK(!status.message().empty(), "a failure has a message");
}

bool sameJws(const CompactJws& a, const CompactJws& b) {
  return a.header == b.header && a.protected_bytes == b.protected_bytes && a.payload == b.payload &&
         a.signature == b.signature && a.alg == b.alg && a.kid == b.kid && a.typ == b.typ;
}

void checkParsed(const CompactJws& jws) {
  FUZZ_CHECK(jws.header.is_object(), "the header is an object");
  std::string_view name = spire::jwt::jwsAlgorithmName(jws.alg);
  FUZZ_CHECK(spire::jwt::parseJwsAlgorithm(name) == jws.alg, "the algorithm name round-trips");
  std::string token = spire::base64UrlEncode(jws.protected_bytes) + "." +
                      spire::base64UrlEncode(jws.payload) + "." +
                      spire::base64UrlEncode(jws.signature);
  Result<CompactJws> again = spire::jwt::parseCompactJws(token);
  FUZZ_CHECK(again.isOk(), "the canonical re-serialisation parses");
  FUZZ_CHECK(sameJws(again.value(), jws), "the canonical re-serialisation gives the same JWS");

  spire::Status verified = spire::jwt::verifyCompactJws(jws, spire::fuzz::fuzzPrivateKey());
  if (!verified.isOk()) {
    checkFailure(verified);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  Result<CompactJws> jws = spire::jwt::parseCompactJws(text);
  if (jws.isOk()) {
    checkParsed(jws.value());
  } else {
    checkFailure(jws.status());
  }

  // The input as a payload: signing then verifying must succeed and keep the payload.
  const EVP_PKEY& key = spire::fuzz::fuzzPrivateKey();
  Result<std::string> token = spire::jwt::signCompactJws(R"({"alg":"ES256","kid":"fuzzkid"})", text,
                                                         spire::jwt::JwsAlgorithm::kEs256, key);
  FUZZ_CHECK(token.isOk(), "any payload can be signed");
  Result<CompactJws> signed_jws = spire::jwt::parseCompactJws(token.value());
  FUZZ_CHECK(signed_jws.isOk(), "our own token parses");
  FUZZ_CHECK(signed_jws->payload == text && signed_jws->kid == "fuzzkid", "payload and kid kept");
  FUZZ_CHECK(spire::jwt::verifyCompactJws(signed_jws.value(), key).isOk(),
             "our signature verifies");
  CompactJws tampered = signed_jws.value();
  tampered.payload += "x";
  spire::Status bad = spire::jwt::verifyCompactJws(tampered, key);
  FUZZ_CHECK(!bad.isOk() && bad.message() == spire::jwt::kErrCryptoFailure,
             "a changed payload fails with go-jose's crypto error");
  return 0;
}
