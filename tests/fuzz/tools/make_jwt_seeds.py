#!/usr/bin/python3
# Writes the JWT seed inputs of corpus/jws and corpus/jwt_svid (signed with the fixed key of
# fuzz_keys.h, clock 2026-01-01 as in fuzz_jwt_svid.cpp) and corpus/jwt_bundle. Needs Debian's
# python3-cryptography and python3-jwt (/usr/bin/python3). RSA/Ed25519 keys are fresh each run.
import base64, json, os, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, ed25519
import jwt as pyjwt

C = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'corpus') + '/'
PEM = b"""-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyCSxFX05IEv0p8SP
ngyJnUqqkaEZz/41VCV8IS24LXOhRANCAARrihU6zZZIEhue71vhCndVN2UxfEaU
KomPkKh/pPaG+C6Lf3vSVwTbLuMla1SB+LHmlK6GEx9osaNUqb2Btw3h
-----END PRIVATE KEY-----
"""
key = serialization.load_pem_private_key(PEM, None)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
def w(d, n, data):
    open(C + d + '/' + n, 'wb').write(data.encode() if isinstance(data, str) else data)

NOW = 1767225600  # 2026-01-01T00:00:00Z, the harness's fixed clock
claims = {"aud": ["fuzz-aud"], "exp": NOW + 3600, "iat": NOW, "sub": "spiffe://example.org/workload"}
good = pyjwt.encode(claims, key, algorithm="ES256", headers={"kid": "fuzzkid", "typ": "JWT"})
w('jwt_svid', 'valid_es256', good)
w('jws', 'valid_es256', good)
w('jwt_svid', 'expired', pyjwt.encode(dict(claims, exp=NOW - 3600), key, algorithm="ES256", headers={"kid": "fuzzkid"}))
w('jwt_svid', 'wrong_aud_string', pyjwt.encode(dict(claims, aud="other"), key, algorithm="ES256", headers={"kid": "fuzzkid"}))
w('jwt_svid', 'unknown_kid', pyjwt.encode(claims, key, algorithm="ES256", headers={"kid": "nope", "typ": "JOSE"}))
w('jwt_svid', 'bad_typ', pyjwt.encode(claims, key, algorithm="ES256", headers={"kid": "fuzzkid", "typ": "xyz"}))
w('jwt_svid', 'no_kid_bad_sub', pyjwt.encode(dict(claims, sub="spiffe://example.org/"), key, algorithm="ES256"))
w('jwt_svid', 'nbf_future', pyjwt.encode(dict(claims, nbf=NOW + 999), key, algorithm="ES256", headers={"kid": "fuzzkid"}))
rsa_key = rsa.generate_private_key(65537, 2048)
w('jws', 'rs256', pyjwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "r"}))
w('jws', 'ps384', pyjwt.encode(claims, rsa_key, algorithm="PS384"))
w('jws', 'hs256_refused', pyjwt.encode(claims, "secret", algorithm="HS256"))
w('jws', 'none_refused', b64(b'{"alg":"none"}') + '.' + b64(b'{}') + '.')
w('jws', 'crit', b64(b'{"alg":"ES256","crit":["b64"],"b64":false}') + '.payload.' + b64(os.urandom(64)))
w('jws', 'two_parts', 'a.b')
w('jws', 'jwk_header', b64(json.dumps({"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"a","y":"b"}}).encode()) + '..' + b64(b'x'*64))

def ec_jwk(k, kid, use=None):
    n = k.public_key().public_numbers()
    size = (k.curve.key_size + 7) // 8
    d = {"kty": "EC", "kid": kid, "crv": {256: "P-256", 384: "P-384", 521: "P-521"}[k.curve.key_size],
         "x": b64(n.x.to_bytes(size, 'big')), "y": b64(n.y.to_bytes(size, 'big'))}
    if use: d["use"] = use
    return d
def rsa_jwk(k, kid):
    n = k.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "n": b64(n.n.to_bytes((n.n.bit_length()+7)//8, 'big')), "e": b64(n.e.to_bytes(3, 'big'))}
ed = ed25519.Ed25519PrivateKey.generate()
okp = {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": b64(ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))}
w('jwt_bundle', 'ec', json.dumps({"keys": [ec_jwk(key, "fuzzkid")]}))
w('jwt_bundle', 'mixed', json.dumps({"keys": [ec_jwk(key, "a", "jwt-svid"), rsa_jwk(rsa_key, "b"), okp, ec_jwk(ec.generate_private_key(ec.SECP384R1()), "c"), ec_jwk(ec.generate_private_key(ec.SECP521R1()), "d")], "spiffe_sequence": 1, "spiffe_refresh_hint": 300}, indent=4))
w('jwt_bundle', 'empty_kid', json.dumps({"keys": [ec_jwk(key, "")]}))
w('jwt_bundle', 'no_keys', '{}')
w('jwt_bundle', 'oct_skipped', json.dumps({"keys": [{"kty": "oct", "k": "AAAA", "kid": "s"}, {"kty": "EC", "crv": "P-224", "x": "AA", "y": "AA", "kid": "p"}]}))
w('jwt_bundle', 'bad_point', json.dumps({"keys": [dict(ec_jwk(key, "x"), y=b64(b'\x01' * 32))]}))
w('jwt_bundle', 'single_jwk', json.dumps(ec_jwk(key, "single")))
