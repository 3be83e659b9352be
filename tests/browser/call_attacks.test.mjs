// A hostile person in the room against someone in a call, through the app's own messages (the
// attacker is a real page of the app whose test hook sends what the UI never would): a flood of
// 'call' messages that flips "in the call" on and off must not make the victim renegotiate at the
// same pace (each renegotiation is signaling through the server, which drops a client that sends
// more than its rate allows), nor leave the victim's room unusable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import * as flow from './room_flow.mjs';
import { startService } from './service.mjs';

let service;
let browser;

before(async () => {
  service = await startService();
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

// The session descriptions `record` holds that the page sent to the server.
function descriptionsSent(record) {
  return record.filter((m) => {
    if (m.to !== 'server') return false;
    try {
      return Boolean(JSON.parse(m.text).data?.description);
    } catch {
      return false;
    }
  }).length;
}

// Alice makes a room, Mallory joins it, and both join the call.
async function inCallTogether(alice, mallory) {
  await flow.joinRoom(mallory, await flow.createRoom(alice, service.origin));
  await flow.waitConnected(alice, mallory);
  await alice.page.click('[data-testid=call-join]');
  await mallory.page.click('[data-testid=call-join]');
}

test('calls: a peer flipping its call state 400 times costs the victim a few renegotiations, not 400', async () => {
  const record = [];
  const alice = await flow.newPeer(browser, 'Alice', { record });
  const mallory = await flow.newPeer(browser, 'Mallory');
  try {
    await inCallTogether(alice, mallory);
    await alice.page.waitForFunction(() => __cieloweb.call.participants().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the call's own negotiation settles

    const before = descriptionsSent(record);
    // Mallory's flood: her real stream ids, "in" flipping at every message, one every 15 ms.
    await mallory.page.evaluate(async () => {
      const { mesh, call } = __cieloweb;
      const [link] = mesh.links();
      const streams = { cam: call.media.camStream.id, screen: call.media.screenStream.id };
      for (let i = 0; i < 400; i += 1) {
        mesh.sendApp(link.id, { type: 'call', in: i % 2 === 1, mic: true, cam: true, screen: false, streams });
        await new Promise((resolve) => setTimeout(resolve, 15)); // 400 flips in about 6 s
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const renegotiations = descriptionsSent(record) - before;
    console.log(`descriptions Alice sent during the flood: ${renegotiations}`);
    assert.ok(renegotiations <= 6, `Alice sent ${renegotiations} descriptions for 400 flips`);

    // Mallory's last word (in the call) is applied once her turn comes.
    await alice.page.waitForFunction(() => __cieloweb.call.participants().length === 1, null, { timeout: 15000 });

    // Alice's room still works: she is in it, and chat goes both ways.
    assert.equal(await alice.page.getAttribute('body', 'data-room'), 'joined');
    const mine = await flow.sendChat(alice, 'still here');
    await mine.and(alice.page.locator('[data-delivery=delivered]')).waitFor();
    assert.deepEqual(alice.errors, []);
  } finally {
    await flow.closeAll(alice, mallory);
  }
});

test('calls: a peer that says its microphone is off while it still sends sound is not heard', async () => {
  const alice = await flow.newPeer(browser, 'Alice');
  const mallory = await flow.newPeer(browser, 'Mallory');
  try {
    await inCallTogether(alice, mallory);
    const tile = alice.page.locator('[data-testid=call-tile][data-kind=camera]', { hasText: 'Mallory' });
    await tile.and(alice.page.locator('[data-mic=on]')).waitFor();
    // Her sound reaches Alice and plays.
    const sound = () =>
      tile.evaluate(async (el) => {
        const audio = el.querySelector('audio');
        const p = __cieloweb.call.participants()[0];
        let packets = 0;
        for (const r of (await __cieloweb.mesh.link(p.peerId).pc.getStats()).values())
          if (r.type === 'inbound-rtp' && r.kind === 'audio') packets += r.packetsReceived ?? 0;
        return { muted: audio.muted, packets };
      });
    await alice.page.waitForFunction(async () => {
      const p = __cieloweb.call.participants()[0];
      for (const r of (await __cieloweb.mesh.link(p.peerId).pc.getStats()).values())
        if (r.type === 'inbound-rtp' && r.kind === 'audio' && r.audioLevel > 0) return true;
      return false;
    });
    assert.equal((await sound()).muted, false);

    // Mallory claims her microphone is off, and keeps sending.
    await mallory.page.evaluate(() => {
      const { mesh, call } = __cieloweb;
      const streams = { cam: call.media.camStream.id, screen: call.media.screenStream.id };
      mesh.sendApp(mesh.links()[0].id, { type: 'call', in: true, mic: false, cam: true, screen: false, streams });
    });
    await tile.and(alice.page.locator('[data-mic=off]')).waitFor();
    const before = await sound();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const heard = await sound();
    assert.ok(heard.packets > before.packets + 10, 'her sound still arrives (the attack is real)');
    assert.equal(heard.muted, true, 'a peer shown as muted is played');
  } finally {
    await flow.closeAll(alice, mallory);
  }
});
