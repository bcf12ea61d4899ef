// The dashboard's read views: hub status, connections, services, terminals, cluster, call log. Each view is
// {refresh(), on: {category: handler}, every?: ms}; app.js calls refresh at start, on the hub's events named
// in `on`, and every `every` ms while the page is visible.

import { el, fill, bytes, duration, millis, clock, note, SortableTable } from './dom.js';

/** Why a call failed, for a person: a missing scope or method said plainly. */
export function problem(e) {
  if (e && e.code === -32005 && e.data && e.data.scope) return `needs the ${e.data.scope} scope, which this login does not hold`;
  if (e && e.code === -32601) return 'not available on this hub';
  return (e && e.message) || String(e);
}

export function statusView(ctx) {
  const body = document.getElementById('status-body');
  const pill = document.getElementById('hub-state');
  async function refresh() {
    const [s, health] = await Promise.all([
      ctx.hub.request('hub/status', {}),
      fetch('/health', { credentials: 'same-origin' }).then((r) => r.json()).catch(() => ({ status: 'unknown' })),
    ]);
    const byTransport = Object.entries(s.connections || {}).filter(([k, v]) => k !== 'total' && v > 0)
      .map(([k, v]) => `${k} ${v}`).join(', ');
    const rows = [
      ['Health', health.status || 'unknown'],
      ['Version', s.version],
      ['Uptime', duration(s.uptimeMs)],
      ['Connections', `${(s.connections || {}).total ?? 0}${byTransport ? ` (${byTransport})` : ''}`],
      ['In flight', s.inflight],
      ['Accepting', s.accepting ? 'yes' : 'no (shutting down)'],
      ['Slow consumers closed', s.slowConsumers],
      ['Ephemeral messages dropped', s.droppedEphemeral],
      ['Service instances', health.agents],
      ['Process', `pid ${s.pid}, ${s.transport}`],
      ['TCP port', s.port],
      ['Home', s.home],
    ];
    if (s.cluster) rows.push(['Cluster', `${s.cluster.hub}: ${s.cluster.hubs} hubs, heartbeat ${s.cluster.heartbeat}`]);
    fill(body, rows.map(([k, v]) => el('div', { class: 'fact' }, el('dt', { text: k }), el('dd', { text: v ?? '—' }))));
    pill.textContent = health.status === 'healthy' ? 'healthy' : (health.status || 'unknown');
    pill.className = 'pill ' + (health.status === 'healthy' ? 'ok' : 'warn');
  }
  return { refresh, on: { heartbeat: refresh, cluster: refresh }, every: 5000 };
}

export function connectionsView(ctx) {
  const holder = document.getElementById('connections-body');
  const self = ctx.hello.connectionId;
  const table = new SortableTable([
    { key: 'id', label: 'ID', numeric: true, render: (c) => (c.id === self ? el('span', { class: 'nowrap' }, String(c.id), el('span', { class: 'pill', text: 'this page' })) : String(c.id)) },
    { key: 'transport', label: 'Transport' },
    { key: 'name', label: 'Name' },
    { key: 'subject', label: 'Identity' },
    { key: 'peer', label: 'Peer', value: peer, render: peer },
    { key: 'session', label: 'Session', render: (c) => (c.session || '').slice(0, 12) },
    { key: 'bytesIn', label: 'In', numeric: true, render: (c) => traffic(c.bytesIn, c.messagesIn) },
    { key: 'bytesOut', label: 'Out', numeric: true, render: (c) => traffic(c.bytesOut, c.messagesOut) },
    { key: 'pendingOutboundBytes', label: 'Pending', numeric: true, render: (c) => bytes(c.pendingOutboundBytes) },
    { key: 'ageMs', label: 'Age', numeric: true, render: (c) => duration(c.ageMs) },
  ], { sortKey: 'id', caption: 'Connections', empty: 'no connections', rowKey: (c) => c.id });
  function traffic(n, messages) {
    return el('span', { class: 'nowrap', title: `${n} bytes in ${messages} messages` }, bytes(n),
      el('span', { class: 'muted', text: ` · ${messages}` }));
  }
  function peer(c) {
    const parts = [];
    if (c.address) parts.push(c.address);
    if (c.pid) parts.push(`pid ${c.pid}${c.process ? ' ' + c.process : ''}`);
    if (c.uid !== undefined && c.uid !== null) parts.push(`uid ${c.uid}`);
    return parts.join(', ') || '—';
  }
  async function refresh() {
    if (!ctx.has('admin')) {
      fill(holder, note('Connections: this login needs the admin scope to see them, and does not hold it.', 'info'));
      return;
    }
    const r = await ctx.hub.request('hub/connections', {});
    if (!holder.contains(table.node)) fill(holder, table.node);
    table.update(r.connections || []);
    ctx.count('connections', (r.connections || []).length);
  }
  return { refresh, on: { session: refresh, services: refresh, heartbeat: refresh }, every: 2000 };
}

