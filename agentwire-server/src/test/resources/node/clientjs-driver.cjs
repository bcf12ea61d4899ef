// Drives the hub's client.js from a Java test: one JSON command a line on stdin ({id, op, args}), one JSON line
// on stdout for each answer ({id, ok, value} or {id, ok: false, error}) and each event ({event, data}).
// argv[2]: the path of client.js. Needs a global WebSocket (node 22, or node 20 --experimental-websocket).
'use strict';
require(process.argv[2]);
const readline = require('readline');
const { connect } = globalThis.agentwire;

let hub = null;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const events = ['connected', 'disconnected', 'reconnected', 'rejoined', 'rejoin_failed', 'reconnect_failed',
  'rooms/broadcast', 'rooms/typing'];
const describe = (e) => ({ name: e && e.name, message: e && e.message, code: e && e.code,
  reason: e && e.data && e.data.reason, data: e && e.data });
const message = (kind) => (m) => out({ event: kind, data: m });

const ops = {
  async connect(a) {
    hub = await connect(a);
    for (const name of events) {
      hub.on(name, (data) => out({ event: name, data: data instanceof Error ? describe(data) : data }));
    }
    return hub.hello;
  },
  joinRoom: (a) => hub.joinRoom(a.room, { history: a.history, onMessage: message('message'), onGap: message('gap') }),
  joinInbox: (a) => hub.joinInbox({ history: a.history, onMessage: message('dm') }),
  leaveRoom: (a) => hub.leaveRoom(a.room),
  publish: (a) => hub.publish(a.room, a.text, a.data),
  typing: (a) => hub.typing(a.room, a.state),
  history: (a) => hub.history(a.room, a.options),
  sendTo: (a) => hub.sendTo(a.identity, a.text, a.data),
  broadcast: (a) => hub.broadcast(a.text, a.data),
  requestService: (a) => hub.requestService(a.service, a.action, a.data, a.options),
  raw: (a) => hub.request(a.method, a.params),
  inbox: () => hub.inbox(),
};

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  const c = JSON.parse(line);
  try {
    const value = await ops[c.op](c.args || {});
    out({ id: c.id, ok: true, value: value === undefined ? null : value });
  } catch (e) {
    out({ id: c.id, ok: false, error: describe(e) });
  }
}).on('close', () => process.exit(0));
