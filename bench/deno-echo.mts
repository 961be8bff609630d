// A bare Deno WebSocket echo server, the anchor the reference server's round trip is measured
// against (bench/e2e-profile.servers.mjs, bench/e2e-server-rtt.mts). Usage: deno run --allow-net
// bench/deno-echo.mts <port>; prints "up" once listening.
Deno.serve({ port: Number(Deno.args[0]), hostname: '127.0.0.1', onListen: () => console.log('up') }, (req) => {
  const { socket, response } = Deno.upgradeWebSocket(req);
  socket.binaryType = 'arraybuffer';
  socket.onmessage = (e) => socket.send(e.data);
  return response;
});
