// Relayed connections through a real coturn: the server hands each peer STUN/TURN servers with a
// short-lived TURN credential of its own (never the shared secret), and with
// --ice-transport-policy relay the peers connect only through the relay, so neither learns the
// other's IP address. The room shows the path as "relayed"; chat, files and calls work as usual.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import * as flow from './room_flow.mjs';
import { startService } from './service.mjs';
import { until } from './transfer_steps.mjs';
import { startTurn } from './turn_server.mjs';

let turn;
let service;
let browser;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-turn-'));
  turn = await startTurn();
  service = await startService(['--turn-urls', turn.url, '--turn-ttl', '600', '--ice-transport-policy', 'relay'], {
    CIELO_TURN_SECRET: turn.secret,
  });
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
});

after(async () => {
  await browser?.close();
  await service?.stop();
  await turn?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('turn: with a relay-only policy the peers connect through coturn, shown as relayed; chat, a file and a call go through', async () => {
  const seen = [];
  const alice = await flow.newPeer(browser, 'Alice', { record: seen });
  const bob = await flow.newPeer(browser, 'Bob', { record: seen });
  try {
    const url = await flow.createRoom(alice, service.origin);
    await flow.joinRoom(bob, url);
    await flow.waitReadyForFiles(alice, bob);
    for (const [me, them] of [
      [alice, 'Bob'],
      [bob, 'Alice'],
    ]) {
      const path_ = await flow.peerItem(me.page, them).locator('[data-testid=peer-path]').getAttribute('data-path');
      assert.equal(path_, 'relayed', `${me.name} reaches ${them} through the relay`);
    }

    // Each peer got its own credential, valid for the configured time, and never the secret.
    const joins = seen
      .filter((m) => m.to === 'page' && m.text.includes('"type":"joined"'))
      .map((m) => JSON.parse(m.text));
    assert.equal(joins.length, 2);
    const now = Date.now() / 1000;
    const usernames = new Set();
    for (const joined of joins) {
      assert.equal(joined.ice.iceTransportPolicy, 'relay');
      const server = joined.ice.iceServers.find((s) => s.urls.includes(turn.url));
      const [expiry, peerId] = server.username.split(':');
      assert.equal(peerId, joined.self.id);
      assert.ok(Number(expiry) > now + 500 && Number(expiry) < now + 700, `expiry ${expiry} about 600 s from now`);
      assert.match(server.credential, /^[A-Za-z0-9+/]{27}=$/);
      usernames.add(server.username);
    }
    assert.equal(usernames.size, 2);
    assert.equal(
      seen.some((m) => m.text.includes(turn.secret)),
      false,
      'the shared secret never leaves the server',
    );
    // No host candidate (a local IP address) was ever signaled: relay only.
    assert.equal(
      seen.some((m) => /typ host/.test(m.text)),
      false,
    );
    assert.ok(seen.some((m) => /typ relay/.test(m.text)));

    const msg = await flow.sendChat(alice, 'through the relay');
    await msg.and(alice.page.locator('[data-delivery=delivered]')).waitFor();
    await bob.page.locator('[data-testid=chat-message]', { hasText: 'through the relay' }).waitFor();

    const file = path.join(dir, 'relayed.bin');
    writeFileSync(file, randomBytes(2 * 1024 * 1024 + 3));
    const hash = execFileSync('b3sum', ['--no-names', file], { encoding: 'utf8' }).trim();
    await alice.page.setInputFiles('[data-testid=room-file-input]', file);
    await bob.page
      .locator('[data-testid=transfer-batch][data-direction=in]')
      .filter({ hasText: 'relayed.bin' })
      .locator('[data-testid=accept-batch]')
      .click();
    const shown = bob.page.locator('[data-testid=file-hash][data-path="relayed.bin"]');
    await shown.waitFor({ timeout: 60000 });
    assert.equal(await shown.textContent(), hash);

    // A call in the relay-only room: its media goes through coturn too, and the tile says so.
    for (const p of [alice, bob]) await p.page.click('[data-testid=call-join]');
    const tile = bob.page.locator('[data-testid=call-tile][data-peer]:not([data-peer=self])');
    await tile.and(bob.page.locator('[data-path=relayed]')).waitFor();
    assert.match(await tile.textContent(), /through the relay/);
    await until(bob, async () => {
      const link = __cieloweb.mesh.links()[0];
      const stats = await link.pc.getStats();
      const frames = [...stats.values()].some(
        (r) => r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded > 10,
      );
      // The pair the media uses has a relay candidate at one end at least.
      let relayed = false;
      stats.forEach((r) => {
        if (r.type !== 'transport' || !r.selectedCandidatePairId) return;
        const pair = stats.get(r.selectedCandidatePairId);
        relayed = [pair.localCandidateId, pair.remoteCandidateId].some(
          (id) => stats.get(id)?.candidateType === 'relay',
        );
      });
      return frames && relayed;
    });
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  } finally {
    await flow.closeAll(alice, bob);
  }
});
