// Fuzz target: SPIFFE bundles and bundle maps (bundle/spiffe_bundle.h, bundle/bundle_map.h).
//
// Invariants: failures are InvalidArgument with go-spiffe's "spiffebundle: " prefix; a parsed
// bundle marshals (go-spiffe form) to JSON that parses back to an equal bundle, and marshalling
// again gives the same bytes; SPIRE's form carries the same X.509 and JWT authorities; a parsed
// bundle map marshals to a map that parses back to the same trust domains and bundles (refresh
// hints aside, which map entries leave out).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bundle/bundle_map.h"
#include "bundle/spiffe_bundle.h"
#include "crypto/certificate.h"
#include "fuzz/fuzz_check.h"
#include "spiffe/trust_domain.h"

namespace {

using spire::Result;
using spire::bundle::SpiffeBundle;
using spire::bundle::SpiffeBundleMap;

const spire::spiffe::TrustDomain& fuzzTd() {
  static const spire::spiffe::TrustDomain td =
      spire::spiffe::TrustDomain::parse("example.org").value();
  return td;
}

void checkFailure(const spire::Status& status) {
  FUZZ_CHECK(status.code() == spire::StatusCode::kInvalidArgument, "failures are InvalidArgument");
  FUZZ_CHECK(status.message().starts_with("spiffebundle: "), "go-spiffe's prefix");
}

std::vector<std::string> x509Ders(const SpiffeBundle& bundle) {
  std::vector<std::string> out;
  for (const auto& cert : bundle.x509Authorities()) {
    out.push_back(spire::crypto::certificateToDer(*cert));
  }
  return out;
}

bool sameAuthorities(const SpiffeBundle& a, const SpiffeBundle& b) {
  return x509Ders(a) == x509Ders(b) && a.toJwtBundle().equals(b.toJwtBundle());
}

void checkBundle(const SpiffeBundle& bundle) {
  FUZZ_CHECK(bundle.trustDomain() == fuzzTd(), "the bundle keeps its trust domain");
  Result<std::string> json = bundle.marshal();
  FUZZ_CHECK(json.isOk(), "a parsed bundle marshals");
  Result<SpiffeBundle> again = SpiffeBundle::parse(fuzzTd(), json.value());
  FUZZ_CHECK(again.isOk(), "the marshalled bundle parses");
  FUZZ_CHECK(again->equals(bundle), "the marshalled bundle parses to an equal bundle");
  FUZZ_CHECK(again->witAuthorities().size() == bundle.witAuthorities().size(),
             "WIT authorities survive");
  Result<std::string> json_again = again->marshal();
  FUZZ_CHECK(json_again.isOk() && json_again.value() == json.value(), "marshalling is stable");

  Result<std::string> spire_json = bundle.marshalSpire();
  FUZZ_CHECK(spire_json.isOk(), "a parsed bundle marshals in SPIRE's form");
  Result<SpiffeBundle> from_spire = SpiffeBundle::parse(fuzzTd(), spire_json.value());
  FUZZ_CHECK(from_spire.isOk(), "SPIRE's form parses");
  FUZZ_CHECK(sameAuthorities(from_spire.value(), bundle), "same authorities in SPIRE's form");
}

void checkMap(const SpiffeBundleMap& map) {
  Result<std::string> json = map.marshal();
  FUZZ_CHECK(json.isOk(), "a parsed map marshals");
  Result<SpiffeBundleMap> again = SpiffeBundleMap::parse(json.value());
  FUZZ_CHECK(again.isOk(), "the marshalled map parses");
  FUZZ_CHECK(again->size() == map.size(), "same number of trust domains");
  for (const auto& [td, bundle] : map.bundles()) {
    const SpiffeBundle* other = again->get(td);
    FUZZ_CHECK(other != nullptr, "every trust domain survives");
    SpiffeBundle a = bundle;
    SpiffeBundle b = *other;
    a.clearRefreshHint();
    b.clearRefreshHint();
    FUZZ_CHECK(a.equals(b), "every bundle survives, refresh hint aside");
  }
  Result<std::string> json_again = again->marshal();
  FUZZ_CHECK(json_again.isOk() && json_again.value() == json.value(), "marshalling is stable");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<SpiffeBundle> bundle = SpiffeBundle::parse(fuzzTd(), text);
  bundle.isOk() ? checkBundle(bundle.value()) : checkFailure(bundle.status());
  Result<SpiffeBundleMap> map = SpiffeBundleMap::parse(text);
  map.isOk() ? checkMap(map.value()) : checkFailure(map.status());
  return 0;
}
