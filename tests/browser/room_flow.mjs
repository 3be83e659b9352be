import assert from 'node:assert/strict';
// What a person does in the room app, as test steps shared by the browser tests and the browser
// benchmark: open a browser context with a remembered display name, create a room, open its link,
// wait until two people see each other (and, where files are involved, until the transfer engine
// is attached to the other person's data channel).
import { launchChromium } from './chromium.mjs';

// A fresh context (its own storage, like another person's browser) whose remembered display name
// is `name`. `record` collects every signaling message in both directions.
export async function newPeer(browser, name, { locale = 'en-US', record = null } = {}) {
  const context = await browser.newContext({ locale });
  return preparePeer(context, name, { record });
}

// The same for a context made elsewhere (a persistent profile, for instance).
export async function preparePeer(context, name, { record = null } = {}) {
  await context.addInitScript((n) => {
    if (!localStorage.getItem('cieloweb.name')) localStorage.setItem('cieloweb.name', n);
  }, name);
  if (record) await recordSignaling(context, record);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  const logs = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  return { name, context, page, errors, logs };
}

// A peer in a Chromium process of its own (closed with the peer).
export async function newPeerInOwnProcess(name, options) {
  const browser = await launchChromium();
  const peer = await newPeer(browser, name, options);
  const close = peer.context.close.bind(peer.context);
  peer.context.close = async () => {
    await close();
    await browser.close();
  };
  return peer;
}

// Passes every signaling message through while keeping a copy of each, in both directions.
export async function recordSignaling(target, sink) {
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

export async function createRoom(peer, origin) {
  await peer.page.goto(`${origin}/`);
  await peer.page.click('[data-testid=create-room]');
  await peer.page.waitForSelector('body[data-room=joined]');
  return shareLink(peer.page);
}

// The room's link as the room shows it to share (the address bar no longer holds the key).
export async function shareLink(page) {
  const link = await page.inputValue('[data-testid=share-link]');
  assert.match(link, /\/r\/[A-Za-z0-9_-]+#[A-Za-z0-9_-]{22,}$/);
  return link;
}

export async function joinRoom(peer, url) {
  await peer.page.goto(url);
  await peer.page.waitForSelector('body[data-room=joined], body[data-room=error]');
}

export function peerItem(page, name, state = 'open') {
  return page.locator(`[data-testid=peer][data-state=${state}]`, {
    has: page.locator('[data-testid=peer-name]', { hasText: new RegExp(`^${name}$`) }),
  });
}

// On failure, says what each side saw: the peer list and the page's console.
export async function describe(...peers) {
  const lines = [];
  for (const p of peers) {
    const list = await p.page
      .evaluate(() =>
        [...document.querySelectorAll('[data-testid=peer]')].map((e) => `${e.dataset.state}:${e.textContent}`),
      )
      .catch((e) => [String(e)]);
    lines.push(`${p.name}: ${JSON.stringify(list)}\n  ${p.logs.slice(-10).join('\n  ')}`);
  }
  return lines.join('\n');
}

// Both see each other as connected (the room proof verified both ways).
export async function waitConnected(a, b) {
  try {
    await peerItem(a.page, b.name).waitFor();
    await peerItem(b.page, a.name).waitFor();
  } catch (error) {
    error.message += `\n${await describe(a, b)}`;
    throw error;
  }
}

// The transfer engine of `a` has an open transfer channel to the person called `name`.
export async function waitEngineAttached(a, name, timeout = 30000) {
  await a.page.waitForFunction(
    (n) => [...(globalThis.__cieloweb?.engine?.peers.values() ?? [])].some((p) => p.attached && p.name === n),
    name,
    { timeout },
  );
}

// Connected in the room and ready for files, both ways.
export async function waitReadyForFiles(a, b) {
  await waitConnected(a, b);
  await waitEngineAttached(a, b.name);
  await waitEngineAttached(b, a.name);
}

// Test-side instrumentation only: keeps the page's RTCPeerConnections reachable (as
// window.testConnections) so a test can cut one. Call before the page opens the room.
export async function keepConnections(peer) {
  await peer.context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.testConnections = [];
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        window.testConnections.push(this);
      }
    };
  });
}

export async function sendChat(peer, text) {
  await peer.page.fill('[data-testid=chat-input]', text);
  await peer.page.click('[data-testid=chat-send]');
  return peer.page.locator('[data-testid=chat-message]', { hasText: text });
}

export async function closeAll(...peers) {
  for (const p of peers) await p.context.close();
}
