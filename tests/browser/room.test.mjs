// The room app in real Chromium against the real server: create a room, join by link, see each
// other, chat with delivery receipts, a third peer, room full, peer left, a man-in-the-middle on the
// signaling path (caught by the room proof), what the server receives (never chat), NL/EN, /privacy,
// and two separate Chromium processes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import jsQR from 'jsqr';
import { launchChromium } from './chromium.mjs';
import * as flow from './room_flow.mjs';
import { startService } from './service.mjs';
import { incomingBatch } from './transfer_steps.mjs';

let service;
let browser;

before(async () => {
  service = await startService();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

// The shared steps, bound to this file's browser and server.
const newPeer = (name, { inBrowser = browser, ...options } = {}) => flow.newPeer(inBrowser, name, options);
const createRoom = (peer, origin = service.origin) => flow.createRoom(peer, origin);
const { closeAll, joinRoom, peerItem, sendChat, waitConnected } = flow;

// The room's QR code as drawn: the canvas's pixels, decoded by jsQR.
async function readShareQr(page) {
  await page.waitForSelector('#share-qr[data-qr=drawn]');
  const { width, height, pixels } = await page.evaluate(() => {
    const canvas = document.getElementById('share-qr');
    const image = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    return { width: image.width, height: image.height, pixels: Array.from(image.data) };
  });
  return jsQR(Uint8ClampedArray.from(pixels), width, height)?.data ?? null;
}

test('room: create, join by link, see names, chat both ways with delivery receipts', async () => {
  const alice = await newPeer('Alice');
  const bob = await newPeer('Bob');
  try {
    const url = await createRoom(alice);
    assert.equal(await alice.page.inputValue('[data-testid=share-link]'), url);
    assert.equal(await alice.page.locator('[data-testid=share-qr]').isVisible(), true);
    assert.equal(await readShareQr(alice.page), url, 'the QR code reads as the room link, key included');
    await joinRoom(bob, url);
    await waitConnected(alice, bob);

    // Both see the same safety code and a path.
    const codeA = await peerItem(alice.page, 'Bob').locator('[data-testid=peer-safety-code]').textContent();
    const codeB = await peerItem(bob.page, 'Alice').locator('[data-testid=peer-safety-code]').textContent();
    assert.match(codeA, /^\d{3} \d{3}$/);
    assert.equal(codeA, codeB);
    assert.equal(
      await peerItem(alice.page, 'Bob').locator('[data-testid=peer-path]').getAttribute('data-path'),
      'direct',
    );
    // The transfer half is wired to the mesh (engine made, panel mounted in the transfers section).
    for (const p of [alice, bob]) await p.page.waitForSelector('body[data-transfers=ready]', { state: 'attached' });

    const mine = await sendChat(alice, 'Hello Bob, the report is ready');
    await mine.and(alice.page.locator('[data-delivery=delivered]')).waitFor();
    assert.equal(await mine.locator('[data-testid=chat-delivery]').textContent(), 'Delivered');
    const got = bob.page.locator('[data-testid=chat-message]', { hasText: 'Hello Bob, the report is ready' });
    await got.waitFor();
    assert.equal(await got.locator('[data-testid=chat-sender]').textContent(), 'Alice');
    assert.match(await got.locator('[data-testid=chat-time]').textContent(), /\d{1,2}:\d{2}/);

    const reply = await sendChat(bob, 'Thanks Alice 👍');
    await reply.and(bob.page.locator('[data-delivery=delivered]')).waitFor();
    await alice.page
      .locator('[data-testid=chat-message]', { hasText: 'Thanks Alice 👍' })
      .locator('[data-testid=chat-sender]', { hasText: 'Bob' })
      .waitFor();

    // A renamed peer shows up under the new name on the other side, live.
    await bob.page.fill('[data-testid=self-name]', 'Bobby');
    await bob.page.press('[data-testid=self-name]', 'Enter');
    await peerItem(alice.page, 'Bobby').waitFor();
    assert.equal(await bob.page.evaluate(() => localStorage.getItem('cieloweb.name')), 'Bobby');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  } finally {
    await closeAll(alice, bob);
  }
});

test('room: a third peer joins and everyone sees everyone; a leaving peer is shown as left', async () => {
  const a = await newPeer('Ann');
  const b = await newPeer('Ben');
  const c = await newPeer('Cas');
  try {
    const url = await createRoom(a);
    await joinRoom(b, url);
    await waitConnected(a, b);
    await joinRoom(c, url);
    await waitConnected(a, c);
    await waitConnected(b, c);
    for (const p of [a, b, c]) assert.equal(await p.page.locator('[data-testid=peer][data-state=open]').count(), 2);

    // A message to the room reaches both others and counts as delivered once both acked.
    const msg = await sendChat(c, 'hi all');
    await msg.and(c.page.locator('[data-delivery=delivered]')).waitFor();
    await a.page.locator('[data-testid=chat-message]', { hasText: 'hi all' }).waitFor();
    await b.page.locator('[data-testid=chat-message]', { hasText: 'hi all' }).waitFor();

    await c.context.close();
    for (const p of [a, b]) {
      await p.page
        .locator('[data-testid=room-status][data-key=statusPeerLeft]', { hasText: 'Cas left the room.' })
        .waitFor();
      await p.page.locator('[data-testid=peer]', { hasText: 'Cas' }).waitFor({ state: 'detached' });
      assert.equal(await p.page.locator('[data-testid=peer][data-state=open]').count(), 1);
    }
  } finally {
    await closeAll(a, b);
  }
});

test('room: with --room-capacity 2 a third visitor is told the room is full', async () => {
  const small = await startService(['--room-capacity', '2']);
  const a = await newPeer('One');
  const b = await newPeer('Two');
  const c = await newPeer('Three');
  try {
    const url = await createRoom(a, small.origin);
    await joinRoom(b, url);
    await waitConnected(a, b);
    await joinRoom(c, url);
    const status = c.page.locator('[data-testid=room-status]');
    assert.equal(await status.getAttribute('data-key'), 'statusRoomFull');
    assert.match(await status.textContent(), /This room is full/);
    assert.equal(await c.page.locator('[data-testid=peer]').count(), 0);
    // The members are unaffected.
    assert.equal(await a.page.locator('[data-testid=peer][data-state=open]').count(), 1);
  } finally {
    await closeAll(a, b, c);
    await small.stop();
  }
});

test('room: a link without its key, or with an unknown room, explains itself', async () => {
  const a = await newPeer('Solo');
  try {
    await a.page.goto(`${service.origin}/r/AAAAAAAAAAAAAAAAAAAAAA`);
    await a.page.waitForSelector('body[data-room=error]');
    assert.equal(await a.page.getAttribute('[data-testid=room-status]', 'data-key'), 'statusMissingKey');
    await a.page.goto(`${service.origin}/r/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAA`);
    await a.page.waitForSelector('body[data-room=error]');
    assert.equal(await a.page.getAttribute('[data-testid=room-status]', 'data-key'), 'statusRoomNotFound');
  } finally {
    await closeAll(a);
  }
});

// A man in the middle on the signaling path: Bob's WebSocket goes through a relay that answers
// Bob's offer and makes its own offer to Alice, with the DTLS certificates of a third browser page ("Mallory")
// that bridges the two data channel pairs. Everything the relay sends is well formed; only the
// fingerprints are swapped. The room proof must catch it on both sides.
async function interceptWithMallory(bob, mallory) {
  let aliceId = null;
  let toServer = null;
  let toBob = null;
  let chain = Promise.resolve();
  await mallory.page.exposeFunction('malloryOut', (side, data) => {
    // Towards Alice: through the real server, as a signal from Bob. Towards Bob: as if from Alice.
    if (side === 'A') toServer(JSON.stringify({ v: 1, type: 'signal', to: aliceId, data }));
    else toBob(JSON.stringify({ v: 1, type: 'signal', from: aliceId, data }));
  });
  await mallory.page.evaluate(() => {
    const pcs = {};
    const channels = { A: {}, B: {} };
    const other = { A: 'B', B: 'A' };
    const queued = { A: { app: [], transfer: [] }, B: { app: [], transfer: [] } };
    function connection(side, gen) {
      if (pcs[side]) return pcs[side];
      const pc = new RTCPeerConnection({ iceServers: [] });
      pcs[side] = pc;
      pc.onicecandidate = ({ candidate }) =>
        candidate && window.malloryOut(side, { gen, candidate: candidate.toJSON() });
      for (const [label, id] of [
        ['app', 0],
        ['transfer', 1],
      ]) {
        const ch = pc.createDataChannel(label, { negotiated: true, id, ordered: true });
        ch.binaryType = 'arraybuffer';
        channels[side][label] = ch;
        // Bridge: whatever one side says is passed, unchanged, to the other.
        ch.onmessage = (e) => {
          const out = channels[other[side]][label];
          if (out?.readyState === 'open') out.send(e.data);
          else queued[other[side]][label].push(e.data);
        };
        ch.onopen = () => {
          for (const m of queued[side][label].splice(0)) ch.send(m);
        };
      }
      return pc;
    }
    window.mallory = {
      async fromPeer(side, data) {
        if (side === 'B' && !pcs.A) {
          // Bob, the newcomer, offers to "Alice"; Mallory makes her own offer to Alice "from Bob".
          const toAlice = connection('A', data.gen ?? 0);
          await toAlice.setLocalDescription();
          window.malloryOut('A', { gen: data.gen ?? 0, description: toAlice.localDescription.toJSON() });
        }
        const pc = connection(side, data.gen ?? 0);
        if (data.description) {
          await pc.setRemoteDescription(data.description);
          if (data.description.type === 'offer') {
            await pc.setLocalDescription();
            window.malloryOut(side, { gen: data.gen ?? 0, description: pc.localDescription.toJSON() });
          }
        } else if (data.candidate) {
          await pc.addIceCandidate(data.candidate).catch(() => {});
        }
      },
    };
  });
  await bob.page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    toServer = (text) => server.send(text);
    toBob = (text) => ws.send(text);
    const feed = (side, data) => {
      chain = chain.then(() => mallory.page.evaluate(([s, d]) => window.mallory.fromPeer(s, d), [side, data]));
    };
    ws.onMessage((text) => {
      const msg = JSON.parse(String(text));
      if (msg.type === 'signal' && msg.to === aliceId) return feed('B', msg.data); // Bob -> "Alice"
      server.send(text);
    });
    server.onMessage((text) => {
      const msg = JSON.parse(String(text));
      if (msg.type === 'joined') aliceId = msg.peers[0]?.id ?? null;
      if (msg.type === 'signal' && msg.from === aliceId) return feed('A', msg.data); // Alice -> "Bob"
      ws.send(text);
    });
  });
}

