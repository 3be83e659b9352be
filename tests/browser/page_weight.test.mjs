// What a first visit costs, in bytes over the wire (stable, unlike timings): the landing page until
// the network is idle, and a room link until the room is joined and ready to send, the WASM core
// included. Each from an empty cache, against the real server serving the build's brotli copies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstVisit, landingReady, roomReady, totalBytes as total } from './page_bytes.mjs';
import { shareLink } from './room_flow.mjs';
import { roomSuite } from './service.mjs';

const LANDING_BUDGET = 80_000;
const ROOM_BUDGET = 350_000;

const suite = roomSuite('cieloweb-weight-');

function table(responses) {
  return responses.map((r) => `${r.bytes}\t${r.encoding || '-'}\t${r.url}`).join('\n');
}

// Every script, style sheet, page and the core comes compressed: the budget is not met by chance.
function assertCompressed(responses) {
  for (const r of responses) {
    if (!/\.(js|css|wasm|html)$|\/$|\/r\//.test(new URL(r.url).pathname)) continue;
    assert.match(r.encoding, /^(br|gzip)$/, `sent uncompressed: ${r.url}`);
  }
}

test('the landing page costs at most 80 KB and never fetches the WASM core', async () => {
  const responses = await firstVisit(suite.browser, `${suite.service.origin}/`, landingReady);
  const bytes = total(responses);
  console.log(`landing: ${bytes} bytes in ${responses.length} responses\n${table(responses)}`);
  assert.ok(
    !responses.some((r) => r.url.includes('/core/')),
    `the landing page fetched the core:\n${table(responses)}`,
  );
  assertCompressed(responses);
  assert.ok(bytes <= LANDING_BUDGET, `landing: ${bytes} bytes > ${LANDING_BUDGET}\n${table(responses)}`);
});

test('a room link costs at most 350 KB until it is ready to send, the core included', async () => {
  const host = await suite.browser.newContext();
  try {
    await host.addInitScript(() => localStorage.setItem('cieloweb.name', 'Host'));
    const page = await host.newPage();
    await page.goto(`${suite.service.origin}/`);
    await page.click('[data-testid=create-room]');
    await page.waitForSelector('body[data-room=joined]', { state: 'attached' });
    const link = await shareLink(page);
    const responses = await firstVisit(suite.browser, link, roomReady);
    const bytes = total(responses);
    console.log(`room: ${bytes} bytes in ${responses.length} responses\n${table(responses)}`);
    assert.ok(
      responses.some((r) => new URL(r.url).pathname.endsWith('.wasm')),
      'the core was not fetched: not ready to send',
    );
    assertCompressed(responses);
    assert.ok(bytes <= ROOM_BUDGET, `room: ${bytes} bytes > ${ROOM_BUDGET}\n${table(responses)}`);
  } finally {
    await host.close();
  }
});
