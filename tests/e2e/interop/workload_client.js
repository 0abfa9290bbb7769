// An independent Workload API client on a separate gRPC implementation: @grpc/grpc-js with
// @grpc/proto-loader (npm), loading spec_workload.proto. Calls all five RPCs and prints one
// "key=value" line per fact for the C++ test; Node's crypto checks the SVID key and the JWT.
//
// usage: node workload_client.js SOCKET PROTO_PATH AUDIENCE
'use strict';
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [socketPath, protoPath, audience] = process.argv.slice(2);
const definition = protoLoader.loadSync(protoPath, {keepCase: true, defaults: true});
const Workload = grpc.loadPackageDefinition(definition).SpiffeWorkloadAPI;
const client = new Workload('unix:' + socketPath, grpc.credentials.createInsecure());
const metadata = () => {
  const m = new grpc.Metadata();
  m.set('workload.spiffe.io', 'true');
  return m;
};
const deadline = () => ({deadline: Date.now() + 20000});

function firstMessage(method, request) {
  return new Promise((resolve, reject) => {
    const call = client[method](request, metadata(), deadline());
    call.once('data', (message) => {
      resolve(message);
      call.cancel();
    });
    call.on('error', (err) => {
      if (err.code !== grpc.status.CANCELLED) reject(err);
    });
  });
}

function unary(method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata(), deadline(), (err, response) =>
      err ? reject(err) : resolve(response));
  });
}

function firstCertificate(der) {
  // DER SEQUENCE with a two-byte long-form length (every certificate here is > 255 bytes).
  const length = der[1] === 0x82 ? 4 + der.readUInt16BE(2) : 2 + der[1];
  return new crypto.X509Certificate(der.subarray(0, length));
}

async function main() {
  const x509 = await firstMessage('FetchX509SVID', {});
  const svid = x509.svids[0];
  const leaf = firstCertificate(svid.x509_svid);
  const key = crypto.createPrivateKey({key: svid.x509_svid_key, format: 'der', type: 'pkcs8'});
  const keyMatches = leaf.publicKey.export({type: 'spki', format: 'der'})
      .equals(crypto.createPublicKey(key).export({type: 'spki', format: 'der'}));
  console.log('x509.id=' + svid.spiffe_id);
  console.log('x509.san=' + leaf.subjectAltName);
  console.log('x509.key_matches=' + keyMatches);

  const bundles = await firstMessage('FetchX509Bundles', {});
  console.log('x509bundles.tds=' + Object.keys(bundles.bundles).sort().join(','));

  const jwtResponse = await unary('FetchJWTSVID', {audience: [audience]});
  const token = jwtResponse.svids[0].svid;
  console.log('jwt.id=' + jwtResponse.svids[0].spiffe_id);

  const jwtBundles = await firstMessage('FetchJWTBundles', {});
  const td = svid.spiffe_id.split('/').slice(0, 3).join('/');
  const jwks = JSON.parse(jwtBundles.bundles[td].toString());
  const [headerB64, payloadB64, signatureB64] = token.split('.');
  const header = JSON.parse(Buffer.from(headerB64, 'base64url'));
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  const publicKey = crypto.createPublicKey({key: jwk, format: 'jwk'});
  const verified = crypto.verify(
      header.alg.startsWith('ES') ? 'sha' + header.alg.slice(2) : 'sha256',
      Buffer.from(headerB64 + '.' + payloadB64),
      {key: publicKey, dsaEncoding: 'ieee-p1363'},
      Buffer.from(signatureB64, 'base64url'));
  const payload = JSON.parse(Buffer.from(payloadB64, 'base64url'));
  console.log('node.jwt_signature_valid=' + verified);
  console.log('node.jwt_sub=' + payload.sub);

  const validated = await unary('ValidateJWTSVID', {audience: audience, svid: token});
  console.log('validate.id=' + validated.spiffe_id);
  console.log('ok');
  client.close();
}

main().catch((err) => {
  console.error('error: ' + err.message);
  process.exit(1);
});