test('room proof: a signaling relay that swaps DTLS fingerprints is caught and the peer blocked', async () => {
  const alice = await newPeer('Alice');
  const bob = await newPeer('Bob');
  const mallory = await newPeer('Mallory');
  try {
    await mallory.page.goto(`${service.origin}/`);
    await interceptWithMallory(bob, mallory);
    const url = await createRoom(alice);
    await joinRoom(bob, url);

    // Each side is connected (to Mallory), but the proof it received does not match its connection.
    for (const [me, them] of [
      [alice, 'Bob'],
      [bob, 'Alice'],
    ]) {
      const item = peerItem(me.page, them, 'blocked');
      await item.waitFor();
      assert.match(
        await item.locator('[data-testid=peer-warning]').textContent(),
        /could not prove it holds this room's key/,
      );
      assert.equal(await me.page.getAttribute('[data-testid=room-status]', 'data-key'), 'statusBlocked');
    }
    // The two safety codes differ, as they would when read out loud.
    const codeA = await peerItem(alice.page, 'Bob', 'blocked').locator('[data-testid=peer-safety-code]').textContent();
    const codeB = await peerItem(bob.page, 'Alice', 'blocked').locator('[data-testid=peer-safety-code]').textContent();
    assert.notEqual(codeA, codeB);
    // A blocked peer gets no chat: nothing is sent, and the message says so.
    const msg = await sendChat(alice, 'secret for Bob only');
    await msg.and(alice.page.locator('[data-delivery=failed]')).waitFor();
    assert.equal(await bob.page.locator('[data-testid=chat-message]').count(), 0);
  } finally {
    await closeAll(alice, bob, mallory);
  }
});

