"""An independent Workload API client: Debian's python3-grpcio with messages compiled from
spec_workload.proto, python3-cryptography for the X.509 checks and python3-jwt (PyJWT) for the
JWT-SVID checks against the JWKS from FetchJWTBundles. Calls all five RPCs and prints one
"key=value" line per fact, which the C++ test asserts on. Exit 0 only if every check passed.

usage: workload_client.py SOCKET GENERATED_DIR AUDIENCE
"""
import json
import sys

sys.path.insert(0, sys.argv[2])

import grpc  # noqa: E402
import jwt  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

import spec_workload_pb2 as pb  # noqa: E402

HEADER = [("workload.spiffe.io", "true")]


def first(stream):
    message = next(stream)
    stream.cancel()
    return message


def der_certs(blob):
    certs = []
    while blob:
        # DER SEQUENCE with a long-form length: 0x30 0x82 hi lo for anything over 255 bytes.
        length = 4 + int.from_bytes(blob[2:4], "big") if blob[1] == 0x82 else 2 + blob[1]
        certs.append(x509.load_der_x509_certificate(blob[:length]))
        blob = blob[length:]
    return certs


def main():
    socket, _, audience = sys.argv[1:4]
    channel = grpc.insecure_channel("unix:" + socket)
    call = lambda name, req, resp, stream: (channel.unary_stream if stream else channel.unary_unary)(
        "/SpiffeWorkloadAPI/" + name, request_serializer=req.SerializeToString,
        response_deserializer=resp.FromString)

    x509_resp = first(call("FetchX509SVID", pb.X509SVIDRequest, pb.X509SVIDResponse, True)(
        pb.X509SVIDRequest(), metadata=HEADER, timeout=20))
    svid = x509_resp.svids[0]
    chain = der_certs(svid.x509_svid)
    leaf = chain[0]
    uris = leaf.extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value.get_values_for_type(x509.UniformResourceIdentifier)
    key = serialization.load_der_private_key(svid.x509_svid_key, password=None)
    spki = lambda k: k.public_bytes(serialization.Encoding.DER,
                                    serialization.PublicFormat.SubjectPublicKeyInfo)
    roots = der_certs(svid.bundle)
    # The leaf (or its last intermediate) is signed by a root of the bundle.
    issuer = chain[-1]
    signed = any(issuer.issuer == root.subject for root in roots)
    print("x509.id=%s" % svid.spiffe_id)
    print("x509.san=%s" % ",".join(uris))
    print("x509.key_matches=%s" % (spki(key.public_key()) == spki(leaf.public_key())))
    print("x509.issued_by_bundle=%s" % signed)

    bundles = first(call("FetchX509Bundles", pb.X509BundlesRequest, pb.X509BundlesResponse, True)(
        pb.X509BundlesRequest(), metadata=HEADER, timeout=20))
    print("x509bundles.tds=%s" % ",".join(sorted(bundles.bundles.keys())))

    jwt_resp = call("FetchJWTSVID", pb.JWTSVIDRequest, pb.JWTSVIDResponse, False)(
        pb.JWTSVIDRequest(audience=[audience]), metadata=HEADER, timeout=20)
    token = jwt_resp.svids[0].svid
    print("jwt.id=%s" % jwt_resp.svids[0].spiffe_id)

    jwt_bundles = first(call("FetchJWTBundles", pb.JWTBundlesRequest, pb.JWTBundlesResponse, True)(
        pb.JWTBundlesRequest(), metadata=HEADER, timeout=20))
    td = svid.spiffe_id.split("/", 3)[:3]
    jwks = json.loads(jwt_bundles.bundles["/".join(td)])
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k.get("kid") == kid)
    public_key = jwt.PyJWK.from_dict(jwk).key
    claims = jwt.decode(token, public_key, algorithms=["ES256", "ES384", "RS256", "PS256"],
                        audience=audience)
    print("pyjwt.sub=%s" % claims["sub"])

    validated = call("ValidateJWTSVID", pb.ValidateJWTSVIDRequest, pb.ValidateJWTSVIDResponse,
                     False)(pb.ValidateJWTSVIDRequest(audience=audience, svid=token),
                            metadata=HEADER, timeout=20)
    print("validate.id=%s" % validated.spiffe_id)
    print("validate.sub=%s" % validated.claims.fields["sub"].string_value)
    print("ok")


if __name__ == "__main__":
    main()
