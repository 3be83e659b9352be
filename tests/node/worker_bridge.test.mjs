// The one worker bridge (web/src/transfer/worker_bridge.js) shared by the hash demo and the transfer
// engine: calls and replies by id, progress, moved buffers, one-way messages both ways, and every
// pending call rejected when the worker fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serveCalls, transferring, WorkerBridge } from '../../web/src/transfer/worker_bridge.js';

// A page end and a worker end of one message port pair, as a Worker and its global see them.
function pair() {
  const { port1, port2 } = new MessageChannel();
  const worker = new EventTarget();
  worker.postMessage = (data, transfer) => port1.postMessage(data, transfer);
  worker.terminate = () => port1.close();
  port1.onmessage = (e) => worker.dispatchEvent(new MessageEvent('message', { data: e.data }));
  const scope = new EventTarget();
  scope.postMessage = (data, transfer) => port2.postMessage(data, transfer);
  port2.onmessage = (e) => scope.dispatchEvent(new MessageEvent('message', { data: e.data }));
  return { worker, scope, close: () => port1.close() };
}

test('worker bridge: replies by id, progress, moved buffers, errors and one-way messages', async () => {
  const { worker, scope, close } = pair();
  const seenByWorker = [];
  serveCalls(
    {
      add: ([a, b]) => a + b,
      slow: async ([ms], { progress }) => {
        progress(1);
        progress(2);
        await new Promise((resolve) => setTimeout(resolve, ms));
        return 'slow';
      },
      buffer: ([n]) => {
        const bytes = new Uint8Array(n).fill(7);
        return transferring(bytes.buffer, [bytes.buffer]);
      },
      fail: () => {
        throw new Error('nope');
      },
    },
    { scope, onMessage: (data) => seenByWorker.push(data) },
  );
  const events = [];
  const bridge = new WorkerBridge(worker, { onMessage: (data) => events.push(data) });
  const steps = [];
  const [slow, sum, buffer] = await Promise.all([
    bridge.call('slow', [20], { onProgress: (p) => steps.push(p) }),
    bridge.call('add', [2, 3]),
    bridge.call('buffer', [16]),
  ]);
  assert.deepEqual([slow, sum, buffer.byteLength], ['slow', 5, 16]);
  assert.deepEqual(steps, [1, 2]);
  await assert.rejects(bridge.call('fail'), /nope/);
  await assert.rejects(bridge.call('missing'), /unknown method missing/);
  bridge.post({ op: 'hello' });
  scope.postMessage({ type: 'events', n: 1 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(seenByWorker, [{ op: 'hello' }]);
  assert.deepEqual(events, [{ type: 'events', n: 1 }]);
  assert.equal(bridge.pending.size, 0);
  close();
});

test('worker bridge: a worker that fails rejects every pending call, and so does an unreadable message', async () => {
  const { worker, scope, close } = pair();
  serveCalls({ never: () => new Promise(() => {}) }, { scope });
  const errors = [];
  const bridge = new WorkerBridge(worker, { onError: (message) => errors.push(message) });
  const calls = [bridge.call('never'), bridge.call('never')];
  await new Promise((resolve) => setTimeout(resolve, 10));
  worker.dispatchEvent(Object.assign(new Event('error'), { message: 'worker crashed' }));
  for (const call of calls) await assert.rejects(call, /worker crashed/);
  assert.deepEqual(errors, ['worker crashed']);
  const later = bridge.call('never');
  await new Promise((resolve) => setTimeout(resolve, 10));
  worker.dispatchEvent(new Event('messageerror'));
  await assert.rejects(later, /could not be read/);
  assert.equal(bridge.pending.size, 0);
  close();
});