test('privacy: the server receives no chat text and no room key', async () => {
  const seen = [];
  const alice = await newPeer('Alice', { record: seen });
  const bob = await newPeer('Bob', { record: seen });
  const secret = `the vault code is ${Math.random().toString(36).slice(2)}`;
  try {
    const url = await createRoom(alice);
    const key = new URL(url).hash.slice(1);
    await joinRoom(bob, url);
    await waitConnected(alice, bob);
    const mine = await sendChat(alice, secret);
    await mine.and(alice.page.locator('[data-delivery=delivered]')).waitFor();
    await bob.page.locator('[data-testid=chat-message]', { hasText: secret }).waitFor();
    const reply = await sendChat(bob, `re: ${secret}`);
    await reply.and(bob.page.locator('[data-delivery=delivered]')).waitFor();

    // The recording did see the signaling (so it would have seen the text had it been there) ...
    const sent = seen.filter((m) => m.to === 'server').map((m) => m.text);
    assert.ok(sent.some((t) => t.includes('"type":"join"')));
    assert.ok(sent.some((t) => t.includes('a=fingerprint')));
    // ... but neither the chat text nor the room key, in either direction, nor in the server's log.
    const everything = seen.map((m) => m.text).join('\n') + service.log.join('');
    assert.equal(everything.includes('vault code'), false);
    assert.equal(everything.includes(key), false);
  } finally {
    await closeAll(alice, bob);
  }
});

