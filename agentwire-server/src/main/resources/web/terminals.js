/*
 * The /terminals page: the hub's terminal sessions (status, titles, size), one of them in xterm.js at the
 * session's own columns and rows (following a resize made elsewhere), with flow control, and buttons to start
 * and kill terminals. Logs in with the browser login cookie (`aw open terminals`) or a token in the fragment
 * (`/terminals#token=T&id=ID`; a bare `#ID` names the session). Without the admin scope it only watches.
 */
(async () => {
  const status = document.getElementById('status');
  const list = document.getElementById('sessions');
  const heading = document.getElementById('current');
  let term = null;
  let current = null;
  let sessions = [];

  const fragment = location.hash.slice(1);
  const params = new URLSearchParams(fragment.includes('=') ? fragment : '');
  const token = params.get('token');
  const wantedId = fragment.includes('=') ? params.get('id') : fragment;

  const hub = await agentwire.connect({ name: 'terminals page', token: token || undefined });
  const scopes = hub.hello.scopes || [];
  const canAct = scopes.some((s) => s === '*' || s === 'admin');
  if (!canAct) {
    const mode = document.getElementById('mode');
    mode.hidden = false;
    mode.textContent = `Read-only: ${hub.hello.subject} does not hold the admin scope, so this page watches the `
      + 'terminals and does not type into them, resize, start or kill them.';
    document.querySelectorAll('.needs-admin').forEach((e) => e.remove());
  }
  hub.on('logged-out', (e) => { status.textContent = e.message; });

  // Flow control as xterm.js's guide describes: the hub stops sending past its high water mark of characters
  // this page has not acknowledged, so a fast program never floods the page; the page acknowledges what
  // xterm.js has drawn (its write callback), about every ACK_EVERY characters and whenever it has drawn it all.
  const ACK_EVERY = 16384;
  let unacked = 0;
  let writing = 0;
  function draw(data) {
    const id = current;
    const target = term;
    writing++;
    target.write(data, () => {
      writing--;
      unacked += data.length;
      if (id === current && target === term && (unacked >= ACK_EVERY || writing === 0)) {
        const chars = unacked;
        unacked = 0;
        hub.request('terminals/ack', { id, chars }).catch(() => {});
      }
    });
  }
  // A message with anew true begins with a reset: the page missed output while paused and is drawn again.
  hub.on('terminals/output', (p) => { if (term && p.id === current) draw(p.data); });

  /** The session's size is the page's: follow a resize made by another viewer or an agent. */
  function follow(session) {
    if (!term || session.id !== current || !session.cols || !session.rows) return;
    if (term.cols !== session.cols || term.rows !== session.rows) term.resize(session.cols, session.rows);
    const cols = document.getElementById('cols');
    if (cols) {
      cols.value = session.cols;
      document.getElementById('rows').value = session.rows;
    }
    describe(session);
  }

  function describe(t) {
    const title = t.title && t.title !== t.name ? ' — ' + t.title : '';
    heading.textContent = `${t.name}${title} (${t.status}, ${t.cols}×${t.rows})`;
  }

  async function refresh() {
    const r = await hub.request('terminals/list', {});
    sessions = r.terminals;
    list.replaceChildren(...sessions.map((t) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.id = t.id;
      b.className = t.id === current ? 'current' : '';
      if (t.id === current) b.setAttribute('aria-current', 'true');
      const name = document.createElement('strong');
      name.textContent = t.name;
      const state = document.createElement('span');
      state.className = 'pill ' + (t.status === 'running' ? 'ok' : 'muted');
      state.textContent = t.status + (t.exitCode !== null && t.exitCode !== undefined ? ` (${t.exitCode})` : '');
      const size = document.createElement('span');
      size.className = 'muted';
      size.textContent = ` ${t.cols}×${t.rows}`;
      const title = document.createElement('span');
      title.className = 'title';
      title.textContent = t.title && t.title !== t.name ? t.title : '';
      b.append(name, ' ', state, size, title);
      b.onclick = () => open(t.id).catch((e) => { status.textContent = e.message; });
      const li = document.createElement('li');
      li.append(b);
      return li;
    }));
    status.textContent = sessions.length ? `${sessions.length} session(s)` : 'no sessions';
    const shown = sessions.find((t) => t.id === current);
    if (shown) follow(shown);
    const kill = document.getElementById('kill');
    if (kill) kill.hidden = !shown || shown.status !== 'running';
    return sessions;
  }

  async function open(id) {
    if (current) await hub.request('terminals/detach', { id: current }).catch(() => {});
    current = id;
    if (!token) history.replaceState(null, '', '#' + id);
    if (term) term.dispose();
    const s = await hub.request('terminals/attach', { id, flowControl: true });
    term = new Terminal({ cols: s.cols, rows: s.rows, rendererType: 'dom', convertEol: false, disableStdin: !canAct });
    term.open(document.getElementById('term'));
    unacked = 0;
    writing = 0;
    draw(s.scrollback);
    if (canAct) term.onData(send);
    describe(s);
    const size = document.getElementById('size');
    if (size) {
      size.hidden = false;
      document.getElementById('cols').value = s.cols;
      document.getElementById('rows').value = s.rows;
    }
    await refresh();
  }

  /** What the keyboard gives the terminal goes to the session as typed. */
  function send(data) {
    return hub.request('terminals/input', { id: current, text: data }).catch((e) => { status.textContent = e.message; });
  }

  async function resize(cols, rows) {
    await hub.request('terminals/resize', { id: current, cols, rows });
    term.resize(cols, rows);
    await refresh();
  }

  if (canAct) {
    document.getElementById('size').onsubmit = (e) => {
      e.preventDefault();
      resize(Number(document.getElementById('cols').value), Number(document.getElementById('rows').value))
        .catch((err) => { status.textContent = err.message; });
    };
    document.getElementById('spawn').onsubmit = async (e) => {
      e.preventDefault();
      const command = document.getElementById('spawn-command').value.trim().split(/\s+/).filter((w) => w);
      const name = document.getElementById('spawn-name').value.trim();
      const spec = {
        command,
        cols: Number(document.getElementById('spawn-cols').value),
        rows: Number(document.getElementById('spawn-rows').value),
      };
      if (name) spec.name = name;
      try {
        const t = await hub.request('terminals/spawn', spec);
        await open(t.id);
      } catch (err) {
        status.textContent = err.message;
      }
    };
    // Kill as closing a terminal window does: SIGHUP (an interactive shell ignores SIGTERM), then SIGKILL if the
    // process is still running KILL_AFTER_MS later.
    const KILL_AFTER_MS = 3000;
    document.getElementById('kill').onclick = async () => {
      const id = current;
      try {
        await hub.request('terminals/kill', { id, signal: 1 });
        setTimeout(async () => {
          const t = (await refresh()).find((x) => x.id === id);
          if (t && t.status === 'running') await hub.request('terminals/kill', { id, signal: 9 });
        }, KILL_AFTER_MS);
      } catch (err) {
        status.textContent = err.message;
      }
    };
  }

  // Live: the list follows the hub's session events (start, exit, title, resize).
  for (const c of ['session', 'session-monitor']) hub.request('events/subscribe', { categories: [c] }).catch(() => {});
  let again = Promise.resolve();
  const later = () => { again = again.then(() => refresh()).catch(() => {}); };
  hub.on('events/event', (e) => {
    if (e.category === 'session' && e.data && e.data.id === current) follow(e.data);
    if (e.category === 'session' || e.category === 'session-monitor') later();
  });
  hub.on('reconnected', () => later());

  // What the page shows, as tools: so that an agent (or a test) can check what a person sees here.
  // (A login without tools:provide offers none; the page works the same.)
  await hub.registerTool({ name: 'terminalsPageScreen', description: 'The lines the page shows', inputSchema: { type: 'object' } },
    async () => {
      const lines = [];
      if (term) for (let i = 0; i < term.rows; i++) {
        const line = term.buffer.active.getLine(term.buffer.active.viewportY + i);
        lines.push(line ? line.translateToString(true) : '');
      }
      const rowsDrawn = document.querySelectorAll('#term .xterm-rows > div').length;
      return { id: current, cols: term ? term.cols : 0, rows: term ? term.rows : 0, rowsDrawn, lines };
    }).catch((e) => { if (canAct) throw e; });
  if (canAct) {
    await hub.registerTool({ name: 'terminalsPageType', description: 'Type text into the shown terminal, as its keyboard does',
        inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
      async (args) => { await send(args.text); return { typed: args.text.length }; });
    await hub.registerTool({ name: 'terminalsPageResize', description: 'Resize the shown terminal',
        inputSchema: { type: 'object', properties: { cols: { type: 'integer' }, rows: { type: 'integer' } }, required: ['cols', 'rows'] } },
      async (args) => { await resize(args.cols, args.rows); return { cols: term.cols, rows: term.rows }; });
  }

  const found = await refresh();
  const wanted = wantedId || (found[0] && found[0].id);
  if (wanted) await open(wanted);
  document.body.dataset.ready = 'true';
})().catch((e) => {
  const loggedOut = e.data && e.data.reason === 'login_required';
  document.getElementById('status').textContent = (loggedOut ? '' : 'error: ') + e.message;
  document.body.dataset.ready = 'login';
});
