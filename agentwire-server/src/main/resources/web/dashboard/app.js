// The dashboard at `/`: one WebSocket JSON-RPC connection to the hub (client.js), logged in with the browser
// login cookie (`aw open`), or with a token given in the address's fragment (`/#token=...`, never sent to the
// server in a request line). Views refresh on the hub's events and on a timer while the page is visible; no
// reloads. Without the admin scope the page is read-only: it hides what the identity cannot do and says so.

import { statusView, connectionsView, servicesView, terminalsView, clusterView, callsView } from './views.js';
import { toolsView } from './tools.js';
import { roomsView } from './rooms.js';

const CATEGORIES = ['session', 'session-monitor', 'services', 'heartbeat', 'cluster', 'tools', 'rooms'];

function tokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  return params.get('token');
}

function grants(scopes, wanted) {
  return scopes.some((s) => s === '*' || s === wanted || (s.endsWith('*') && wanted.startsWith(s.slice(0, -1))));
}

/** Runs `fn` once at a time; a call while it runs makes it run once more after. */
function serial(fn, onError) {
  let running = false;
  let again = false;
  return async function run() {
    if (running) { again = true; return; }
    running = true;
    try {
      do {
        again = false;
        try { await fn(); } catch (e) { onError(e); }
      } while (again);
    } finally {
      running = false;
    }
  };
}

async function main() {
  const state = document.getElementById('hub-state');
  const token = tokenFromFragment();
  const hub = await agentwire.connect({ name: 'dashboard', token: token || undefined, idlePingMs: 15000 });
  const hello = hub.hello;
  const scopes = hello.scopes || [];
  const ctx = {
    hub,
    hello,
    has: (scope) => grants(scopes, scope),
    canAct: grants(scopes, 'admin'),
    count: (view, n) => {
      const badge = document.querySelector(`nav a[href="#${view}"] .count`);
      if (badge) badge.textContent = String(n);
    },
  };
  document.getElementById('identity').textContent = `${hello.subject || 'browser'} · ${hello.hub} ${hello.version}`;
  document.body.classList.toggle('read-only', !ctx.canAct);
  const mode = document.getElementById('mode');
  if (!ctx.canAct) {
    mode.hidden = false;
    mode.textContent = `Read-only: ${hello.subject} does not hold the admin scope, so this page shows what it may `
      + 'see and hides the actions (calling tools, sending to rooms, starting and killing terminals).';
  }

  const views = [statusView, connectionsView, toolsView, roomsView, servicesView, terminalsView, clusterView, callsView]
    .map((make) => {
      const v = make(ctx);
      v.run = serial(v.refresh, (e) => console.warn('dashboard view failed', make.name, e));
      return v;
    });

  // Events: each category on its own, so that one the identity may not see does not cost the others.
  for (const c of CATEGORIES) {
    hub.request('events/subscribe', { categories: [c] }).catch(() => {});
  }
  hub.request('events/subscribe', { categories: ['calls'] }).catch(() => {}); // a hub without the call log refuses
  hub.on('events/event', (e) => {
    for (const v of views) {
      const handler = v.on[e.category];
      if (!handler) continue;
      if (handler === v.refresh) v.run();
      else handler(e.action, e.data);
    }
  });
  hub.on('disconnected', () => { state.textContent = 'reconnecting…'; state.className = 'pill warn'; });
  hub.on('reconnected', () => {
    for (const c of CATEGORIES.concat('calls')) hub.request('events/subscribe', { categories: [c] }).catch(() => {});
    views.forEach((v) => v.run());
  });
  hub.on('logged-out', (e) => {
    state.textContent = 'logged out';
    state.className = 'pill warn';
    const login = document.getElementById('login');
    login.hidden = false;
    login.textContent = e.message;
  });

  views.forEach((v) => v.run());
  for (const v of views) {
    if (v.every) setInterval(() => { if (document.visibilityState === 'visible') v.run(); }, v.every);
  }
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  const loggedOut = e && e.data && e.data.reason === 'login_required';
  const login = document.getElementById('login');
  login.hidden = false;
  login.textContent = loggedOut ? e.message : 'Cannot reach the hub: ' + ((e && e.message) || e);
  const state = document.getElementById('hub-state');
  state.textContent = loggedOut ? 'not logged in' : 'unreachable';
  state.className = 'pill warn';
  document.querySelector('main').hidden = true;
  document.body.dataset.ready = 'login';
});