test('i18n: the room speaks Dutch to a Dutch browser and switches to English', async () => {
  const anna = await newPeer('Anna', { locale: 'nl-NL' });
  const bram = await newPeer('Bram', { locale: 'nl-NL' });
  try {
    const url = await createRoom(anna);
    await joinRoom(bram, url);
    await waitConnected(anna, bram);
    assert.equal(await anna.page.getAttribute('html', 'lang'), 'nl');
    assert.equal(await anna.page.textContent('[data-i18n=peopleTitle]'), 'Mensen in deze ruimte');
    assert.equal(await peerItem(anna.page, 'Bram').locator('[data-testid=peer-state]').textContent(), 'Verbonden');
    const msg = await sendChat(anna, 'hallo');
    await msg.and(anna.page.locator('[data-delivery=delivered]')).waitFor();
    assert.equal(await msg.locator('[data-testid=chat-delivery]').textContent(), 'Afgeleverd');

    await anna.page.selectOption('[data-testid=language]', 'en');
    assert.equal(await anna.page.getAttribute('html', 'lang'), 'en');
    assert.equal(await anna.page.textContent('[data-i18n=peopleTitle]'), 'People in this room');
    assert.equal(await peerItem(anna.page, 'Bram').locator('[data-testid=peer-state]').textContent(), 'Connected');
    assert.equal(
      await anna.page
        .locator('[data-testid=chat-message]', { hasText: 'hallo' })
        .locator('[data-testid=chat-delivery]')
        .textContent(),
      'Delivered',
    );
    await bram.context.close();
    await anna.page.locator('[data-testid=room-status]', { hasText: 'Bram left the room.' }).waitFor();
  } finally {
    await closeAll(anna);
  }
});

