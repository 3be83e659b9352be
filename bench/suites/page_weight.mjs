// Bytes over the wire of a first visit (tests/browser/page_bytes.mjs; the budgets are also a test,
// tests/browser/page_weight.test.mjs): the landing page until it can make a room, and a room link
// until the person is in the room, ready to send (the WASM core included).
//   landing_bytes_compressed  (budget 80,000)
//   room_bytes_compressed     (budget 350,000)
import { launchChromium } from '../../tests/browser/chromium.mjs';
import { firstVisit, landingReady, roomReady, totalBytes } from '../../tests/browser/page_bytes.mjs';
import { createRoom, newPeer } from '../../tests/browser/room_flow.mjs';
import { startService } from '../../tests/browser/service.mjs';

export async function run({ log }) {
  const service = await startService();
  const browser = await launchChromium();
  try {
    const landing = await firstVisit(browser, `${service.origin}/`, landingReady);
    const host = await newPeer(browser, 'Host');
    const room = await firstVisit(browser, await createRoom(host, service.origin), roomReady);
    log(`landing: ${landing.length} responses; room link: ${room.length} responses`);
    return { landing_bytes_compressed: totalBytes(landing), room_bytes_compressed: totalBytes(room) };
  } finally {
    await browser.close();
    await service.stop();
  }
}
