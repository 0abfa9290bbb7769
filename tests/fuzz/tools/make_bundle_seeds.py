#!/usr/bin/python3
# Writes the seed inputs of corpus/spiffe_bundle from corpus/x509/bundle_der and
# corpus/jwt_bundle/ec (run make_jwt_seeds.py first).
import base64, json, os
from cryptography import x509
from cryptography.hazmat.primitives import serialization
C = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'corpus') + '/'
ca_der = open(C + 'x509/bundle_der', 'rb').read()[1:]
cert = x509.load_der_x509_certificate(ca_der)
pub = cert.public_key().public_numbers()
b64u = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
x509_entry = {"use": "x509-svid", "kty": "EC", "crv": "P-256", "x": b64u(pub.x.to_bytes(32, 'big')), "y": b64u(pub.y.to_bytes(32, 'big')), "x5c": [base64.b64encode(ca_der).decode()]}
jwk = json.load(open(C + 'jwt_bundle/ec'))["keys"][0]
jwt_entry = dict(jwk, use="jwt-svid")
bundle = {"keys": [x509_entry, jwt_entry], "spiffe_sequence": 7, "spiffe_refresh_hint": 300}
w = lambda d, n, v: open(C + d + '/' + n, 'w').write(v if isinstance(v, str) else json.dumps(v, indent=4))
w('spiffe_bundle', 'full', bundle)
w('spiffe_bundle', 'empty_keys', '{"keys":[]}')
w('spiffe_bundle', 'no_keys', '{"spiffe_sequence":1}')
w('spiffe_bundle', 'two_x5c', {"keys": [dict(x509_entry, x5c=x509_entry["x5c"] * 2)]})
w('spiffe_bundle', 'jwt_no_kid', {"keys": [{k: v for k, v in jwt_entry.items() if k != "kid"}]})
w('spiffe_bundle', 'wit_and_unknown_use', {"keys": [dict(jwk, use="wit-svid"), dict(jwk, use="other"), {k: v for k, v in jwk.items()}]})
w('spiffe_bundle', 'map_two', {"trust_domains": {"example.org": bundle, "spiffe://other.org": {"keys": [jwt_entry]}}})
w('spiffe_bundle', 'map_duplicate', '{"trust_domains":{"a.org":{"keys":[]},"a.org":{"keys":[]}}}')
w('spiffe_bundle', 'map_same_td_two_spellings', '{"trust_domains":{"a.org":{"keys":[]},"spiffe://a.org":{"keys":[]}}}')
w('spiffe_bundle', 'map_bad_td', '{"trust_domains":{"A.org":{"keys":[]}}}')
w('spiffe_bundle', 'map_empty', '{}')
