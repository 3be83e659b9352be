// One request/response bridge between the page and a worker, shared by the hash demo
// (hash_client.js / hash_worker.js) and the transfer engine (engine_client.js / transfer_worker.js).
//
// Page -> worker: {id, method, args} (a call) or any message without `id` (one-way).
// Worker -> page: {id, progress} (any number) then {id, value} or {id, error}; any message without
//                 `id` goes to the page's onMessage (events).
// Buffers move instead of being copied when the caller lists them (`transfer`). When the worker
// fails (its `error` event: a failed load or an uncaught exception) or a message from it cannot be
// read (`messageerror`), every pending call is rejected: no caller waits forever.

export class WorkerBridge {
  // onMessage(data): what the worker sends outside a call; onError(message): for a log line.
  constructor(worker, { onMessage = null, onError = null } = {}) {
    this.worker = worker;
    this.pending = new Map(); // id -> {resolve, reject, onProgress}
    this.nextId = 1;
    this.onMessage = onMessage;
    worker.addEventListener('message', ({ data }) => this.receive(data));
    worker.addEventListener('error', (event) => {
      const message = event?.message || 'the worker failed';
      onError?.(message);
      this.rejectAll(message);
    });
    worker.addEventListener('messageerror', () => this.rejectAll('a message from the worker could not be read'));
  }

  // Resolves to the handler's value; onProgress(value) for each progress report of this call.
  call(method, args = [], { transfer = [], onProgress = null } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, method, args }, transfer);
    });
  }

  post(message, transfer = []) {
    this.worker.postMessage(message, transfer);
  }

  receive(data) {
    if (data?.id === undefined) return this.onMessage?.(data);
    const call = this.pending.get(data.id);
    if (!call) return undefined;
    if ('progress' in data) return call.onProgress?.(data.progress);
    this.pending.delete(data.id);
    if ('error' in data) call.reject(new Error(data.error));
    else call.resolve(data.value);
    return undefined;
  }

  rejectAll(message) {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(new Error(message));
  }

  terminate() {
    this.worker.terminate?.();
    this.rejectAll('the worker was stopped');
  }
}

// A handler's value with the buffers to move (not copy) to the page.
export function transferring(value, transfer) {
  return new Transferring(value, transfer);
}

class Transferring {
  constructor(value, transfer) {
    this.value = value;
    this.transfer = transfer;
  }
}

// The worker's side: handlers[method](args, {progress(value)}) answers each call (a value or a
// Promise; a thrown error becomes the call's rejection). Messages without `id` go to onMessage.
// beforeReply(): runs just before each reply is posted (e.g. to send the events the call raised
// first). scope: the worker's global (a stand-in in tests).
export function serveCalls(handlers, { onMessage = null, beforeReply = null, scope = globalThis } = {}) {
  scope.addEventListener('message', async ({ data }) => {
    if (data?.id === undefined) return onMessage?.(data);
    const { id, method, args } = data;
    const reply = (message, transfer = []) => {
      beforeReply?.();
      scope.postMessage({ id, ...message }, transfer);
    };
    if (!Object.hasOwn(handlers, method)) return reply({ error: `unknown method ${method}` });
    try {
      const result = await handlers[method](args ?? [], {
        progress: (value) => scope.postMessage({ id, progress: value }),
      });
      if (result instanceof Transferring) reply({ value: result.value }, result.transfer);
      else reply({ value: result });
    } catch (error) {
      reply({ error: String(error?.message ?? error) });
    }
    return undefined;
  });
}