export function servicesView(ctx) {
  const holder = document.getElementById('services-body');
  const table = new SortableTable([
    { key: 'name', label: 'Service' },
    { key: 'instances', label: 'Instances', numeric: true, value: (s) => (s.instances || []).length,
      render: (s) => el('span', {}, String((s.instances || []).length),
        el('span', { class: 'muted', text: ' ' + (s.instances || []).map((i) => i.name || i.identity).join(', ') })) },
    { key: 'pending', label: 'Pending', numeric: true },
    { key: 'handled', label: 'Handled', numeric: true },
    { key: 'failed', label: 'Failed', numeric: true },
    { key: 'meanMs', label: 'Mean', numeric: true, render: (s) => (s.handled || s.failed ? millis(s.meanMs) : '—') },
    { key: 'p99Ms', label: 'p99', numeric: true, render: (s) => (s.handled || s.failed ? millis(s.p99Ms) : '—') },
    { key: 'breaker', label: 'Breaker', value: (s) => (s.breaker ? JSON.stringify(s.breaker) : ''), render: breaker },
  ], { sortKey: 'name', caption: 'Services', empty: 'no services registered' });
  // The hub keeps no circuit breaker of its own (the clients do): the column shows one if the hub reports it.
  function breaker(s) {
    if (s.breaker) return typeof s.breaker === 'string' ? s.breaker : s.breaker.state || JSON.stringify(s.breaker);
    return el('span', { class: 'muted', title: 'the hub reports no breaker for this service; clients keep their own', text: 'none' });
  }
  async function refresh() {
    try {
      const r = await ctx.hub.request('services/list', {});
      if (!holder.contains(table.node)) fill(holder, table.node);
      table.update(r.services || []);
      ctx.count('services', (r.services || []).length);
    } catch (e) {
      fill(holder, note(problem(e), 'info'));
    }
  }
  return { refresh, on: { services: refresh }, every: 5000 };
}

export function terminalsView(ctx) {
  const holder = document.getElementById('terminals-body');
  const table = new SortableTable([
    { key: 'name', label: 'Terminal', render: (t) => el('a', { href: '/terminals#' + t.id, class: 'terminal-link' }, t.name || t.id) },
    { key: 'title', label: 'Title' },
    { key: 'status', label: 'Status', render: (t) => el('span', { class: 'pill ' + (t.status === 'running' ? 'ok' : 'muted'), text: t.status + (t.exitCode !== null && t.exitCode !== undefined ? ` (${t.exitCode})` : '') }) },
    { key: 'size', label: 'Size', value: (t) => t.cols * t.rows, render: (t) => `${t.cols}×${t.rows}` },
    { key: 'viewers', label: 'Viewers', numeric: true, value: (t) => (Array.isArray(t.viewers) ? t.viewers.length : t.viewers ?? 0),
      render: (t) => String(Array.isArray(t.viewers) ? t.viewers.length : t.viewers ?? 0) },
    { key: 'startedAt', label: 'Started', numeric: true, render: (t) => clock(t.startedAt) },
  ], { sortKey: 'startedAt', caption: 'Terminals', empty: 'no terminals', rowKey: (t) => t.id });
  async function refresh() {
    try {
      const r = await ctx.hub.request('terminals/list', {});
      if (!holder.contains(table.node)) fill(holder, table.node);
      table.update(r.terminals || []);
      ctx.count('terminals', (r.terminals || []).length);
    } catch (e) {
      fill(holder, note(problem(e), 'info'));
    }
  }
  return { refresh, on: { 'session-monitor': refresh, session: refresh }, every: 10000 };
}

