// Files and a call share one connection and the same cores. While file data moves, in either
// direction, every audio receiver of the call holds more sound (CallSession setCushion), so a burst
// of file data or a busy core does not cut it; once the data stops the buffers shrink back.
//
// The cushion goes up when a batch is offered, before any of its data: the sending engine waits
// CALL_LEAD_MS (transfer/engine_peers.js) so the buffers have grown by the time the data comes.
// It stays while the engine's byte counts keep moving (polled once a second while we are in the
// call and a batch is open or the cushion is up), and goes when they have not moved for STILL_MS
// and no batch was offered for OFFER_GRACE_MS: a batch that never completes (a peer that left
// mid-file, an offer nobody answers, a peer that lists files it never offers) cannot hold it.

const POLL_MS = 1000;
const STILL_MS = 3000;
const OFFER_GRACE_MS = 10000; // an offer waits for a person's click; the data may start late

// engine: the room's transfer engine (its batch events and snapshot()); call: the room's CallSession.
export function cushionWhileFilesFlow(engine, call, { signal }) {
  const open = new Set(); // `${direction}:${batchId}` of the batches neither complete nor dismissed
  let lastOffer = Number.NEGATIVE_INFINITY;
  let lastMoved = Number.NEGATIVE_INFINITY;
  let lastBytes = -1;
  let poll = null; // the next check's timer
  let checking = false; // a check is waiting for the engine: one at a time

  const bytesMoved = async () => {
    const s = await engine.snapshot();
    let bytes = 0;
    for (const item of s.incoming) bytes += item.bytes ?? 0;
    for (const file of s.outgoing) for (const peer of Object.values(file.peers)) bytes += peer.bytes ?? 0;
    return bytes;
  };
  const check = async () => {
    poll = null;
    if (signal.aborted) return;
    // Not in the call: no receiver to cushion, nothing to poll (joining starts the watch again).
    if (!call.joined) return call.setCushion(open.size > 0);
    checking = true;
    const bytes = await bytesMoved().catch(() => lastBytes);
    checking = false;
    if (signal.aborted || poll) return;
    const now = performance.now();
    if (bytes !== lastBytes) [lastBytes, lastMoved] = [bytes, now];
    // Bytes that moved in the last STILL_MS keep it (so it also outlasts the last batch by that
    // much: batches sent one after another keep it), as does a batch offered lately.
    const flowing = now - lastMoved < STILL_MS || (open.size > 0 && now - lastOffer < OFFER_GRACE_MS);
    call.setCushion(flowing);
    if (flowing || open.size > 0) poll = setTimeout(check, POLL_MS);
  };
  const watch = () => {
    if (!poll && !checking) poll = setTimeout(check, 0);
  };

  const on = (type, change) => engine.addEventListener(type, (e) => change(e.detail), { signal });
  const opened = (key) => {
    open.add(key);
    lastOffer = performance.now();
    call.setCushion(true); // at once: the lead counts from the offer
    watch();
  };
  on('batch-sent', (d) => d.peerIds?.length > 0 && opened(`out:${d.batchId}`));
  on('batch-offered', (d) => opened(`${d.direction ?? 'in'}:${d.batchId}`));
  on('batch-complete', (d) => {
    open.delete(`${d.direction}:${d.batchId}`); // finished, failed or declined
    watch();
  });
  // A dismissed batch id is dropped from both directions (the event does not say which).
  on('batch-dismissed', (d) => {
    open.delete(`in:${d.batchId}`);
    open.delete(`out:${d.batchId}`);
    watch();
  });
  call.addEventListener('active', watch, { signal });
  signal.addEventListener('abort', () => clearTimeout(poll));
}
