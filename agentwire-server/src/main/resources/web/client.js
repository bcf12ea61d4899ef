/*
 * agentwire client for browsers (and any JavaScript runtime with a WebSocket): no dependencies.
 *
 *   const hub = await agentwire.connect({ url, token, session, name });
 *   hub.registerTool({ name, description, inputSchema }, async (args, ctx) => {
 *     ctx.progress(1, 2, 'half way');       // notifications/progress, when the caller asked for it
 *     if (ctx.signal.aborted) return;       // the caller cancelled
 *     return { any: 'json' };               // or a CallToolResult { content: [...] }
 *   });
 *   const result = await hub.callTool('getPageContent', { selector: 'main' });
 *
 * The connection is JSON-RPC 2.0 over the hub's WebSocket (ws://127.0.0.1:8765/ws). Every connection needs a
 * secret: a page the hub serves itself uses the browser login (the cookie `aw open` gives; without it, connect
 * rejects with data.reason 'login_required' and a message that says how to log in); any other page or program
 * passes a token (`aw token create`), and a page of another origin must also be listed in
 * security.allowedOrigins. After a lost connection it reconnects with backoff (1 s, 2 s, 4 s ... 30 s, with
 * jitter), says hub/hello again, rejoins its session and registers its tools again; if the login is gone (the
 * hub restarted), it stops and emits 'logged-out'.
 *
 * Rooms and services (the ElizaOS and orchestrator seeds):
 *
 *   await hub.joinRoom('lobby', { history: 20, onMessage: (m) => show(m), onGap: (r) => reload(r) });
 *   await hub.publish('lobby', 'hello', { any: 'json' });   // resolves with the ack, once durable
 *   await hub.typing('lobby', 'thinking');                   // 'rooms/typing' to the other members
 *   await hub.joinInbox({ onMessage });                      // @<identity>: direct messages to this identity
 *   await hub.sendTo('bob', 'psst');                         // to @bob (needs rooms:write:@bob)
 *   await hub.broadcast('to everyone');                      // every member of every room it may write
 *   hub.on('rooms/broadcast', (b) => ...);
 *   const answer = await hub.requestService('naming', 'suggest', { topic: 'x' });
 *
 * A joined room remembers the last offset it delivered; after a reconnect it is joined again with `since`, so
 * onMessage sees every message once, in order (onGap when the hub could not recover them all), and
 * 'rejoined' {room, recovered, messages, offset} is emitted; 'rejoin_failed' {room, error} if the hub refused. With
 * maxReconnectAttempts (the ElizaOS seed's 5) it gives up after that many failed attempts in a row: it emits
 * 'reconnect_failed' with an AgentwireError (data.reason 'reconnect_failed'), and requests reject with it.
 *
 * Liveness: when nothing has come from the hub for idlePingMs (30 s; 0 turns it off) it sends hub/ping; after
 * two pings with nothing back the connection counts as lost ('disconnected' with reason 'heartbeat_timeout')
 * and it reconnects. A WebSocket upgrade that gets no answer within connectTimeoutMs (10 s) is given up.
 */
