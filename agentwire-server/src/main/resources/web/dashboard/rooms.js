// Rooms: the list, one room's live tail (the page joins it with echo, so what it sends comes back in order with
// everyone else's) and a box to send to it.

import { el, fill, clock, note, SortableTable } from './dom.js';
import { problem } from './views.js';

const TAIL = 200;

export function roomsView(ctx) {
  const holder = document.getElementById('rooms-body');
  const openForm = document.getElementById('room-open');
  const openName = document.getElementById('room-name');
  const current = document.getElementById('room-current');
  const tail = document.getElementById('room-tail');
  const sendForm = document.getElementById('room-send');
  const text = document.getElementById('room-text');
  const sendNote = document.getElementById('room-note');
  let room = null;

  const table = new SortableTable([
    { key: 'room', label: 'Room', render: (r) => el('button', { type: 'button', class: 'link', 'data-room': r.room,
      onclick: () => open(r.room) }, r.room) },
    { key: 'members', label: 'Members', numeric: true, value: (r) => (Array.isArray(r.members) ? r.members.length : r.members ?? 0),
      render: (r) => String(Array.isArray(r.members) ? r.members.length : r.members ?? 0) },
    { key: 'offset', label: 'Messages', numeric: true, render: (r) => String((r.offset ?? 0) - (r.firstOffset ?? 1) + 1) },
  ], { sortKey: 'room', caption: 'Rooms', empty: 'no rooms yet' });

  if (!ctx.canAct) {
    sendForm.hidden = true;
    sendNote.hidden = false;
  }

  async function refresh() {
    try {
      const r = await ctx.hub.request('rooms/list', {});
      if (!holder.contains(table.node)) fill(holder, table.node);
      table.update(r.rooms || []);
      ctx.count('rooms', (r.rooms || []).length);
    } catch (e) {
      fill(holder, note(problem(e), 'info'));
    }
  }

  function line(m) {
    return el('li', { 'data-offset': m.offset },
      el('span', { class: 'muted', text: `${clock(m.ts)} #${m.offset} ` }),
      el('strong', { text: m.from || '?' }), ': ',
      el('span', { class: 'message', text: m.text ?? '' }),
      m.data !== undefined && m.data !== null ? el('code', { text: ' ' + JSON.stringify(m.data) }) : null);
  }

  function add(messages) {
    const atEnd = tail.scrollTop + tail.clientHeight >= tail.scrollHeight - 4;
    tail.append(...messages.map(line));
    while (tail.children.length > TAIL) tail.firstElementChild.remove();
    if (atEnd) tail.scrollTop = tail.scrollHeight;
  }

  async function open(name) {
    if (room) await ctx.hub.request('rooms/leave', { room }).catch(() => {});
    room = null;
    fill(tail);
    current.textContent = `joining ${name}…`;
    try {
      const r = await ctx.hub.request('rooms/join', { room: name, history: 50, echo: true });
      room = name;
      current.textContent = `Tail of ${name}`;
      add(r.messages || []);
      sendForm.querySelector('button').disabled = false;
      refresh();
    } catch (e) {
      current.textContent = `${name}: ${problem(e)}`;
    }
  }

  openForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = openName.value.trim();
    if (name) open(name);
  });
  sendForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!room || !ctx.canAct || text.value === '') return;
    const message = text.value;
    try {
      await ctx.hub.request('rooms/publish', { room, text: message });
      text.value = '';
      sendNote.hidden = true;
    } catch (err) {
      sendNote.hidden = false;
      sendNote.textContent = problem(err);
    }
  });
  ctx.hub.on('rooms/message', (m) => { if (m && m.room === room) add([m]); });
  ctx.hub.on('rooms/presence', (p) => { if (p && p.room === room) refresh(); });
  return { refresh, on: {}, every: 5000 };
}