export function clusterView(ctx) {
  const holder = document.getElementById('cluster-body');
  const table = new SortableTable([
    { key: 'hub', label: 'Hub', render: (h) => h.hub + (h.self ? ' (this hub)' : '') },
    { key: 'lastBeatMsAgo', label: 'Last heartbeat', numeric: true, render: (h) => `${millis(h.lastBeatMsAgo)} ago` },
  ], { sortKey: 'hub', caption: 'Cluster hubs', empty: 'no live hubs' });
  async function refresh() {
    try {
      const c = await ctx.hub.request('hub/cluster', {});
      if (!c.enabled) {
        fill(holder, note('This hub runs alone: it is not in a cluster.', 'muted'));
        return;
      }
      const redis = c.redis || {};
      table.update(c.hubs || []);
      fill(holder, el('p', {}, `This hub: ${c.hub}. Redis ${redis.uri || ''} is ${redis.state || 'unknown'}`
        + (redis.latencyMs !== undefined ? ` (${millis(redis.latencyMs)})` : '')
        + (redis.error ? `: ${redis.error}` : '') + '.'), table.node);
    } catch (e) {
      fill(holder, note(problem(e), 'info'));
    }
  }
  return { refresh, on: { cluster: refresh }, every: 10000 };
}

/** The call log (`calls/list`, scope admin; live through the `calls` events). */
export function callsView(ctx) {
  const holder = document.getElementById('calls-body');
  let calls = [];
  const table = new SortableTable([
    { key: 'at', label: 'At', numeric: true, render: (c) => clock(c.at) },
    { key: 'kind', label: 'Kind' },
    { key: 'caller', label: 'Caller' },
    { key: 'target', label: 'Target', render: (c) => el('details', {}, el('summary', { text: c.target }),
      el('pre', { text: JSON.stringify(c.arguments ?? {}, null, 2) })) },
    { key: 'durationMs', label: 'Duration', numeric: true, render: (c) => millis(c.durationMs) },
    { key: 'resultBytes', label: 'Result', numeric: true, render: (c) => bytes(c.resultBytes) },
    { key: 'error', label: 'Error', value: (c) => (c.error ? c.error.code : 0),
      render: (c) => (c.error ? el('span', { class: 'error-text', text: `${c.error.code} ${c.error.message}` }) : 'ok') },
  ], { sortKey: 'at', descending: true, caption: 'Call log', empty: 'no calls recorded yet', rowKey: (c) => c.id });
  let available = true;
  async function refresh() {
    if (!available) return;
    try {
      const r = await ctx.hub.request('calls/list', { limit: 100 });
      calls = r.calls || [];
      if (!holder.contains(table.node)) fill(holder, table.node);
      table.update(calls);
    } catch (e) {
      if (e && e.code === -32601) {
        available = false;
        fill(holder, note('The call log is not available on this hub (it has no calls/list method).', 'info'));
      } else {
        fill(holder, note(problem(e), 'info'));
      }
    }
  }
  function recorded(data) {
    if (!available || !data) return;
    calls = [data, ...calls.filter((c) => c.id !== data.id)].slice(0, 200);
    if (!holder.contains(table.node)) fill(holder, table.node);
    table.update(calls);
  }
  return { refresh, on: { calls: (action, data) => recorded(data) }, every: 15000 };
}
