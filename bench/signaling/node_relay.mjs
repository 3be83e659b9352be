// The benchmark's anchor: a minimal signaling relay on Node's `ws`, speaking the subset of protocol
// v1 the load generator uses (create-room, join, leave, signal). No limits, no validation beyond
// JSON.parse: the fastest a plain Node relay gets, to compare cieloweb-server against.
// Usage: node node_relay.mjs <port>   (prints {"port": N} when listening; 0 picks a free port)
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';

const rooms = new Map(); // room id -> Set of sockets
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), perMessageDeflate: false });

wss.on('connection', (ws) => {
  ws.send(JSON.stringify({ v: 1, type: 'welcome' }));
  ws.on('message', (raw) => {
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (msg.type === 'signal') {
      const target = ws.room && [...rooms.get(ws.room)].find((p) => p.peerId === msg.to);
      if (target) target.send(JSON.stringify({ v: 1, type: 'signal', from: ws.peerId, data: msg.data }));
    } else if (msg.type === 'create-room') {
      const room = randomBytes(16).toString('base64url');
      rooms.set(room, new Set());
      ws.send(JSON.stringify({ v: 1, type: 'room-created', room }));
    } else if (msg.type === 'join' && rooms.has(msg.room)) {
      const members = rooms.get(msg.room);
      ws.room = msg.room;
      ws.peerId = randomBytes(12).toString('base64url');
      ws.name = String(msg.name);
      const announce = JSON.stringify({ v: 1, type: 'peer-joined', peer: { id: ws.peerId, name: ws.name } });
      for (const p of members) p.send(announce);
      ws.send(
        JSON.stringify({
          v: 1,
          type: 'joined',
          room: ws.room,
          self: { id: ws.peerId, name: ws.name },
          peers: [...members].map((p) => ({ id: p.peerId, name: p.name })),
        }),
      );
      members.add(ws);
    } else if (msg.type === 'leave') {
      leave(ws);
      ws.send(JSON.stringify({ v: 1, type: 'left' }));
    }
  });
  ws.on('close', () => leave(ws));
});

function leave(ws) {
  const members = ws.room && rooms.get(ws.room);
  if (!members) return;
  members.delete(ws);
  const announce = JSON.stringify({ v: 1, type: 'peer-left', peer: ws.peerId });
  for (const p of members) p.send(announce);
  ws.room = undefined;
}

wss.on('listening', () => console.log(JSON.stringify({ port: wss.address().port })));
process.on('SIGTERM', () => process.exit(0));
