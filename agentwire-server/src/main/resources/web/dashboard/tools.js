// Tools by session: pick a session (the page joins it, as tools live in a session), see its tools, and call one
// with arguments written as JSON, checked against the tool's inputSchema here before anything is sent.

import { el, fill, note } from './dom.js';
import { validate, skeleton } from './schema.js';
import { problem } from './views.js';

export function toolsView(ctx) {
  const select = document.getElementById('tool-session');
  const list = document.getElementById('tool-list');
  const form = document.getElementById('tool-form');
  const title = document.getElementById('tool-name');
  const description = document.getElementById('tool-description');
  const schemaView = document.getElementById('tool-schema');
  const args = document.getElementById('tool-args');
  const errors = document.getElementById('tool-errors');
  const result = document.getElementById('tool-result');
  const callButton = document.getElementById('tool-call');
  let tools = [];
  let chosen = null;
  let session = ctx.hello.sessionId;

  if (!ctx.canAct) {
    callButton.hidden = true;
    args.readOnly = true;
    document.getElementById('tool-readonly').hidden = false;
  }

  async function sessions() {
    const r = await ctx.hub.request('sessions/list', {});
    session = r.current || session;
    fill(select, (r.sessions || []).map((s) => el('option', { value: s.sessionId, selected: s.sessionId === session },
      `${s.name || s.sessionId.slice(0, 8)} — ${s.tools ?? 0} tools, ${s.members} members`)));
  }

  async function listTools() {
    const all = [];
    let cursor;
    do {
      const page = await ctx.hub.request('tools/list', cursor ? { cursor } : {});
      all.push(...(page.tools || []));
      cursor = page.nextCursor;
    } while (cursor && all.length < 5000);
    tools = all;
    ctx.count('tools', tools.length);
    if (tools.length === 0) {
      fill(list, el('li', { class: 'muted', text: 'no tools in this session' }));
    } else {
      fill(list, tools.map((t) => el('li', {},
        el('button', { type: 'button', class: 'link' + (chosen && chosen.name === t.name ? ' current' : ''),
          'data-tool': t.name, 'aria-pressed': chosen && chosen.name === t.name ? 'true' : 'false',
          onclick: () => choose(t.name) }, t.name),
        el('span', { class: 'muted', text: ' ' + (t.description || '') }))));
    }
    if (chosen) {
      const again = tools.find((t) => t.name === chosen.name);
      if (again) chosen = again;
      else { chosen = null; form.hidden = true; }
    }
  }

  async function refresh() {
    try {
      await sessions();
      await listTools();
    } catch (e) {
      fill(list, el('li', {}, note(problem(e), 'info')));
    }
  }

  function choose(name) {
    chosen = tools.find((t) => t.name === name);
    if (!chosen) return;
    form.hidden = false;
    title.textContent = chosen.name;
    description.textContent = chosen.description || '';
    schemaView.textContent = JSON.stringify(chosen.inputSchema || {}, null, 2);
    args.value = JSON.stringify(skeleton(chosen.inputSchema || {}), null, 2);
    fill(errors);
    fill(result);
    list.querySelectorAll('button[data-tool]').forEach((b) => {
      const on = b.dataset.tool === name;
      b.classList.toggle('current', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
    args.focus();
  }

  function showErrors(lines) {
    fill(errors, el('p', { text: 'Not sent:' }), el('ul', {}, lines.map((l) => el('li', { text: l }))));
  }

  async function call(event) {
    event.preventDefault();
    if (!chosen || !ctx.canAct) return;
    fill(result);
    let value;
    try {
      value = JSON.parse(args.value);
    } catch (e) {
      showErrors([`the arguments are not JSON: ${e.message}`]);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      showErrors(['the arguments must be a JSON object']);
      return;
    }
    const wrong = validate(chosen.inputSchema || { type: 'object' }, value);
    if (wrong.length > 0) {
      showErrors(wrong.map((w) => `${w.path} ${w.message}`));
      return;
    }
    fill(errors);
    callButton.disabled = true;
    result.className = 'result';
    result.textContent = 'calling…';
    const started = performance.now();
    try {
      const r = await ctx.hub.callTool(chosen.name, value);
      const ms = Math.round(performance.now() - started);
      const shown = r.structuredContent !== undefined ? r.structuredContent
        : (r.content || []).map((c) => (c.type === 'text' ? c.text : c));
      result.className = 'result ' + (r.isError ? 'error' : 'ok');
      result.textContent = `${r.isError ? 'Tool error' : 'Result'} (${ms} ms):\n`
        + (typeof shown === 'string' ? shown : JSON.stringify(shown.length === 1 ? shown[0] : shown, null, 2));
    } catch (e) {
      result.className = 'result error';
      result.textContent = `Refused: ${e.code || ''} ${e.message}`;
    } finally {
      callButton.disabled = false;
    }
  }

  select.addEventListener('change', async () => {
    try {
      await ctx.hub.request('sessions/join', { sessionId: select.value });
      session = select.value;
      chosen = null;
      form.hidden = true;
      await listTools();
    } catch (e) {
      fill(list, el('li', {}, note(problem(e), 'error')));
    }
  });
  form.addEventListener('submit', call);
  ctx.hub.on('notifications/tools/list_changed', () => listTools().catch(() => {}));
  return { refresh, on: { session: refresh }, every: 15000 };
}
