// The server's own WebSocket framing (server/src/ws_frame.*, ws_session.*) through the real binary:
// bursts that leave in gathered writes arrive whole and in order, pings and closes still work
// while a connection is busy, and frames are read however TCP cuts or joins them.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import {
  frame, meet, parseFrames, rawUpgrade, startServer, withTimeout,
} from '../../../tests/server/harness.mjs';

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// Sizes across every length encoding: 7-bit, 16-bit and 64-bit (over 65535 bytes); about 2.5 MB
// in all, well under the write queue limit.
const sizeOf = (i) => (i % 50 === 49 ? 70000 : [10, 200, 3000][i % 3]) + (i % 13);

describe('framing', () => {
  let server;
  before(async () => {
    server = await startServer([
      '--rate-per-s', '100000', '--rate-burst', '100000', '--ping-timeout-ms', '1000',
      '--max-message-bytes', '100000', '--write-queue-bytes', '8388608', '--handshake-timeout-ms', '2000',
    ]);
  });
  after(() => server.stop());

  test('a burst of relayed signals arrives complete and in order', async () => {
    const { a, b, ja, jb } = await meet(server);
    const count = 1000;
    for (let i = 0; i < count; i++) {
      a.send({ type: 'signal', to: jb.self.id, data: { seq: i, pad: 'p'.repeat(sizeOf(i)) } });
    }
    for (let i = 0; i < count; i++) {
      const msg = await b.expect('signal');
      assert.equal(msg.from, ja.self.id);
      assert.equal(msg.data.seq, i);
      assert.equal(msg.data.pad.length, sizeOf(i));
    }
    assert.deepEqual(await b.drain(), []);
    a.close();
    b.close();
  });

  test('the server pings, and pings are answered, while a connection receives a flood', async () => {
    const { a, b, jb } = await meet(server);
    let pongs = 0;
    let serverPings = 0;
    b.ws.on('pong', () => pongs++);
    b.ws.on('ping', () => serverPings++);
    let stop = false;
    const flood = (async () => {
      while (!stop) {
        for (let i = 0; i < 50; i++) a.send({ type: 'signal', to: jb.self.id, data: { pad: 'f'.repeat(300) } });
        await pause(5);
      }
    })();
    // b sends nothing for longer than the ping timeout (1 s): only its answers to the server's
    // pings keep it alive.
    await pause(1500);
    for (let i = 0; i < 5; i++) {
      b.ws.ping();
      await pause(50);
    }
    await withTimeout((async () => {
      while (pongs < 5) await pause(10);
    })(), 'pongs for our pings');
    stop = true;
    await flood;
    assert.ok(serverPings >= 1, 'the server pinged the silent receiver');
    assert.equal(b.ws.readyState, WebSocket.OPEN, 'answered pings keep a connection alive');
    a.close();
    b.close();
  });

  test('a client closing during a flood gets its close code back, and its room hears peer-left', async () => {
    const { a, b, jb } = await meet(server);
    for (let i = 0; i < 500; i++) a.send({ type: 'signal', to: jb.self.id, data: { pad: 'c'.repeat(1000) } });
    await b.expect('signal');
    b.ws.close(4000, 'done');
    assert.equal((await withTimeout(b.closed, 'the close handshake')).code, 4000);
    for (;;) {
      const msg = await a.next('peer-left');
      if (msg.type === 'peer-left') {
        assert.equal(msg.peer, jb.self.id);
        break;
      }
    }
    a.close();
  });

  test('frames cut into single bytes, and many frames in one write, are all read', async () => {
    const raw = await rawUpgrade(server);
    const bytes = Buffer.concat([frame(1, '{"type":"ping"}'), frame(9, 'hello'), frame(1, '{"type":"ping"}')]);
    for (const byte of bytes) {
      raw.socket.write(Buffer.from([byte]));
      await pause(1);
    }
    raw.socket.write(Buffer.concat([frame(1, '{"type":"ping"}'), frame(1, '{"type":"ping"}'), frame(9, 'again')]));
    await withTimeout((async () => {
      while (raw.frames().length < 7) await pause(10);
    })(), 'the answers');
    const got = raw.frames().map((f) => (f.opcode === 1 ? JSON.parse(f.payload).type : `op${f.opcode}:${f.payload}`));
    assert.deepEqual(got, ['welcome', 'pong', 'op10:hello', 'pong', 'pong', 'pong', 'op10:again']);
    // A client-initiated close is answered with the same code, then the server ends the connection.
    raw.socket.write(frame(8, Buffer.from([0x03, 0xe8])));
    await withTimeout(raw.ended, 'the server to end the connection');
    const close = raw.frames().find((f) => f.opcode === 8);
    assert.equal(close.closeCode, 1000);
  });

  test('a frame sent right behind the upgrade request is read', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    await withTimeout(new Promise((resolve) => socket.once('connect', resolve)), 'TCP connect');
    let total = Buffer.alloc(0);
    socket.on('data', (chunk) => (total = Buffer.concat([total, chunk])));
    socket.write(Buffer.concat([
      Buffer.from('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${server.origin}\r\n\r\n`),
      frame(1, '{"type":"ping"}'),
    ]));
    const types = () => {
      const end = total.indexOf('\r\n\r\n');
      return end < 0 ? [] : parseFrames(total.subarray(end + 4)).map((f) => JSON.parse(f.payload).type);
    };
    await withTimeout((async () => {
      while (types().length < 2) await pause(10);
    })(), 'welcome and pong');
    assert.deepEqual(types(), ['welcome', 'pong']);
    socket.destroy();
  });

  test('a client that never answers the server\'s close frame is dropped after the handshake timeout', async () => {
    const raw = await rawUpgrade(server);
    raw.socket.write(frame(2, Buffer.from([1, 2, 3])));  // binary: the server closes with 1003
    await withTimeout(raw.ended, 'the server to give up on the closing handshake', 4000);
    assert.equal(raw.frames().find((f) => f.opcode === 8)?.closeCode, 1003);
  });
});
