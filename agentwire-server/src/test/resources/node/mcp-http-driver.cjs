// Drives the MCP TypeScript SDK's StreamableHTTPClientTransport for a Java test: commands as JSON lines on stdin,
// results as JSON lines on stdout. NODE_PATH points at the node_modules holding @modelcontextprotocol/sdk.
'use strict';
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
const { ToolListChangedNotificationSchema } = require('@modelcontextprotocol/sdk/types.js');
const readline = require('readline');

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let client = null;
let transport = null;
const aborts = new Map();

async function run(c) {
  switch (c.op) {
    case 'connect': {
      transport = new StreamableHTTPClientTransport(new URL(c.url), {
        requestInit: { headers: c.token ? { Authorization: 'Bearer ' + c.token } : {} },
      });
      client = new Client({ name: 'agentwire-test', version: '1.0.0' });
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => out({ type: 'list_changed' }));
      transport.onerror = (e) => out({ type: 'transport_error', message: String(e && e.message) });
      await client.connect(transport);
      return { sessionId: transport.sessionId, server: client.getServerVersion(),
        protocolVersion: transport.protocolVersion };
    }
    case 'list':
      return await client.listTools();
    case 'call': {
      const progress = [];
      const ac = new AbortController();
      aborts.set(c.tag, ac);
      const opts = {
        signal: ac.signal,
        timeout: c.timeoutMs || 10000,
        resetTimeoutOnProgress: true,
        onprogress: (p) => {
          progress.push(p);
          out({ type: 'progress', tag: c.tag, progress: p });
          if (c.abortAfterProgress && progress.length >= c.abortAfterProgress) ac.abort('the test cancels');
        },
      };
      const result = await client.callTool({ name: c.name, arguments: c.args || {} }, undefined, opts);
      return { result, progress };
    }
    case 'close':
      await client.close();
      return {};
    case 'exit':
      process.exit(0);
      return {};
    case 'terminate':
      await transport.terminateSession();
      return {};
    default:
      throw new Error('unknown op ' + c.op);
  }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line);
  run(c).then(
    (value) => out({ type: 'done', tag: c.tag || c.op, value }),
    (e) => out({ type: 'failed', tag: c.tag || c.op, message: String(e && e.message), code: e && e.code }));
});
out({ type: 'ready' });
