// Node-side helpers of the end-to-end bench (bench/e2e.bench.ts), started by bench/run.mjs before
// the page: the two anchors' servers, and the Flare worker bundle copied next to the page.
//
// - raw WebSocket (`ws`): binary messages are echoed; a text message `{"flood":{"count","size"}}`
//   makes the server send `count` binary messages of `size` bytes as fast as the socket drains,
//   then a text message `done`. The physical limit of one WebSocket on this machine.
// - socket.io 4: `echo` with an ack callback answers the payload; `flood {count, size}` emits
//   `count` events `m` with a string of `size` characters (socket.io's usual JSON path; a Buffer
//   would cost two WebSocket frames per event), then acks.
import { copyFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { WebSocketServer } from 'ws';

const HIGH_WATER = 1 << 20;

/** Waits until the socket's send buffer drained below the high-water mark. */
function drained(getBuffered) {
  return new Promise((resolve) => {
    const check = () => (getBuffered() < HIGH_WATER ? resolve() : setTimeout(check, 1));
    check();
  });
}

export default async function start({ outDir }) {
  if (!existsSync('dist/flare-worker.js')) throw new Error('bench e2e: dist/flare-worker.js missing (npm run build)');
  copyFileSync('dist/flare-worker.js', join(outDir, 'flare-worker.js'));

  // raw WebSocket
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    ws.on('message', async (data, isBinary) => {
      if (isBinary) return ws.send(data, { binary: true });
      const cmd = JSON.parse(String(data));
      if (!cmd.flood) return;
      const payload = Buffer.alloc(cmd.flood.size, 7);
      for (let i = 0; i < cmd.flood.count; i++) {
        ws.send(payload, { binary: true });
        if ((i & 255) === 255 && ws.bufferedAmount > HIGH_WATER) await drained(() => ws.bufferedAmount);
      }
      ws.send('done');
    });
  });
  await new Promise((r) => wss.once('listening', r));

  // socket.io
  const http = createServer();
  const io = new Server(http, { cors: { origin: '*' }, transports: ['websocket'], maxHttpBufferSize: 1e8 });
  io.on('connection', (socket) => {
    socket.on('echo', (data, ack) => ack(data));
    socket.on('flood', async ({ count, size }, ack) => {
      const payload = 'x'.repeat(size);
      const raw = socket.conn;
      for (let i = 0; i < count; i++) {
        socket.emit('m', payload);
        if ((i & 255) === 255) await drained(() => raw.transport?.socket?.bufferedAmount ?? 0);
      }
      ack(count);
    });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));

  return {
    ctx: {
      rawWebSocketUrl: `ws://127.0.0.1:${wss.address().port}`,
      socketIoUrl: `http://127.0.0.1:${http.address().port}`,
      workerUrl: './flare-worker.js',
    },
    async stop() {
      io.close();
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
      await new Promise((r) => http.close(() => r()));
    },
  };
}
