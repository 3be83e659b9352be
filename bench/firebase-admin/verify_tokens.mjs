// The anchor of the token verification benchmark: firebase-admin's auth().verifyIdToken() on one
// thread, over the certificates and tokens bench/native/token_verify_bench made (its --export
// file). firebase-admin fetches Google's certificate URL over HTTPS; here the app's httpAgent
// carries that one request to a server in this process that answers with the bench's
// certificates and a long Cache-Control max-age, so during the timed loop the keys come from
// firebase-admin's own cache, as ours do. Every verification must give the token's person, and the
// certificates must have been fetched exactly once, or this exits non-zero.
//   node bench/firebase-admin/verify_tokens.mjs <export.json> <seconds>
// Prints one JSON object: per_s, verified, fetches.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

// An emulator host would make firebase-admin skip the signature check.
delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
const { initializeApp } = await import('firebase-admin/app');
const { getAuth } = await import('firebase-admin/auth');

const [exportPath, secondsText = '3'] = process.argv.slice(2);
const { project, certs, tokens, uids } = JSON.parse(readFileSync(exportPath, 'utf8'));
const seconds = Number(secondsText);

const certsHost = 'www.googleapis.com';
const certsPath = '/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com';
let fetches = 0;
const unexpected = [];
const certServer = http.createServer((req, res) => {
  if (req.headers.host !== certsHost || req.url !== certsPath) {
    unexpected.push(`${req.method} ${req.headers.host}${req.url}`);
    res.writeHead(404).end();
    return;
  }
  fetches++;
  res.writeHead(200, {
    'content-type': 'application/json; charset=UTF-8',
    'cache-control': 'public, max-age=20000, must-revalidate, no-transform',
  });
  res.end(JSON.stringify(certs));
});
await new Promise((resolve) => certServer.listen(0, '127.0.0.1', resolve));

// An HTTPS agent whose connections lead to the server above (plain HTTP on loopback): the
// request firebase-admin makes is unchanged, only where it goes.
class LocalCertsAgent extends https.Agent {
  createConnection(_options, callback) {
    const socket = net.connect(certServer.address().port, '127.0.0.1');
    socket.once('connect', () => callback(null, socket));
    socket.once('error', (error) => callback(error));
  }
}
const app = initializeApp({ projectId: project, httpAgent: new LocalCertsAgent({ keepAlive: false }) });
const auth = getAuth(app);

function fail(message) {
  console.error(`verify_tokens: ${message}`);
  process.exit(1);
}

// Sequential calls for `forS` seconds over the tokens round-robin; each must be its person.
async function run(forS) {
  const until = performance.now() + forS * 1000;
  let done = 0;
  for (let i = 0; ; i++) {
    const index = i % tokens.length;
    let decoded;
    try {
      decoded = await auth.verifyIdToken(tokens[index]);
    } catch (error) {
      fail(`token ${index} refused: ${error.code ?? ''} ${error.message}`);
    }
    if (decoded.uid !== uids[index]) fail(`token ${index} gave ${decoded.uid}, not ${uids[index]}`);
    done++;
    if (done % 64 === 0 && performance.now() >= until) return done;
  }
}

await run(Math.min(0.5, seconds)); // the fetch, and the JIT's warm-up
// A control: the same token claiming another person must be refused, or nothing is checked here.
const [header, payload, signature] = tokens[0].split('.');
const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: uids[1], user_id: uids[1] })).toString('base64url')}.${signature}`;
const forgedVerdict = await auth.verifyIdToken(forged).then(
  () => 'accepted',
  (error) => error.message,
);
if (!/invalid signature/.test(forgedVerdict))
  fail(`a forged token was not refused for its signature: ${forgedVerdict}`);
const t0 = performance.now();
const verified = await run(seconds);
const perS = verified / ((performance.now() - t0) / 1000);
certServer.close();
if (unexpected.length > 0) fail(`unexpected requests: ${unexpected.join(', ')}`);
if (fetches !== 1) fail(`the certificates were fetched ${fetches} times, not once`);
console.log(JSON.stringify({ per_s: perS, verified, fetches }));
process.exit(0);
