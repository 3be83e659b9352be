// Files and a call share one connection and the same cores. While a batch is on its way, in either
// direction, every receiver of the call holds a little more audio and video (CallSession
// setCushion), so a burst of file data or a busy core does not cut the sound or freeze the
// picture; a short while after the last batch ends the buffers shrink back. The cushion goes up
// when a batch is offered, before any of its data: the sending engine waits CALL_LEAD_MS
// (transfer/engine_peers.js) so the buffers have grown by the time the data comes.

// The cushion stays this long after the last batch ends: batches sent one after another keep it.
const HOLD_MS = 2000;

// engine: the room's transfer engine (its batch events); call: the room's CallSession.
export function cushionWhileFilesFlow(engine, call, { signal }) {
  const open = new Set(); // `${direction}:${batchId}` of the batches on their way
  let release = null;
  const update = () => {
    clearTimeout(release);
    if (open.size > 0) call.setCushion(true);
    else release = setTimeout(() => call.setCushion(false), HOLD_MS);
  };
  const on = (type, change) =>
    engine.addEventListener(
      type,
      (e) => {
        change(`${e.detail.direction ?? 'in'}:${e.detail.batchId}`);
        update();
      },
      { signal },
    );
  on('batch-sent', (key) => open.add(key));
  on('batch-offered', (key) => open.add(key));
  on('batch-complete', (key) => open.delete(key)); // finished, failed or declined
  // A dismissed batch id is dropped from both directions (the event does not say which).
  on('batch-dismissed', (key) => {
    const id = key.slice(key.indexOf(':') + 1);
    open.delete(`in:${id}`);
    open.delete(`out:${id}`);
  });
  signal.addEventListener('abort', () => clearTimeout(release));
}
