// An in-memory stand-in for a pair of connected RTCDataChannels, with the browser's vocabulary:
// send(), bufferedAmount, bufferedAmountLowThreshold, onbufferedamountlow, onmessage, readyState.
// Messages are delivered asynchronously in order; faults: flip a byte of the n-th binary message,
// cut the connection (everything queued is lost), a maximum message size.

export class MemoryChannel {
  constructor(label, { maxMessageBytes = 65536 } = {}) {
    this.label = label;
    this.maxMessageBytes = maxMessageBytes;
    this.readyState = 'open';
    this.bufferedAmount = 0;
    this.bufferedAmountLowThreshold = 0;
    this.onmessage = null;
    this.onbufferedamountlow = null;
    this.onclose = null;
    this.peer = null;
    this.queue = [];
    this.scheduled = false;
    this.binarySent = 0;
    this.flips = new Map(); // binary message index -> byte offset
    this.stats = { messages: 0, binaryBytes: 0, maxMessage: 0 };
  }

  send(data) {
    if (this.readyState !== 'open') throw new Error(`InvalidStateError: channel ${this.label} is ${this.readyState}`);
    let message;
    if (typeof data === 'string') {
      message = data;
    } else {
      // Like the browser: the bytes are copied at send time (the caller may reuse its buffer).
      const view = ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data);
      if (view.byteLength > this.maxMessageBytes)
        throw new Error(`message of ${view.byteLength} bytes over the maximum ${this.maxMessageBytes}`);
      // A fresh buffer per message, as the browser delivers; new Uint8Array(view) copies several
      // times faster than view.slice() in V8.
      message = new Uint8Array(view);
      const flipAt = this.flips.get(this.binarySent);
      if (flipAt !== undefined) message[flipAt % message.length] ^= 0x10;
      this.binarySent += 1;
      this.stats.binaryBytes += message.byteLength;
    }
    const size = typeof message === 'string' ? message.length : message.byteLength;
    this.stats.messages += 1;
    this.stats.maxMessage = Math.max(this.stats.maxMessage, size);
    this.bufferedAmount += size;
    this.queue.push(message);
    this.#schedule();
  }

  #schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.#deliver());
  }

  #deliver() {
    this.scheduled = false;
    // Deliver a bounded batch per turn so both directions interleave, as on a real connection.
    for (let i = 0; i < 16 && this.queue.length > 0 && this.readyState === 'open'; i += 1) {
      const message = this.queue.shift();
      const size = typeof message === 'string' ? message.length : message.byteLength;
      const before = this.bufferedAmount;
      this.bufferedAmount -= size;
      const data = typeof message === 'string' ? message : message.buffer;
      this.peer.onmessage?.({ data });
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
        this.onbufferedamountlow?.();
      }
    }
    if (this.queue.length > 0 && this.readyState === 'open') this.#schedule();
  }

  close() {
    for (const channel of [this, this.peer]) {
      if (channel.readyState === 'closed') continue;
      channel.readyState = 'closed';
      channel.queue = [];
      channel.bufferedAmount = 0;
      setImmediate(() => channel.onclose?.());
    }
  }
}

export function channelPair(options) {
  const a = new MemoryChannel('a', options);
  const b = new MemoryChannel('b', options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