test('privacy page: our commitments in English and Dutch', async () => {
  const visitor = await newPeer('Visitor');
  try {
    await visitor.page.goto(`${service.origin}/`);
    await visitor.page.click('[data-testid=privacy-link]');
    await visitor.page.waitForURL(/\/privacy$/);
    const en = visitor.page.locator('[data-testid=privacy] article[lang=en]');
    await en.waitFor();
    const text = await en.textContent();
    for (const phrase of [
      'What we never collect',
      'chat messages',
      'files',
      'audio and video',
      'name, username, email address, plan',
      'company',
      'AdSense',
      'no analytics cookies',
      'DTLS',
      'GDPR',
      '16',
    ]) {
      assert.ok(text.includes(phrase), `English policy mentions ${phrase}`);
    }
    assert.equal(await visitor.page.locator('[data-testid=privacy] article[lang=nl]').isVisible(), false);

    await visitor.page.selectOption('[data-testid=language]', 'nl');
    const nl = visitor.page.locator('[data-testid=privacy] article[lang=nl]');
    await nl.waitFor();
    const tekst = await nl.textContent();
    for (const phrase of [
      'Wat we nooit verzamelen',
      'chatberichten',
      'bestanden',
      'audio en video',
      'naam, gebruikersnaam, e-mailadres, abonnement',
      'bedrijfsnaam',
      'AdSense',
      'geen analytische cookies',
      'DTLS',
      'AVG',
      '16 jaar',
    ]) {
      assert.ok(tekst.includes(phrase), `Dutch policy mentions ${phrase}`);
    }
    assert.equal(await en.isVisible(), false);
  } finally {
    await closeAll(visitor);
  }
});

