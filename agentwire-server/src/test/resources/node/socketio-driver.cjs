// Drives one socket.io-client socket for a Java test: commands arrive as JSON lines on stdin, and everything the
// socket sees leaves as JSON lines on stdout. NODE_PATH points at the node_modules holding socket.io-client.
'use strict';
const { io } = require('socket.io-client');
const readline = require('readline');

let socket = null;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

function connect(c) {
  socket = io(c.url, {
    auth: c.auth || {},
    transports: c.transports || ['polling', 'websocket'],
    reconnection: c.reconnection !== false,
    reconnectionDelay: c.delay || 100,
    reconnectionDelayMax: c.delay || 500,
    randomizationFactor: 0,
    timeout: 10000,
    extraHeaders: c.headers || {},
  });
  socket.on('connect', () => out({ type: 'connect', id: socket.id, recovered: socket.recovered,
    transport: socket.io.engine.transport.name }));
  socket.on('connect_error', (err) => out({ type: 'connect_error', message: err.message, data: err.data || null }));
  socket.on('disconnect', (reason) => out({ type: 'disconnect', reason }));
  socket.io.on('open', () => {
    socket.io.engine.on('upgrade', (t) => out({ type: 'upgrade', transport: t.name }));
  });
  socket.onAny((event, ...args) => out({ type: 'event', event, args }));
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line);
  switch (c.op) {
    case 'connect':
      connect(c);
      break;
    case 'emit':
      if (c.ack) {
        socket.timeout(10000).emit(c.event, ...(c.args || []), (err, ...args) =>
          out({ type: 'ack', tag: c.tag, error: err ? String(err) : null, args }));
      } else {
        socket.emit(c.event, ...(c.args || []));
      }
      break;
    case 'drop':
      socket.io.engine.close(); // as a network failure: the manager reconnects
      break;
    case 'disconnect':
      socket.disconnect();
      break;
    case 'exit':
      if (socket) socket.close();
      process.exit(0);
  }
});
out({ type: 'ready' });
