// Drives the @a2a-js/sdk client for a Java test: commands as JSON lines on stdin, results as JSON lines on stdout.
// NODE_PATH points at the node_modules holding @a2a-js/sdk.
'use strict';
const { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory, DefaultAgentCardResolver } =
  require('@a2a-js/sdk/client');
const { Role, TaskState } = require('@a2a-js/sdk');
const { randomUUID } = require('crypto');
const readline = require('readline');

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let client = null;
let card = null;

const message = (c) => {
  const parts = [];
  if (c.text) parts.push({ content: { $case: 'text', value: c.text } });
  if (c.data) parts.push({ content: { $case: 'data', value: c.data } });
  return { messageId: randomUUID(), role: Role.ROLE_USER, parts };
};
const state = (t) => TaskState[t.status.state];
const texts = (t) => (t.artifacts || []).flatMap((a) => a.parts || [])
  .filter((p) => p.content && p.content.$case === 'text').map((p) => p.content.value);

async function run(c) {
  switch (c.op) {
    case 'connect': {
      const authFetch = (url, init = {}) => {
        const headers = new Headers(init.headers);
        headers.set('Authorization', 'Bearer ' + c.token);
        return fetch(url, { ...init, headers });
      };
      const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl: authFetch })],
        cardResolver: new DefaultAgentCardResolver({ fetchImpl: authFetch }),
      }));
      client = await factory.createFromUrl(c.cardUrl, '');
      card = await client.getAgentCard();
      return { name: card.name, description: card.description, skills: (card.skills || []).map((s) => s.id) };
    }
    case 'send': {
      const r = await client.sendMessage({ message: message(c),
        configuration: c.immediate ? { returnImmediately: true } : undefined });
      return { id: r.id, state: state(r), texts: texts(r) };
    }
    case 'stream': {
      const events = [];
      for await (const ev of client.sendMessageStream({ message: message(c) })) {
        const v = ev.payload.value;
        if (ev.payload.$case === 'artifactUpdate') {
          events.push({ kind: 'artifact', artifactId: v.artifact.artifactId, append: v.append,
            texts: (v.artifact.parts || []).filter((p) => p.content.$case === 'text').map((p) => p.content.value) });
        } else if (ev.payload.$case === 'statusUpdate') {
          events.push({ kind: 'status', state: TaskState[v.status.state] });
        } else if (ev.payload.$case === 'task') {
          events.push({ kind: 'task', id: v.id, state: state(v) });
        } else {
          events.push({ kind: ev.payload.$case });
        }
      }
      return { events };
    }
    case 'get': {
      const t = await client.getTask({ id: c.id });
      return { id: t.id, state: state(t), texts: texts(t) };
    }
    case 'cancel': {
      const t = await client.cancelTask({ id: c.id });
      return { id: t.id, state: state(t) };
    }
    case 'list': {
      const r = await client.listTasks({});
      return { ids: r.tasks.map((t) => t.id) };
    }
    case 'exit':
      process.exit(0);
      return {};
    default:
      throw new Error('unknown op ' + c.op);
  }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line);
  run(c).then(
    (value) => out({ type: 'done', tag: c.tag || c.op, value }),
    (e) => out({ type: 'failed', tag: c.tag || c.op, message: String(e && e.message), name: e && e.name }));
});
out({ type: 'ready' });
