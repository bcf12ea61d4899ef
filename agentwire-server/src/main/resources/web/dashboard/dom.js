// Small DOM helpers for the dashboard: elements, numbers people read, and a sortable table.

/** An element with attributes (on* are listeners; `text` sets textContent) and children (strings or nodes). */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** Replaces what `parent` holds with `children`. */
export function fill(parent, ...children) {
  parent.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
}

export function bytes(n) {
  if (n === undefined || n === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0)) + ' ' + units[i];
}

export function duration(ms) {
  if (ms === undefined || ms === null) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

export function millis(ms) {
  if (ms === undefined || ms === null || Number.isNaN(Number(ms))) return '—';
  const v = Number(ms);
  return (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) + ' ms';
}

export function clock(epochMillis) {
  if (!epochMillis) return '—';
  return new Date(epochMillis).toLocaleTimeString();
}

/** A note in a view: `kind` is info, error or muted. */
export function note(text, kind) {
  return el('p', { class: 'note ' + (kind || 'muted'), text });
}

/**
 * A table whose columns sort when their header button is pressed (again: the other way). Columns:
 * {key, label, value(row) for sorting, render(row) → node or text, numeric}. `update(rows)` redraws it.
 */
export class SortableTable {
  constructor(columns, options) {
    this.columns = columns;
    this.sortKey = (options && options.sortKey) || columns[0].key;
    this.descending = Boolean(options && options.descending);
    this.empty = (options && options.empty) || 'nothing yet';
    this.rowKey = (options && options.rowKey) || null;
    this.rows = [];
    this.table = el('table', { class: 'grid' });
    if (options && options.caption) this.table.append(el('caption', { class: 'sr-only', text: options.caption }));
    this.head = el('thead');
    this.body = el('tbody');
    this.table.append(this.head, this.body);
    this.node = el('div', { class: 'table-wrap', tabindex: '0', role: 'region',
      'aria-label': (options && options.caption) || 'table' }, this.table);
  }

  sortBy(key) {
    if (this.sortKey === key) this.descending = !this.descending;
    else { this.sortKey = key; this.descending = this.columns.find((c) => c.key === key).numeric === true; }
    this.update(this.rows);
    const b = this.head.querySelector(`button[data-key="${key}"]`);
    if (b) b.focus();
  }

  update(rows) {
    this.rows = rows;
    const col = this.columns.find((c) => c.key === this.sortKey) || this.columns[0];
    const value = col.value || ((r) => r[col.key]);
    const sorted = [...rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
      return this.descending ? -c : c;
    });
    fill(this.head, el('tr', {}, this.columns.map((c) => el('th', {
      scope: 'col',
      class: c.numeric ? 'num' : '',
      'aria-sort': c.key === this.sortKey ? (this.descending ? 'descending' : 'ascending') : 'none',
    }, el('button', { type: 'button', class: 'sort', 'data-key': c.key, onclick: () => this.sortBy(c.key) },
      c.label, el('span', { 'aria-hidden': 'true', class: 'arrow',
        text: c.key === this.sortKey ? (this.descending ? ' ▼' : ' ▲') : '' }))))));
    if (sorted.length === 0) {
      fill(this.body, el('tr', {}, el('td', { colspan: this.columns.length, class: 'empty', text: this.empty })));
      return;
    }
    fill(this.body, sorted.map((r) => el('tr', this.rowKey ? { 'data-key': this.rowKey(r) } : {},
      this.columns.map((c) => {
        const shown = c.render ? c.render(r) : r[c.key];
        return el('td', { class: c.numeric ? 'num' : '', 'data-label': c.label },
          shown === undefined || shown === null ? '—' : shown);
      }))));
  }
}
