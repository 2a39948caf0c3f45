// @ts-check
// Follows one torrent's download — which pieces are verified, peers, speeds — for the page
// (app.js) and the widget (embed.js), through the server's server-sent events
// (`GET /api/torrents/{id}/events`, docs/API.md) instead of polling.
//
//   const w = watchTorrent(serverBase, id, (view) => { ... });   // ... w.close();
//
// `view` (the same object every call, updated in place):
//   { mode: 'events' | 'polling', pieceLength, totalPieces, totalLength,
//     bits: Uint8Array (MSB first, as /pieces `have`) or null, haveCount, stats }
// where `stats` is the `stats` object of `GET /api/torrents/{id}`.
//
// Fallback: when the event stream fails FAILURES_BEFORE_POLLING times in a row without a
// single message in between (a proxy that buffers, an older server without the route), or
// when this page already holds MAX_STREAMS_PER_SERVER event streams to the same server, the
// watcher polls `GET /api/torrents/{id}` and `/pieces` instead. close() stops everything at
// once: no request leaves after it.

/// Event-stream errors in a row (each one is a failed (re)connection; EventSource retries
/// after the server's `retry:` of 1 s) before the watcher gives up on events and polls.
export const FAILURES_BEFORE_POLLING = 3;
/// Browsers open at most 6 HTTP/1.1 connections to one server, and an event stream holds one
/// for as long as it is open. Several players on one page watching different torrents would
/// otherwise leave too few connections for their video bytes: beyond this many streams to one
/// server, a watcher polls (torrents watched twice share one stream).
export const MAX_STREAMS_PER_SERVER = 2;
/// Polling periods of the fallback (ms): stats (peers, speeds) and the piece bitfield.
export const POLL_STATS_MS = 1000;
export const POLL_PIECES_MS = 2000;

/// Open event streams, by URL: { source, view, listeners: Set, failures }.
const streams = new Map();

function streamsTo(origin) {
  let n = 0;
  for (const url of streams.keys()) if (new URL(url).origin === origin) n++;
  return n;
}

function decodeBits(b64) {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function newView() {
  return { mode: 'events', pieceLength: 0, totalPieces: 0, totalLength: 0, bits: null, haveCount: 0, stats: null };
}

/// Watches torrent `id` on the server at `base` (a URL ending in `/`); calls `onUpdate(view)`
/// on every change. Returns `{ close(), view }`.
export function watchTorrent(base, id, onUpdate) {
  const url = new URL(`api/torrents/${encodeURIComponent(id)}/events`, base).href;
  let closed = false;
  let poller = null;
  const handle = {
    view: null,
    close() {
      if (closed) return;
      closed = true;
      if (poller) poller.stop();
      detach(url, listener);
    },
  };
  const listener = {
    update(view) { if (!closed) { handle.view = view; onUpdate(view); } },
    fallback() {
      if (closed || poller) return;
      poller = poll(base, id, (view) => { if (!closed) { handle.view = view; onUpdate(view); } });
    },
  };
  if (typeof EventSource !== 'function'
      || (!streams.has(url) && streamsTo(new URL(url).origin) >= MAX_STREAMS_PER_SERVER)) {
    listener.fallback();
  } else {
    attach(url, listener);
  }
  return handle;
}

function attach(url, listener) {
  let s = streams.get(url);
  if (!s) {
    s = open(url);
    streams.set(url, s);
  }
  s.listeners.add(listener);
  if (s.view.bits) listener.update(s.view);
}

function detach(url, listener) {
  const s = streams.get(url);
  if (!s || !s.listeners.delete(listener)) return;
  if (s.listeners.size === 0) {
    s.source.close();
    streams.delete(url);
  }
}

function open(url) {
  const view = newView();
  const source = new EventSource(url);
  const s = { source, view, listeners: new Set(), failures: 0 };
  const each = (f) => { for (const l of [...s.listeners]) f(l); };
  source.addEventListener('snapshot', (e) => {
    s.failures = 0;
    const d = JSON.parse(e.data);
    Object.assign(view, {
      pieceLength: d.piece_length, totalPieces: d.total_pieces, totalLength: d.total_length,
      bits: decodeBits(d.have), haveCount: d.have_count, stats: d.stats,
    });
    each((l) => l.update(view));
  });
  source.addEventListener('progress', (e) => {
    s.failures = 0;
    const d = JSON.parse(e.data);
    if (view.bits) {
      for (const i of d.pieces) if ((i >> 3) < view.bits.length) view.bits[i >> 3] |= 0x80 >> (i & 7);
    }
    view.haveCount = d.have_count;
    view.stats = d.stats;
    each((l) => l.update(view));
  });
  source.addEventListener('removed', () => {
    // The torrent left the server: nothing more will come; keep the last figures.
    source.close();
  });
  source.addEventListener('error', () => {
    s.failures++;
    // CLOSED: the browser will not retry (404, not an event stream); otherwise it reconnects
    // by itself, and a fresh snapshot resets the count.
    if (source.readyState === EventSource.CLOSED || s.failures >= FAILURES_BEFORE_POLLING) {
      source.close();
      if (streams.get(url) === s) streams.delete(url);
      each((l) => l.fallback());
    }
  });
  return s;
}

/// The fallback: polls stats and pieces; `stop()` ends it (requests in flight are aborted).
function poll(base, id, onUpdate) {
  const view = newView();
  view.mode = 'polling';
  const abort = new AbortController();
  const get = async (path) => {
    const r = await fetch(new URL(`api/torrents/${encodeURIComponent(id)}${path}`, base), { signal: abort.signal });
    if (!r.ok) throw new Error(`the server answered ${r.status}`);
    return r.json();
  };
  const stats = async () => {
    try {
      const t = await get('');
      view.totalLength = t.total_length || 0;
      view.stats = t.stats || null;
      onUpdate(view);
    } catch (_) { /* best-effort: the next tick tries again */ }
  };
  const pieces = async () => {
    try {
      const p = await get('/pieces');
      Object.assign(view, {
        pieceLength: p.piece_length, totalPieces: p.total_pieces, bits: decodeBits(p.have), haveCount: p.have_count,
      });
      onUpdate(view);
    } catch (_) { /* as above */ }
  };
  stats();
  pieces();
  const timers = [setInterval(stats, POLL_STATS_MS), setInterval(pieces, POLL_PIECES_MS)];
  return {
    stop() {
      timers.forEach(clearInterval);
      abort.abort();
    },
  };
}
