// The room app in real Chromium against the real server: create a room, join by link, see each
// other, chat with delivery receipts, a third peer, room full, peer left, a man-in-the-middle on the
// signaling path (caught by the room proof), what the server receives (never chat), NL/EN, /privacy,
// and two separate Chromium processes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import { startService } from './service.mjs';

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

// A fresh context (its own storage) whose remembered display name is `name`.
async function newPeer(name, { locale = 'en-US', inBrowser = browser, record = null } = {}) {
  const context = await inBrowser.newContext({ locale });
  await context.addInitScript((n) => {
    if (!localStorage.getItem('cieloweb.name')) localStorage.setItem('cieloweb.name', n);
  }, name);
  if (record) await recordSignaling(context, record);
  const page = await context.newPage();
  const errors = [];
  const logs = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  return { name, context, page, errors, logs };
}

// Passes every signaling message through while keeping a copy of each, in both directions.
async function recordSignaling(target, sink) {
  await target.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      sink.push({ to: 'server', text: String(m) });
      server.send(m);
    });
    server.onMessage((m) => {
      sink.push({ to: 'page', text: String(m) });
      ws.send(m);
    });
  });
}

async function createRoom(peer, origin = service.origin) {
  await peer.page.goto(origin + '/');
  await peer.page.click('[data-testid=create-room]');
  await peer.page.waitForURL(/\/r\/[A-Za-z0-9_-]+#[A-Za-z0-9_-]{22,}$/);
  await peer.page.waitForSelector('body[data-room=joined]');
  return peer.page.url();
}

async function joinRoom(peer, url) {
  await peer.page.goto(url);
  await peer.page.waitForSelector('body[data-room=joined], body[data-room=error]');
}

function peerItem(page, name, state = 'open') {
  return page.locator(`[data-testid=peer][data-state=${state}]`, {
    has: page.locator('[data-testid=peer-name]', { hasText: new RegExp(`^${name}$`) }),
  });
}

// On failure, says what each side saw: the peer list and the page's console.
async function describe(...peers) {
  const lines = [];
  for (const p of peers) {
    const list = await p.page
      .evaluate(() => [...document.querySelectorAll('[data-testid=peer]')].map((e) => `${e.dataset.state}:${e.textContent}`))
      .catch((e) => [String(e)]);
    lines.push(`${p.name}: ${JSON.stringify(list)}\n  ${p.logs.slice(-10).join('\n  ')}`);
  }
  return lines.join('\n');
}

async function waitConnected(a, b) {
  try {
    await peerItem(a.page, b.name).waitFor();
    await peerItem(b.page, a.name).waitFor();
  } catch (error) {
    error.message += `\n${await describe(a, b)}`;
    throw error;
  }
}

async function sendChat(peer, text) {
  await peer.page.fill('[data-testid=chat-input]', text);
  await peer.page.click('[data-testid=chat-send]');
  return peer.page.locator('[data-testid=chat-message]', { hasText: text });
}

async function closeAll(...peers) {
  for (const p of peers) await p.context.close();
}

test('room: create, join by link, see names, chat both ways with delivery receipts', async () => {
  const alice = await newPeer('Alice');
  const bob = await newPeer('Bob');
  try {
    const url = await createRoom(alice);
    assert.equal(await alice.page.inputValue('[data-testid=share-link]'), url);
    assert.equal(await alice.page.locator('[data-testid=share-qr]').isVisible(), true);
    await joinRoom(bob, url);
    await waitConnected(alice, bob);

    // Both see the same safety code and a path.
    const codeA = await peerItem(alice.page, 'Bob').locator('[data-testid=peer-safety-code]').textContent();
    const codeB = await peerItem(bob.page, 'Alice').locator('[data-testid=peer-safety-code]').textContent();
    assert.match(codeA, /^\d{3} \d{3}$/);
    assert.equal(codeA, codeB);
    assert.equal(await peerItem(alice.page, 'Bob').locator('[data-testid=peer-path]').getAttribute('data-path'), 'direct');

    const mine = await sendChat(alice, 'Hello Bob, the report is ready');
    await mine.and(alice.page.locator('[data-delivery=delivered]')).waitFor();
    assert.equal(await mine.locator('[data-testid=chat-delivery]').textContent(), 'Delivered');
    const got = bob.page.locator('[data-testid=chat-message]', { hasText: 'Hello Bob, the report is ready' });
    await got.waitFor();
    assert.equal(await got.locator('[data-testid=chat-sender]').textContent(), 'Alice');
    assert.match(await got.locator('[data-testid=chat-time]').textContent(), /\d{1,2}:\d{2}/);

    const reply = await sendChat(bob, 'Thanks Alice 👍');
    await reply.and(bob.page.locator('[data-delivery=delivered]')).waitFor();
    await alice.page.locator('[data-testid=chat-message]', { hasText: 'Thanks Alice 👍' }).locator('[data-testid=chat-sender]', { hasText: 'Bob' }).waitFor();

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
      await p.page.locator('[data-testid=room-status][data-key=statusPeerLeft]', { hasText: 'Cas left the room.' }).waitFor();
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
    await a.page.goto(service.origin + '/r/AAAAAAAAAAAAAAAAAAAAAA');
    await a.page.waitForSelector('body[data-room=error]');
    assert.equal(await a.page.getAttribute('[data-testid=room-status]', 'data-key'), 'statusMissingKey');
    await a.page.goto(service.origin + '/r/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAA');
    await a.page.waitForSelector('body[data-room=error]');
    assert.equal(await a.page.getAttribute('[data-testid=room-status]', 'data-key'), 'statusRoomNotFound');
  } finally {
    await closeAll(a);
  }
});
