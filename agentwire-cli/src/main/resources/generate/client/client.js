// A minimal agentwire client for Node: connect to the hub's Unix socket, say hub/hello, send one request,
// print the answer. Run: node client.js [METHOD] [PARAMS-JSON]. The socket: $AGENTWIRE_HOME/hub.sock, else
// ~/.agentwire/hub.sock.
'use strict';
const net = require('net');
const os = require('os');
const path = require('path');

const method = process.argv[2] || 'hub/ping';
const params = process.argv[3] ? JSON.parse(process.argv[3]) : {};
const home = process.env.AGENTWIRE_HOME || path.join(os.homedir(), '.agentwire');
const socketPath = path.join(home, 'hub.sock');

const socket = net.createConnection(socketPath);
let buffered = '';
const answers = [];
socket.on('error', (e) => {
  console.error(`cannot connect to ${socketPath}: ${e.code} (aw errno ${e.code} explains; is the hub running? aw hub)`);
  process.exit(3);
});
socket.on('connect', () => {
  socket.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hub/hello', params: { name: 'node-client' } }) + '\n');
  socket.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method, params }) + '\n');
});
socket.on('data', (chunk) => {
  buffered += chunk.toString('utf8');
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    answers.push(JSON.parse(buffered.slice(0, nl)));
    buffered = buffered.slice(nl + 1);
  }
  if (answers.length >= 2) {
    const [hello, answer] = answers;
    if (hello.error) {
      console.error('hub/hello failed:', JSON.stringify(hello.error));
      process.exit(4);
    }
    console.log(JSON.stringify(answer));
    socket.end();
    process.exit(answer.error ? 1 : 0);
  }
});
