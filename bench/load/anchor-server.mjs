// Anchor servers for bench/server.mjs, one per forked process (single-threaded,
// like the Deno server): `raw-websocket` (a bare `ws` server relaying a room
// message to the other members, the floor for this work) and `socket.io` (a room
// broadcast with socket.io 4). Usage: node anchor-server.mjs <kind> ; it reports
// {port} over IPC once listening.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { Server } from 'socket.io';

const kind = process.argv[2];
const http = createServer();

if (kind === 'raw-websocket') {
  // Text protocol: "join:<room>" joins; "pub:<room>:<data>" relays "<data>" to the other members.
  const rooms = new Map();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    const joined = new Set();
    ws.on('message', (data) => {
      const s = data.toString();
      if (s.startsWith('join:')) {
        const room = s.slice(5);
        if (!rooms.has(room)) rooms.set(room, new Set());
        rooms.get(room).add(ws);
        joined.add(room);
        ws.send('joined');
      } else if (s.startsWith('pub:')) {
        const i = s.indexOf(':', 4);
        const room = s.slice(4, i);
        const msg = s.slice(i + 1);
        for (const m of rooms.get(room) ?? []) if (m !== ws) m.send(msg);
      }
    });
    ws.on('close', () => {
      for (const r of joined) rooms.get(r)?.delete(ws);
    });
  });
} else if (kind === 'socket.io') {
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  io.on('connection', (socket) => {
    socket.on('join', (room, ack) => {
      socket.join(room);
      ack?.();
    });
    socket.on('pub', (room, msg) => socket.to(room).emit('msg', msg));
  });
} else {
  throw new Error(`unknown anchor ${kind}`);
}

http.listen(0, '127.0.0.1', () => process.send({ port: http.address().port }));
