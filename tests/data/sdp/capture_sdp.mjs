// Captures real SDP offers and answers from Debian's Chromium (npm playwright-core) and, when
// available, Debian's firefox-esr (npm puppeteer-core over WebDriver BiDi) into tests/data/sdp/.
// Re-run it when a browser's SDP changes shape; then update index.json by hand (each case's expected
// verdict is a decision, not a recording).
//
//   node tests/data/sdp/capture_sdp.mjs chromium
//   PUPPETEER_DIR=<folder with puppeteer-core installed> node tests/data/sdp/capture_sdp.mjs firefox
//
// Host addresses in candidates and c= lines are replaced with documentation addresses (RFC 5737,
// RFC 3849): they say nothing about fingerprints and would only leak the capturing machine's network.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const outDir = path.dirname(fileURLToPath(import.meta.url));
const browserName = process.argv[2] ?? 'chromium';

// Runs inside the page: one scenario, two RTCPeerConnections of the same page, non-trickle (each
// description is taken once its ICE gathering completed, as a signaling relay would see it whole).
async function runScenario(name) {
  const gathered = (pc) =>
    pc.iceGatheringState === 'complete'
      ? Promise.resolve()
      : new Promise((resolve) => {
          pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState === 'complete') resolve();
          });
          setTimeout(resolve, 5000); // loopback-only hosts may never report complete
        });
  const negotiate = async (offerer, answerer, beforeAnswer) => {
    await offerer.setLocalDescription(await offerer.createOffer());
    await gathered(offerer);
    const offer = offerer.localDescription.sdp;
    await answerer.setRemoteDescription({ type: 'offer', sdp: offer });
    if (beforeAnswer) await beforeAnswer();
    await answerer.setLocalDescription(await answerer.createAnswer());
    await gathered(answerer);
    const answer = answerer.localDescription.sdp;
    await offerer.setRemoteDescription({ type: 'answer', sdp: answer });
    return { offer, answer };
  };
  const connected = (pc) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (pc.connectionState === 'connected') resolve();
        if (pc.connectionState === 'failed') reject(new Error('connection failed'));
      };
      pc.addEventListener('connectionstatechange', check);
      check();
      setTimeout(() => reject(new Error(`not connected: ${pc.connectionState}`)), 15000);
    });
  // Ground truth for the fingerprint a decoded SDP must give: each connection gets a certificate
  // made here, whose getFingerprints() we normalise as the page does ("sha-256 AB:CD:..."). Where
  // getStats() reports the live transport's certificate (Chromium), it must agree.
  const canonical = (algorithm, value) => `${algorithm.toLowerCase()} ${value.toUpperCase()}`;
  const newConnection = async (bundlePolicy) => {
    const certificate = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' });
    const [first] = certificate.getFingerprints();
    const pc = new RTCPeerConnection({ bundlePolicy, certificates: [certificate] });
    return { pc, fingerprint: canonical(first.algorithm, first.value) };
  };
  const checkStats = async ({ pc, fingerprint }) => {
    const stats = await pc.getStats();
    for (const s of stats.values()) {
      if (s.type === 'transport' && s.localCertificateId) {
        const c = stats.get(s.localCertificateId);
        const live = canonical(c.fingerprintAlgorithm, c.fingerprint);
        if (live !== fingerprint) throw new Error(`getStats ${live} != getFingerprints ${fingerprint}`);
      }
    }
  };

  const bundlePolicy = name.startsWith('max_bundle') ? 'max-bundle' : 'balanced';
  const offerer = await newConnection(bundlePolicy);
  const answerer = await newConnection(bundlePolicy);
  const pc1 = offerer.pc;
  const pc2 = answerer.pc;
  pc1.createDataChannel('app');
  const withMedia = name !== 'datachannel';
  if (withMedia) {
    for (const pc of [pc1, pc2]) {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
    }
  }
  const out = {};
  const certificateOf = { offerer: offerer.fingerprint, answerer: answerer.fingerprint };
  const rejectVideoInAnswer =
    name === 'answer_rejects_video'
      ? async () => {
          for (const t of pc2.getTransceivers()) if (t.receiver.track.kind === 'video') t.stop();
        }
      : undefined;
  const first = await negotiate(pc1, pc2, rejectVideoInAnswer);
  out.offer = first.offer;
  out.answer = first.answer;
  await Promise.all([connected(pc1), connected(pc2)]);
  await checkStats(offerer);
  await checkStats(answerer);
  if (name === 'stopped_transceiver') {
    // The call's video is stopped: the re-offer rejects its m-section; one more round shows what a
    // later offer keeps of it.
    for (const t of pc1.getTransceivers()) if (t.receiver.track.kind === 'video') t.stop();
    const second = await negotiate(pc1, pc2);
    out.reoffer = second.offer;
    out.reanswer = second.answer;
    const third = await negotiate(pc1, pc2);
    out.third_offer = third.offer;
    out.third_answer = third.answer;
  }
  pc1.close();
  pc2.close();
  return { sdps: out, certificateOf };
}