test('privacy page: /privacy loaded directly is the page', async () => {
  const res = await fetch(`${service.origin}/privacy`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  const visitor = await newPeer('Visitor', { locale: 'nl-NL' });
  try {
    await visitor.page.goto(`${service.origin}/privacy`);
    await visitor.page
      .locator('[data-testid=privacy] article[lang=nl]', { hasText: 'Wat we nooit verzamelen' })
      .waitFor();
  } finally {
    await closeAll(visitor);
  }
});

test('room: two separate Chromium processes connect, chat and agree on the safety code', async () => {
  const other = await launchChromium();
  const alice = await newPeer('Alice');
  const bob = await newPeer('Bob', { inBrowser: other });
  try {
    const url = await createRoom(alice);
    await joinRoom(bob, url);
    await waitConnected(alice, bob);
    const codeA = await peerItem(alice.page, 'Bob').locator('[data-testid=peer-safety-code]').textContent();
    const codeB = await peerItem(bob.page, 'Alice').locator('[data-testid=peer-safety-code]').textContent();
    assert.equal(codeA, codeB);
    const msg = await sendChat(bob, 'from another process');
    await msg.and(bob.page.locator('[data-delivery=delivered]')).waitFor();
    await alice.page.locator('[data-testid=chat-message]', { hasText: 'from another process' }).waitFor();
  } finally {
    await closeAll(alice, bob);
    await other.close();
  }
});

test('room: a dropped peer connection is rebuilt through the server and chat works again', async () => {
  const alice = await newPeer('Alice');
  const bob = await newPeer('Bob');
  try {
    await flow.keepConnections(bob); // so one of Bob's connections can be cut
    const url = await createRoom(alice);
    await joinRoom(bob, url);
    await waitConnected(alice, bob);
    assert.equal(await bob.page.evaluate(() => window.testConnections.length), 1);

    await bob.page.evaluate(() => window.testConnections[0].close());
    // Alice sees the drop, a new connection is negotiated through the server, and both verify again.
    await bob.page.waitForFunction(() => window.testConnections.length === 2);
    await waitConnected(alice, bob);
    const msg = await sendChat(alice, 'still there?');
    await msg.and(alice.page.locator('[data-delivery=delivered]')).waitFor();
    const reply = await sendChat(bob, 'yes');
    await reply.and(bob.page.locator('[data-delivery=delivered]')).waitFor();
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  } finally {
    await closeAll(alice, bob);
  }
});

// Follows a same-document link, as a link inside the app would (the router takes [data-link] links).
async function followAppLink(page, href) {
  await page.evaluate((h) => {
    const link = Object.assign(document.createElement('a'), { href: h });
    link.dataset.link = '';
    document.body.append(link);
    link.click();
    link.remove();
  }, href);
}

test('room: a second room in the same tab opens without a reload; the first is left and closed', async () => {
  const alice = await newPeer('Alice');
  const bob = await newPeer('Bob');
  const carol = await newPeer('Carol');
  try {
    await flow.keepConnections(alice); // to count the connections still open
    // Test-side instrumentation: the page's repeating timers still running.
    await alice.context.addInitScript(() => {
      const running = new Set();
      const { setInterval: set, clearInterval: clear } = window;
      window.setInterval = (...args) => {
        const id = set(...args);
        running.add(id);
        return id;
      };
      window.clearInterval = (id) => {
        running.delete(id);
        clear(id);
      };
      window.runningIntervals = () => running.size;
    });
    const first = await createRoom(alice);
    await joinRoom(bob, first);
    await waitConnected(alice, bob);
    await alice.page.evaluate(() => (window.sameDocument = 'still here'));

    // Back to the landing page by the header link, and into a new room: no reload on the way.
    await alice.page.click('a.brand');
    await alice.page.waitForSelector('[data-testid=create-room]');
    await bob.page
      .locator('[data-testid=room-status][data-key=statusPeerLeft]', { hasText: 'Alice left the room.' })
      .waitFor();
    await alice.page.click('[data-testid=create-room]');
    await alice.page.waitForURL(
      (url) => /^\/r\//.test(url.pathname) && !first.startsWith(`${url.origin}${url.pathname}#`),
    );
    await alice.page.waitForSelector('body[data-room=joined]');
    const second = await flow.shareLink(alice.page);
    await joinRoom(carol, second);
    await waitConnected(alice, carol);
    await flow.waitEngineAttached(alice, 'Carol');
    assert.equal(await alice.page.locator('[data-testid=peer]').count(), 1, 'only Carol is in the second room');
    const hello = await sendChat(alice, 'hello Carol');
    await hello.and(alice.page.locator('[data-delivery=delivered]')).waitFor();
    const reply = await sendChat(carol, 'hi Alice');
    await reply.and(carol.page.locator('[data-delivery=delivered]')).waitFor();
    await alice.page.locator('[data-testid=chat-message]', { hasText: 'hi Alice' }).waitFor();

    // Straight from this room into the first one again, by a link inside the app.
    await followAppLink(alice.page, first);
    await carol.page
      .locator('[data-testid=room-status][data-key=statusPeerLeft]', { hasText: 'Alice left the room.' })
      .waitFor();
    await waitConnected(alice, bob);
    await flow.waitEngineAttached(alice, 'Bob');
    assert.equal(
      await alice.page.locator('[data-testid=chat-message]', { hasText: 'hi Alice' }).count(),
      0,
      "the second room's chat is gone",
    );
    const back = await sendChat(bob, 'welcome back');
    await back.and(bob.page.locator('[data-delivery=delivered]')).waitFor();
    await alice.page.locator('[data-testid=chat-message]', { hasText: 'welcome back' }).waitFor();

    // A file picked in this room goes once, from this room's panel (the panels of the rooms left
    // no longer listen to the page's inputs).
    await alice.page.setInputFiles('[data-testid=room-file-input]', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('second visit'),
    });
    await incomingBatch(bob, 'notes.txt').waitFor();
    assert.equal(await alice.page.locator('[data-testid=transfer-batch][data-direction=out]').count(), 1);

    assert.equal(await alice.page.evaluate(() => window.sameDocument), 'still here', 'the tab was never reloaded');
    // Of the three connections Alice made, only the one to Bob in this room is still open.
    const states = await alice.page.evaluate(() => window.testConnections.map((pc) => pc.connectionState));
    assert.equal(states.length, 3);
    assert.deepEqual(states.slice(0, 2), ['closed', 'closed']);

    // Out of the room again: nothing of the rooms keeps running but the tab's signaling ping.
    await alice.page.click('a.brand');
    await bob.page
      .locator('[data-testid=room-status][data-key=statusPeerLeft]', { hasText: 'Alice left the room.' })
      .waitFor();
    assert.ok((await alice.page.evaluate(() => window.runningIntervals())) <= 1);
    assert.deepEqual([...alice.errors, ...bob.errors, ...carol.errors], []);
  } finally {
    await closeAll(alice, bob, carol);
  }
});
