// @ts-check
// The library: the server's torrents (`GET /api/torrents`, owner only) with name, size,
// progress, speed, peers, state and errors in plain words, refreshed every few seconds, each
// with Play, Copy link and Delete (asks first); "Continue watching" from lib/resume.js; and
// adding a `.torrent` by the file picker, by dropping it anywhere on the page or by pasting
// it (a pasted magnet goes to the magnet box's own path).
import { api } from './api.js';
import { errorText } from './errors.js';
import { formatBytes, formatTime } from './format.js';
import { forgetTorrent, recentPositions } from './resume.js';

/** @typedef {import('./files.js').Torrent} Torrent */

/**
 * @typedef {Torrent & { total_length?: number, stats?: any }} ListedTorrent
 */

/**
 * How often the list is asked for again: one request covers every torrent (an event stream
 * per torrent would take one of the browser's 6 connections to the server each).
 */
const REFRESH_MS = 2000;
/** Delete asks first; the question stays this long. */
const CONFIRM_MS = 4000;

/**
 * @typedef {object} LibraryHooks
 * @property {() => Record<string, string>} headers The owner's headers (consent secret, add
 *   token).
 * @property {(torrent: Torrent, fileIndex: number | null, at?: number) => void} open Opens a
 *   torrent on the page (plays `fileIndex`, or the first episode / largest video; from `at` s).
 * @property {(magnet: string) => void} addMagnet
 * @property {(id: string) => void} deleted The torrent is gone from the server.
 * @property {(message: string) => void} error
 * @property {(file: File) => boolean} [dropped] A non-.torrent file dropped on the page
 *   (e.g. subtitles); true if it was taken.
 */

/** @param {string} id */
export function magnetOf(id, name = '') {
  return `magnet:?xt=urn:btih:${id}${name ? `&dn=${encodeURIComponent(name)}` : ''}`;
}

/**
 * @param {any} stats
 * @param {number} total
 */
export function describeState(stats, total) {
  if (!stats) return 'Waiting for the server';
  if (stats.state === 'error') return `Stopped: ${stats.error || 'an error the server did not explain'}`;
  if (stats.state === 'initializing') return 'Checking the data already on disk';
  if (stats.state === 'paused') return 'Paused';
  if (stats.finished) return stats.peers ? `Seeding to ${stats.peers} peer${stats.peers === 1 ? '' : 's'}` : 'Complete, seeding';
  const pct = total ? Math.floor((100 * (stats.downloaded_bytes || 0)) / total) : 0;
  return stats.peers ? `Downloading (${pct}%) from ${stats.peers} peer${stats.peers === 1 ? '' : 's'}` : `Downloading (${pct}%): no peer connected yet`;
}

/**
 * @param {HTMLElement} root The library's section (index.html #library).
 * @param {LibraryHooks} hooks
 */