function sanitize(sdp) {
  const documentation = (address) => (address.includes(':') ? '2001:db8::1' : '192.0.2.1');
  const keep = (address) => address === '0.0.0.0' || address === '127.0.0.1' || address === '::';
  return sdp
    .split('\r\n')
    .map((line) => {
      // a=candidate:<foundation> <component> <transport> <priority> <address> <port> ...
      let m = /^(a=candidate:\S+ \S+ \S+ \S+ )(\S+)( .*)$/.exec(line);
      if (m && !keep(m[2])) return `${m[1]}${documentation(m[2])}${m[3]}`;
      // c=IN IP4 <address>, a=rtcp:<port> IN IP4 <address>
      m = /^(c=IN IP[46] |a=rtcp:\d+ IN IP[46] )(\S+)$/.exec(line);
      if (m && !keep(m[2])) return `${m[1]}${documentation(m[2])}`;
      return line;
    })
    .join('\r\n');
}

async function openPage() {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>sdp capture</title>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  if (browserName === 'chromium') {
    const { launchChromium } = await import('../../browser/chromium.mjs');
    const browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(url);
    const version = browser.version();
    return {
      page,
      version,
      close: async () => {
        await browser.close();
        server.close();
      },
    };
  }
  // puppeteer-core is not one of the app's packages: resolved from PUPPETEER_DIR (a folder where
  // `npm install puppeteer-core` ran) when it is not installed here.
  const from = process.env.PUPPETEER_DIR ? path.join(process.env.PUPPETEER_DIR, 'x.js') : import.meta.url;
  const puppeteer = (await import(pathToFileURL(createRequire(from).resolve('puppeteer-core')).href)).default;
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      'media.peerconnection.ice.loopback': true,
    },
  });
  const page = await browser.newPage();
  await page.goto(url);
  const version = await browser.version();
  return {
    page,
    version,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}

const scenarios = [
  'datachannel',
  'audio_video',
  'stopped_transceiver',
  'answer_rejects_video',
  'max_bundle_audio_video',
];
const { page, version, close } = await openPage();
const captured = { browser: `${browserName} ${version}`, files: [] };
try {
  for (const name of scenarios) {
    const { sdps, certificateOf } = await page.evaluate(runScenario, name);
    for (const [key, sdp] of Object.entries(sdps)) {
      const file = `${browserName}_${name}_${key}.sdp`;
      writeFileSync(path.join(outDir, file), sanitize(sdp));
      // Offers come from the offerer (pc1), answers from the answerer (pc2).
      const fingerprint = key.includes('offer') ? certificateOf.offerer : certificateOf.answerer;
      captured.files.push({ file, fingerprint });
      console.log(`${file}: ${fingerprint}`);
    }
  }
} finally {
  await close();
}
writeFileSync(path.join(outDir, `captured_${browserName}.json`), `${JSON.stringify(captured, null, 2)}\n`);