(function (global) {
  'use strict';

  class AgentwireError extends Error {
    constructor(error) {
      super(error.message);
      this.name = 'AgentwireError';
      this.code = error.code;
      this.data = error.data;
    }
  }

  /**
   * Why a page of the hub's own could not open its socket, when the reason is that this browser is not logged
   * in: the hub's message (how to log in), or null for anything else.
   */
  async function loginProblem(hub) {
    if (hub.token || typeof fetch !== 'function' || typeof location === 'undefined') return null;
    try {
      const base = hub.url.replace(/^ws/, 'http').replace(/\/ws([?#].*)?$/, '');
      if (base !== location.origin) return null; // only the hub's own pages log in with its cookie
      const r = await fetch(base + '/login/status?next=' + encodeURIComponent(location.pathname), {
        credentials: 'same-origin',
      });
      return r.status === 401 ? (await r.json()).message : null;
    } catch (e) {
      return null;
    }
  }

  function defaultUrl() {
    if (typeof location !== 'undefined' && /^https?:$/.test(location.protocol)) {
      return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    }
    return 'ws://127.0.0.1:8765/ws';
  }

  /** maxReconnectAttempts: unset (retry forever) or a whole number of at least 1. */
  function checkAttempts(n) {
    if (n === undefined || n === null) return null;
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError('maxReconnectAttempts must be a whole number of at least 1 (leave it out to retry '
        + 'forever), got ' + n);
    }
    return n;
  }

  class AgentwireHub {
    constructor(options) {
      const o = options || {};
      this.maxReconnectAttempts = checkAttempts(o.maxReconnectAttempts);
      this.failure = null;
      this.rooms = new Map();
      this.url = o.url || defaultUrl();
      this.token = o.token || null;
      this.session = o.session || null;
      this.name = o.name || (typeof document !== 'undefined' ? document.title || 'browser' : 'js-client');
      this.reconnect = o.reconnect !== false;
      this.requestTimeoutMs = o.requestTimeoutMs || 30000;
      this.idlePingMs = o.idlePingMs === undefined ? 30000 : o.idlePingMs;
      this.connectTimeoutMs = o.connectTimeoutMs || 10000;
      this.backoff = { initialMs: 1000, maxMs: 30000, jitter: 0.2, ...(o.backoff || {}) };
      this.nextId = 1;
      this.pending = new Map();
      this.tools = new Map();
      this.serving = new Map();
      this.listeners = new Map();
      this.attempt = 0;
      this.closed = false;
      this.socket = null;
      this.hello = null;
    }

    /** Connects and says hub/hello; resolves with the hub. */
    static async connect(options) {
      const hub = new AgentwireHub(options);
      await hub._open();
      return hub;
    }

    _socketUrl() {
      if (!this.token) return this.url;
      return this.url + (this.url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(this.token);
    }

    _open() {
      return new Promise((resolve, reject) => {
        let ready = false; // hub/hello answered and the tools registered again
        let opened = false; // the WebSocket upgrade succeeded
        let ended = false;
        const ws = new WebSocket(this._socketUrl());
        this.socket = ws;
        // The socket's end, run once: reported by the socket, or decided here (a hub that stopped answering
        // would never finish a close handshake, so the client does not wait for one).
        const end = (event) => {
          if (ended) return;
          ended = true;
          clearTimeout(upgrade);
          liveness.stop();
          if (this.socket === ws) this.socket = null;
          for (const [, p] of this.pending) {
            clearTimeout(p.timer);
            p.reject(new AgentwireError({ code: -32003,
              message: 'connection to the hub lost' + (event.reason ? ': ' + event.reason : '') }));
          }
          this.pending.clear();
          for (const [, s] of this.serving) s.abort();
          this.serving.clear();
          if (!ready && !opened) {
            // Refused before the upgrade: say why when it is the login (the page then tells how to log in).
            loginProblem(this).then((message) => reject(message
              ? new AgentwireError({ code: -32005, message, data: { reason: 'login_required' } })
              : new Error('cannot reach the hub at ' + this.url + ' (' + (event.reason || event.code) + ')')));
          } else if (!ready) {
            reject(new Error('cannot reach the hub at ' + this.url + ' (' + (event.reason || event.code) + ')'));
          }
          this._emit('disconnected', { code: event.code, reason: event.reason });
          if (ready && this.reconnect && !this.closed) this._scheduleReconnect();
        };
        const giveUp = (wireReason, reason) => {
          try { ws.close(4000, wireReason); } catch (e) { /* already closing */ }
          end({ code: 4000, reason });
        };
        const liveness = this._liveness(giveUp);
        const upgrade = setTimeout(() => giveUp('connect_timeout', 'connect_timeout: the hub did not answer the '
            + 'WebSocket upgrade within ' + this.connectTimeoutMs + ' ms'), this.connectTimeoutMs);
        ws.onopen = async () => {
          opened = true;
          clearTimeout(upgrade);
          liveness.start();
          try {
            const params = { name: this.name, role: 'browser' };
            if (this.token) params.token = this.token;
            if (this.session) params.session = this.session;
            this.hello = await this.request('hub/hello', params);
            if (this.tools.size > 0) {
              await this.request('tools/register', {
                tools: [...this.tools.values()].map((t) => t.definition),
                replace: true,
              });
            }
            // A room it may no longer join does not keep the connection down: 'rejoin_failed' says which.
            await Promise.all([...this.rooms.keys()].map((room) => this._rejoin(room)
              .catch((e) => this._emit('rejoin_failed', { room, error: e }))));
            ready = true;
            this.attempt = 0;
            this._emit('connected', this.hello);
            resolve(this);
          } catch (e) {
            reject(e);
            giveUp('hello_failed', 'hub/hello failed: ' + e.message);
          }
        };
        ws.onmessage = (event) => {
          liveness.touch();
          this._receive(event.data);
        };
        ws.onclose = end;
      });
    }

    /**
     * Pings a silent hub: hub/ping after idlePingMs without a message from it, and after two pings with nothing
     * back, giveUp. Any message counts (the browser answers the hub's own WebSocket pings without telling us).
     */
    _liveness(giveUp) {
      const interval = this.idlePingMs;
      let last = Date.now();
      let unanswered = 0;
      let timer = null;
      const tick = () => {
        timer = null;
        const idle = Date.now() - last;
        if (idle < interval) {
          timer = setTimeout(tick, interval - idle);
          return;
        }
        if (unanswered >= 2) {
          giveUp('heartbeat_timeout', 'heartbeat_timeout: nothing from the hub for ' + 3 * interval + ' ms and '
            + unanswered + ' hub/ping unanswered');
          return;
        }
        unanswered += 1;
        last = Date.now();
        this.request('hub/ping', {}, { timeoutMs: 3 * interval }).catch(() => { /* the silence is what counts */ });
        timer = setTimeout(tick, interval);
      };
      return {
        start: () => { if (interval > 0) { last = Date.now(); timer = setTimeout(tick, interval); } },
        touch: () => { last = Date.now(); unanswered = 0; },
        stop: () => { if (timer) clearTimeout(timer); timer = null; },
      };
    }

    _scheduleReconnect() {
      this.attempt += 1;
      if (this.maxReconnectAttempts !== null && this.attempt > this.maxReconnectAttempts) {
        const made = this.attempt - 1;
        this.closed = true;
        this.failure = new AgentwireError({ code: -32003,
          message: 'gave up reconnecting to ' + this.url + ' after ' + made + ' attempts (maxReconnectAttempts='
            + this.maxReconnectAttempts + ')',
          data: { reason: 'reconnect_failed', attempts: made } });
        this._emit('reconnect_failed', this.failure);
        return;
      }
      const b = this.backoff;
      const base = Math.min(b.maxMs, b.initialMs * Math.pow(2, Math.min(this.attempt - 1, 30)));
      const delay = Math.round(base * (1 - b.jitter + 2 * b.jitter * Math.random()));
      setTimeout(() => {
        if (this.closed) return;
        this._open().then(
          () => this._emit('reconnected', this.hello),
          (e) => {
            if (this.closed) return;
            if (e && e.data && e.data.reason === 'login_required') this._emit('logged-out', e);
            else this._scheduleReconnect();
          });
      }, delay);
    }

    _send(message) {
      if (this.failure) throw this.failure;
      if (!this.socket || this.socket.readyState !== 1) {
        throw new AgentwireError({ code: -32003, message: 'not connected to the hub' });
      }
      this.socket.send(JSON.stringify(message));
    }

    /** Sends a request; resolves with its result, rejects with an AgentwireError. */
    request(method, params, options) {
      const timeoutMs = (options && options.timeoutMs) || this.requestTimeoutMs;
      return new Promise((resolve, reject) => {
        const id = this.nextId++;
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new AgentwireError({ code: -32001, message: method + ' timed out after ' + timeoutMs + ' ms' }));
        }, timeoutMs);
        this.pending.set(id, { resolve, reject, timer });
        try {
          this._send({ jsonrpc: '2.0', id, method, params: params || {} });
        } catch (e) {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(e);
        }
      });
    }

    /** Sends a notification. */
    notify(method, params) {
      this._send({ jsonrpc: '2.0', method, params: params || {} });
    }

    /** Listens to a notification method (e.g. 'notifications/tools/list_changed') or 'connected' etc. */
    on(event, listener) {
      if (!this.listeners.has(event)) this.listeners.set(event, []);
      this.listeners.get(event).push(listener);
      return this;
    }

    _emit(event, data) {
      for (const l of this.listeners.get(event) || []) {
        try { l(data); } catch (e) { console.error('agentwire listener for ' + event + ' failed', e); }
      }
    }

    /** Provides a tool; it is registered again after every reconnect. */
    async registerTool(definition, handler) {
      const def = { inputSchema: { type: 'object' }, ...definition };
      this.tools.set(def.name, { definition: def, handler });
      try {
        return await this.request('tools/register', { tools: [def] });
      } catch (e) {
        this.tools.delete(def.name);
        throw e;
      }
    }

    async unregisterTool(name) {
      this.tools.delete(name);
      return this.request('tools/unregister', { names: [name] });
    }

    listTools(cursor) {
      return this.request('tools/list', cursor ? { cursor } : {});
    }

    /** Calls a tool of the session; resolves with its CallToolResult. */
    callTool(name, args, options) {
      const timeoutMs = (options && options.timeoutMs) || 60000;
      return this.request('tools/call', { name, arguments: args || {}, timeoutMs }, { timeoutMs: timeoutMs + 5000 });
    }

    // --- rooms ------------------------------------------------------------------------------------------------

    /**
     * Joins a room: resolves with the hub's answer once the last `history` messages went to onMessage; every
     * new message follows, once each, in order, also across reconnects. options: history, echo, onMessage,
     * onGap (after a reconnect the hub could not fill: the answer, whose messages follow).
     */
    async joinRoom(room, options) {
      const o = options || {};
      const joined = { history: o.history || 0, echo: !!o.echo, onMessage: o.onMessage || (() => {}),
        onGap: o.onGap || (() => {}), offset: 0, epoch: 0, queue: [] };
      const params = { room, history: joined.history };
      if (joined.echo) params.echo = true;
      this.rooms.set(room, joined); // live messages wait in queue until the answer is delivered
      try {
        const r = await this.request('rooms/join', params);
        this._joined(joined, r, false);
        return r;
      } catch (e) {
        if (this.rooms.get(room) === joined) this.rooms.delete(room);
        throw e;
      }
    }

    /** Joins again after a reconnect, from the last offset delivered. */
    async _rejoin(room) {
      const joined = this.rooms.get(room);
      joined.queue = joined.queue || [];
      const params = { room, history: joined.history };
      // An epoch past 2^53 (a room older than the hub's JavaScript-safe epochs) is not held exactly here: then
      // the join has no since, and onGap tells the page what it may have missed.
      if (Number.isSafeInteger(joined.epoch)) params.since = { offset: joined.offset, epoch: joined.epoch };
      if (joined.echo) params.echo = true;
      const r = await this.request('rooms/join', params);
      this._joined(joined, r, !r.recovered);
      this._emit('rejoined', { room, recovered: r.recovered, messages: r.messages.length, offset: joined.offset });
    }

    _joined(joined, r, gap) {
      if (gap) {
        joined.offset = 0;
        try { joined.onGap(r); } catch (e) { console.error('agentwire onGap failed', e); }
      }
      joined.epoch = r.epoch;
      if (r.messages.length === 0) joined.offset = Math.max(joined.offset, r.offset);
      for (const m of r.messages) this._deliver(joined, m);
      joined.offset = Math.max(joined.offset, r.offset);
      const queued = joined.queue;
      joined.queue = null;
      for (const m of queued) this._deliver(joined, m);
    }

    _deliver(joined, m) {
      if (m.offset <= joined.offset) return; // delivered already (live, and again in a recovery)
      joined.offset = m.offset;
      try { joined.onMessage(m); } catch (e) { console.error('agentwire onMessage failed', e); }
    }

    _roomMessage(m) {
      const joined = this.rooms.get(m.room);
      if (!joined) return;
      if (joined.queue) joined.queue.push(m);
      else this._deliver(joined, m);
    }

    async leaveRoom(room) {
      this.rooms.delete(room);
      return this.request('rooms/leave', { room });
    }

    /** Publishes; resolves with the ack {id, offset, epoch, ts} once the message is durable. */
    publish(room, text, data, options) {
      const params = { room };
      if (text !== undefined && text !== null) params.text = text;
      if (data !== undefined && data !== null) params.data = data;
      if (options && options.clientMessageId) params.clientMessageId = options.clientMessageId;
      return this.request('rooms/publish', params);
    }

    /** 'thinking' or 'idle', to the other members of a room this connection is in. */
    typing(room, state) {
      return this.request('rooms/typing', { room, state });
    }

    /** rooms/history: options before, after, limit. */
    history(room, options) {
      return this.request('rooms/history', { room, ...(options || {}) });
    }

    listRooms() {
      return this.request('rooms/list', {});
    }

    /** This connection's inbox: @ and the identity the hub took it for. */
    inbox() {
      return this.hello && this.hello.inbox;
    }

    /** Joins this identity's inbox (direct messages), as joinRoom. */
    joinInbox(options) {
      return this.joinRoom(this.inbox(), options);
    }

    /** A direct message to identity: published to its inbox @identity. */
    sendTo(identity, text, data) {
      return this.publish('@' + identity, text, data);
    }

    /** Now, not stored: to every member of every room this identity may write; resolves {rooms, delivered}. */
    broadcast(text, data) {
      const params = {};
      if (text !== undefined && text !== null) params.text = text;
      if (data !== undefined && data !== null) params.data = data;
      return this.request('rooms/broadcast', params);
    }

    // --- services ---------------------------------------------------------------------------------------------

    /** services/request: one live instance of `service` answers `action`; options timeoutMs, group. */
    requestService(service, action, data, options) {
      const o = options || {};
      const timeoutMs = o.timeoutMs || 30000;
      const params = { service, action, timeoutMs };
      if (data !== undefined) params.data = data;
      if (o.group) params.group = o.group;
      return this.request('services/request', params, { timeoutMs: timeoutMs + 5000 });
    }

    close() {
      this.closed = true;
      if (this.socket) this.socket.close(1000, 'closed by the page');
    }

    _receive(text) {
      let message;
      try {
        message = JSON.parse(text);
      } catch (e) {
        console.error('agentwire: the hub sent something that is not JSON', text);
        return;
      }
      for (const m of Array.isArray(message) ? message : [message]) this._dispatch(m);
    }

    _dispatch(m) {
      if (m.method && m.id !== undefined && m.id !== null) {
        this._serve(m);
      } else if (m.method) {
        if (m.method === 'notifications/cancelled' && m.params) {
          const s = this.serving.get(String(m.params.requestId));
          if (s) s.abort();
        }
        if (m.method === 'rooms/message' && m.params) this._roomMessage(m.params);
        this._emit(m.method, m.params);
      } else if (m.id !== undefined && this.pending.has(m.id)) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.error) p.reject(new AgentwireError(m.error));
        else p.resolve(m.result);
      }
    }

    async _serve(request) {
      const reply = (body) => {
        try { this._send({ jsonrpc: '2.0', id: request.id, ...body }); } catch (e) { /* connection gone */ }
      };
      if (request.method === 'ping') {
        reply({ result: {} }); // MCP's ping: a liveness check
        return;
      }
      if (request.method !== 'tools/call') {
        reply({ error: { code: -32601, message: 'this page does not serve ' + request.method } });
        return;
      }
      const params = request.params || {};
      const tool = this.tools.get(params.name);
      if (!tool) {
        reply({ error: { code: -32601, message: 'this page does not provide tool ' + params.name } });
        return;
      }
      const controller = new AbortController();
      this.serving.set(String(request.id), controller);
      const token = params._meta && params._meta.progressToken;
      const ctx = {
        requestId: request.id,
        signal: controller.signal,
        progress: (progress, total, message) => {
          if (token === undefined || token === null) return;
          const p = { progressToken: token, progress };
          if (total !== undefined && total !== null) p.total = total;
          if (message) p.message = message;
          try { this.notify('notifications/progress', p); } catch (e) { /* connection gone */ }
        },
      };
      try {
        const result = await tool.handler(params.arguments || {}, ctx);
        if (!controller.signal.aborted) reply({ result: result === undefined ? null : result });
      } catch (e) {
        if (!controller.signal.aborted) {
          reply({ error: { code: -32603, message: (e && e.message) || String(e), data: { reason: 'tool_failed' } } });
        }
      } finally {
        this.serving.delete(String(request.id));
      }
    }
  }

  global.agentwire = {
    connect: (options) => AgentwireHub.connect(options),
    AgentwireHub,
    AgentwireError,
  };
})(typeof window !== 'undefined' ? window : globalThis);