export function setUpLibrary(root, hooks) {
  const list = /** @type {HTMLElement} */ (root.querySelector('#library-list'));
  const empty = /** @type {HTMLElement} */ (root.querySelector('#library-empty'));
  const cont = /** @type {HTMLElement} */ (root.querySelector('#continue'));
  const contList = /** @type {HTMLElement} */ (root.querySelector('#continue-list'));
  const picker = /** @type {HTMLInputElement} */ (document.getElementById('torrent-file'));
  /** @type {ListedTorrent[]} */
  let torrents = [];
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let owner = true;

  async function refresh() {
    clearTimeout(timer);
    try {
      torrents = await api('/api/torrents', { headers: hooks.headers() });
      owner = true;
    } catch (e) {
      // Not the owner (a page opened from another machine without the token): no library.
      owner = e.status !== 403;
      torrents = [];
    }
    render();
    if (owner) timer = setTimeout(refresh, REFRESH_MS);
  }

  function render() {
    root.hidden = !owner;
    empty.hidden = torrents.length > 0;
    const rows = torrents.map(row);
    list.replaceChildren(...rows);
    const ids = new Set(torrents.map((t) => t.id));
    const recent = recentPositions().filter((p) => ids.has(p.torrentId)).slice(0, 5);
    contList.replaceChildren(...recent.map((p) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'continue';
      b.textContent = `Continue ${p.name} at ${formatTime(p.time)}`;
      b.addEventListener('click', () => {
        const t = torrents.find((x) => x.id === p.torrentId);
        if (t) hooks.open(t, p.fileIndex, p.time);
      });
      li.append(b);
      return li;
    }));
    cont.hidden = recent.length === 0;
  }

  /** @param {ListedTorrent} t */
  function row(t) {
    const s = t.stats || {};
    const total = t.total_length || s.total_bytes || 0;
    const li = document.createElement('li');
    li.className = 'torrent';
    li.dataset.id = t.id;
    if (s.state === 'error') li.classList.add('error');
    const name = document.createElement('strong');
    name.className = 'name';
    name.textContent = t.name;
    const progress = document.createElement('progress');
    progress.max = total || 1;
    progress.value = Math.min(total, s.downloaded_bytes || 0);
    progress.setAttribute('aria-label', `${t.name}: downloaded`);
    const state = document.createElement('span');
    state.className = 'state';
    state.textContent = describeState(s, total);
    const figures = document.createElement('span');
    figures.className = 'figures';
    const files = t.files ? t.files.length : 0;
    figures.textContent = `${formatBytes(total)} · ${files} file${files === 1 ? '' : 's'} · ` +
      `↓ ${formatBytes(s.download_speed_bps || 0)}/s · ↑ ${formatBytes(s.upload_speed_bps || 0)}/s`;
    const actions = document.createElement('span');
    actions.className = 'actions';
    const play = button('Play', `Play ${t.name}`, () => hooks.open(t, null));
    // A link to this page that plays the torrent at once (the server has it: no question asked).
    const copy = button('Copy link', `Copy a link that plays ${t.name}`, async () => {
      const link = new URL(`/?magnet=${encodeURIComponent(magnetOf(t.id, t.name))}`, location.href).href;
      try {
        await navigator.clipboard.writeText(link);
        copy.textContent = 'Copied';
      } catch (_) {
        // No clipboard permission (plain http from another machine): show it to copy by hand.
        window.prompt('The link:', link);
      }
      setTimeout(() => { copy.textContent = 'Copy link'; }, 2000);
    });
    const del = button('Delete', `Delete ${t.name} and its downloaded data`, () => remove(t, del));
    play.className = 'play';
    copy.className = 'copy';
    del.className = 'delete danger';
    actions.append(play, copy, del);
    li.append(name, state, progress, figures, actions);
    return li;
  }

  /**
   * @param {string} text
   * @param {string} label
   * @param {() => void} onClick
   */
  function button(text, label, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  /** @type {Map<string, ReturnType<typeof setTimeout>>} */
  const armed = new Map();

  /**
   * @param {ListedTorrent} t
   * @param {HTMLButtonElement} b
   */
  async function remove(t, b) {
    if (!armed.has(t.id)) {
      clearTimeout(timer); // the row keeps its question until it is answered or expires
      b.textContent = 'Click again to delete';
      armed.set(t.id, setTimeout(() => { armed.delete(t.id); refresh(); }, CONFIRM_MS));
      return;
    }
    clearTimeout(armed.get(t.id));
    armed.delete(t.id);
    try {
      await api(`/api/torrents/${encodeURIComponent(t.id)}?delete_files=1`, { method: 'DELETE', headers: hooks.headers() });
    } catch (e) {
      // A seeded local file keeps its data (409): delete the torrent alone.
      if (e.status === 409) {
        try {
          await api(`/api/torrents/${encodeURIComponent(t.id)}`, { method: 'DELETE', headers: hooks.headers() });
        } catch (e2) {
          hooks.error(`Could not delete ${t.name}: ${errorText(e2)}`);
          return;
        }
      } else {
        hooks.error(`Could not delete ${t.name}: ${errorText(e)}`);
        return;
      }
    }
    forgetTorrent(t.id);
    hooks.deleted(t.id);
    refresh();
  }

  /**
   * Adds a .torrent file (its bytes as the body) and opens it.
   * @param {File} file
   */
  async function addTorrentFile(file) {
    let torrent;
    try {
      const headers = hooks.headers();
      headers['Content-Type'] = 'application/x-bittorrent';
      torrent = await api('/api/torrents', { method: 'POST', headers, body: await file.arrayBuffer() });
    } catch (e) {
      hooks.error(`Could not add ${file.name}: ${errorText(e)}`);
      return;
    }
    await refresh();
    hooks.open(torrent, null);
  }

  /** @param {File} f */
  const isTorrent = (f) => /\.torrent$/i.test(f.name) || f.type === 'application/x-bittorrent';

  /** @param {FileList | File[] | null | undefined} files */
  function takeFiles(files) {
    let took = false;
    for (const f of Array.from(files || [])) {
      if (isTorrent(f)) { addTorrentFile(f); took = true; } else if (hooks.dropped && hooks.dropped(f)) took = true;
      else hooks.error(`${f.name} is neither a .torrent file nor subtitles (.srt, .vtt, .ass, .ssa).`);
    }
    return took;
  }

  picker.addEventListener('change', () => {
    takeFiles(picker.files);
    picker.value = '';
  });
  // Drop anywhere: the whole page shows it takes the file.
  document.addEventListener('dragover', (ev) => {
    if (!ev.dataTransfer || !Array.from(ev.dataTransfer.types).includes('Files')) return;
    ev.preventDefault();
    document.body.classList.add('dropping');
  });
  document.addEventListener('dragleave', (ev) => {
    if (!ev.relatedTarget) document.body.classList.remove('dropping');
  });
  document.addEventListener('drop', (ev) => {
    document.body.classList.remove('dropping');
    if (!ev.dataTransfer || ev.dataTransfer.files.length === 0) return;
    ev.preventDefault();
    takeFiles(ev.dataTransfer.files);
  });
  // Paste: a .torrent or subtitle file, or a magnet link outside the magnet box.
  document.addEventListener('paste', (ev) => {
    const data = ev.clipboardData;
    if (!data) return;
    if (data.files.length) {
      if (takeFiles(data.files)) ev.preventDefault();
      return;
    }
    const target = /** @type {HTMLElement | null} */ (ev.target);
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
    const text = data.getData('text').trim();
    if (/^magnet:\?/i.test(text)) {
      ev.preventDefault();
      hooks.addMagnet(text);
    }
  });

  refresh();
  return { refresh, torrents: () => torrents };
}
