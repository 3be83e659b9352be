// Between browsers: a person in Chromium (Playwright) and one in Firefox ESR (puppeteer-core over
// WebDriver BiDi), each with its browser's fake devices, in one room of the real app: the room proof,
// the chat and a call both ways, with a mute seen from the other browser.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import { launchFirefox } from './firefox.mjs';
import * as flow from './room_flow.mjs';
import { startService } from './service.mjs';
import { until } from './transfer_steps.mjs';

let service;
let chromium;
let firefox;

before(async () => {
  service = await startService();
  chromium = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  firefox = await launchFirefox();
});

after(async () => {
  await chromium?.close();
  await firefox?.close();
  await service?.stop();
});

// In the page: what this person receives from the other one in the call (frames decoded of its
// camera, the loudest audio level, audio packets), by kind (both browsers fill these stats).
function callStats() {
  return (async () => {
    const p = __cieloweb.call.participants()[0];
    const link = p && __cieloweb.mesh.link(p.peerId);
    const out = { frames: 0, level: 0, packets: 0, tiles: document.querySelectorAll('[data-testid=call-tile]').length };
    if (!link) return out;
    for (const r of (await link.pc.getStats()).values()) {
      if (r.type !== 'inbound-rtp') continue;
      if (r.kind === 'video') out.frames += r.framesDecoded ?? 0;
      if (r.kind === 'audio') {
        out.level = Math.max(out.level, r.audioLevel ?? 0);
        out.packets += r.packetsReceived ?? 0;
      }
    }
    return out;
  })();
}

// Polls `callStats` in a Firefox page until `check(stats)` holds.
async function untilFirefox(page, check, what, timeout = 30000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const stats = await page.evaluate(callStats);
    if (check(stats)) return stats;
    if (Date.now() > deadline) throw new Error(`Firefox: timed out waiting for ${what} (${JSON.stringify(stats)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('Chromium and Firefox: the proof, the chat and a call both ways', async () => {
  const alice = await flow.newPeer(chromium, 'Alice');
  const fiona = await firefox.newPage();
  const fionaErrors = [];
  fiona.on('pageerror', (e) => fionaErrors.push(e.message));
  try {
    const url = await flow.createRoom(alice, service.origin);
    await fiona.goto(`${service.origin}/privacy`); // her name, remembered in this origin's storage
    await fiona.evaluate(() => localStorage.setItem('cieloweb.name', 'Fiona'));
    await fiona.goto(url);
    await fiona.waitForSelector('body[data-room=joined]');
    await flow.peerItem(alice.page, 'Fiona').waitFor({ timeout: 30000 });
    await fiona.waitForSelector('[data-testid=peer][data-state=open]', { timeout: 30000 });
    // The same safety code on both sides: both proofs verified against the same two certificates.
    const codeA = await flow.peerItem(alice.page, 'Fiona').locator('[data-testid=peer-safety-code]').textContent();
    const codeF = await fiona.$eval('[data-testid=peer-safety-code]', (e) => e.textContent);
    assert.equal(codeA, codeF);

    const msg = await flow.sendChat(alice, 'hello from Chromium');
    await msg.and(alice.page.locator('[data-delivery=delivered]')).waitFor();

    await alice.page.click('[data-testid=call-join]');
    await fiona.click('[data-testid=call-join]');
    // Chromium decodes Firefox's camera and hears its tone; Firefox decodes Chromium's and hears its beep.
    await until(alice, async () => {
      const p = __cieloweb.call.participants()[0];
      if (!p) return false;
      const stats = await __cieloweb.mesh.link(p.peerId).pc.getStats();
      const inbound = [...stats.values()].filter((r) => r.type === 'inbound-rtp');
      return (
        inbound.some((r) => r.kind === 'video' && r.framesDecoded > 10) &&
        inbound.some((r) => r.kind === 'audio' && r.audioLevel > 0)
      );
    });
    await untilFirefox(fiona, (s) => s.frames > 10 && s.level > 0, "Chromium's video and sound");
    assert.equal(await fiona.$$eval('[data-testid=call-tile]', (tiles) => tiles.length), 2);

    // Firefox mutes: Chromium shows it, and her audio stops coming.
    await fiona.click('[data-testid=call-mic]');
    const tile = alice.page.locator('[data-testid=call-tile][data-kind=camera]', { hasText: 'Fiona' });
    await tile.and(alice.page.locator('[data-mic=off]')).waitFor();
    await alice.page.waitForTimeout(500);
    const packets = () =>
      alice.page.evaluate(async () => {
        const link = __cieloweb.mesh.links()[0];
        let n = 0;
        for (const r of (await link.pc.getStats()).values())
          if (r.type === 'inbound-rtp' && r.kind === 'audio') n += r.packetsReceived;
        return n;
      });
    const before = await packets();
    await alice.page.waitForTimeout(1500);
    assert.equal((await packets()) - before, 0, "Firefox's muted audio still arrives");

    // Chromium leaves: Firefox drops its tile and receives no more frames.
    await alice.page.click('[data-testid=call-leave]');
    await untilFirefox(fiona, (s) => s.tiles === 1, 'the tile of the one who left to go');
    assert.deepEqual([...alice.errors, ...fionaErrors], []);
  } finally {
    await alice.context.close();
    await fiona.close();
  }
});
