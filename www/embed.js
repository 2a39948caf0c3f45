// @ts-check
// The embeddable Riptide player: a custom element any page can use.
//
//   <script type="module" src="https://SERVER/embed.js"></script>
//   <riptide-player magnet="magnet:?xt=urn:btih:..." file="0" controls></riptide-player>
//
// The element lives in shadow DOM. It finds the wasm engine (pkg/) and the server next to this
// script (import.meta.url), or on the server named by its `server` attribute. One wasm module
// is loaded per page and shared; every element runs its own Player.
//
// Attributes: magnet, file (index; default: the largest video), server, autoplay, muted,
// start (seconds), controls, poster, preload, loading, p2p ("on" or "off": share pieces with
// the other viewers of the film, see docs/API.md), token (only to add torrents to a server
// that asks for it; never put a secret token on a public page). Changing magnet, file or server
// loads anew.
// What a player that is not playing downloads (a page may hold many of them):
//   preload="metadata" (default): the headers and the first fragment (about 0.25 s, so the
//     first frame shows), then nothing more until it plays.
//   preload="none": nothing at all, not even the torrent, until it plays (the poster, if any,
//     and a play button show meanwhile).
//   preload="auto": fills the buffer (30 s ahead) after 3 s even while paused.
//   loading="lazy" (default): starts the above only once the element comes within
//     LAZY_MARGIN of the viewport; loading="eager": at once. `autoplay` loads at once.
// Events (CustomEvent, `detail`): ready {id, name, file, duration}, playing,
// error {code, fatal, message, codec} (playback stopped), notice {code, fatal: false, message,
// codec} (a problem it plays on through: a seek the file cannot do, a film cut off),
// progress {bufferedAhead, bytesFetched, peers, downloadSpeed, downloadedBytes, totalBytes};
// and, passed on from the video (which the shadow root would keep to itself): pause, ended,
// timeupdate.
// Methods and properties: play() (also loads a player that has not loaded yet), pause(),
// currentTime (get/set), duration, paused, muted (get/set), volume (get/set).
//
// How it gets the torrent: GET /api/torrents/{info hash} (a read, allowed from any embedding
// site); only if the server does not have it, POST /api/torrents, which the server refuses
// unless the element has the add token or the site is one the owner listed (--add-origin): the
// widget, and /embed in a frame, never add a film on their own (docs/API.md, "Security model").

import { watchTorrent } from './torrent-watch.js';
import { api } from './lib/api.js';
import { createPlayer, disposePlayer, loadEngine } from './lib/engine.js';
import { P2P_DEFAULT } from './lib/p2p.js';
import { errorText, riptideError, toProblem } from './lib/errors.js';
import { largestVideo } from './lib/files.js';

/** @typedef {import('./lib/errors.js').RiptideProblem} RiptideProblem */
/** @typedef {import('./lib/engine.js').Player} Player */
/** @typedef {import('./lib/engine.js').PlayerStatus} PlayerStatus */
/** @typedef {import('./lib/files.js').Torrent} Torrent */
/** @typedef {import('./lib/files.js').TorrentFile} TorrentFile */

const SCRIPT_BASE = new URL('.', import.meta.url);
// The torrent's peer figures for `progress` follow the server's event stream
// (torrent-watch.js: `GET /api/torrents/{id}/events`, polling only as a fallback).
/// At most this many `progress` events per second come from the player's own status.
const PROGRESS_MIN_INTERVAL_MS = 250;
/// loading="lazy": how near the viewport (CSS margin around it) an element must come before it
/// loads: 200px, so a film scrolled to has its first frame by the time it is seen.
const LAZY_MARGIN = '200px';
/// The video's own events passed on from the shadow root to the page.
const FORWARDED_EVENTS = ['pause', 'ended', 'timeupdate'];

// ---- helpers ------------------------------------------------------------------------------

/** One wasm engine for the whole page (lib/engine.js), shared by every element. */
function loadWasm() {
  return loadEngine((url, why) => `could not load the Riptide video engine from ${url} (${why})`);
}

const BASE32 = /^[A-Z2-7]{32}$/;

/// The BitTorrent v1 info hash of a magnet, as the server's torrent id accepts it (40 hex
/// digits, lower case, or 32 base32 letters). Throws a readable error otherwise.
/** @param {string} magnet */
export function infoHashOf(magnet) {
  if (!/^magnet:\?/i.test(magnet)) {
    throw riptideError('bad-input', `"${magnet.slice(0, 60)}" is not a magnet link: it must start with "magnet:?xt=urn:btih:"`);
  }
  for (const part of magnet.slice(magnet.indexOf('?') + 1).split('&')) {
    const [key, value = ''] = part.split('=');
    if (key !== 'xt') continue;
    const v = decodeURIComponent(value);
    const m = /^urn:btih:(.+)$/i.exec(v);
    if (!m) continue;
    if (/^[0-9a-f]{40}$/i.test(m[1])) return m[1].toLowerCase();
    if (BASE32.test(m[1].toUpperCase())) return m[1].toUpperCase();
  }
  throw riptideError('bad-input', 'the magnet link has no BitTorrent v1 info hash (xt=urn:btih:<40 hex digits>)');
}

/**
 * File `wanted` of the torrent, or (null) its largest video.
 * @param {TorrentFile[]} files
 * @param {number | null} wanted
 * @returns {TorrentFile}
 */
function chooseFile(files, wanted) {
  if (!files || files.length === 0) throw riptideError('bad-input', 'this torrent has no files');
  if (wanted !== null) {
    const f = files.find((x) => x.index === wanted);
    if (!f) {
      const have = files.map((x) => x.index).join(', ');
      throw riptideError('bad-input', `this torrent has no file number ${wanted} (its files are ${have})`);
    }
    return f;
  }
  return /** @type {TorrentFile} */ (largestVideo(files));
}

/**
 * lib/api.js, saying which server could not be reached and why it may be.
 * @param {string | URL} url
 * @param {RequestInit} options
 * @param {URL} serverBase
 */
function serverApi(url, options, serverBase) {
  return api(url, options, (why) =>
    `could not reach the Riptide server at ${serverBase.origin} (${why}); it may be down, ` +
    'or it does not allow this site to embed it (its --allow-origin list)');
}

const STYLE = `
:host { display: block; position: relative; aspect-ratio: 16 / 9; background: #000; color: #fff;
  font: 14px/1.4 system-ui, sans-serif; overflow: hidden; contain: content; }
:host([hidden]) { display: none; }
video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain;
  background: #000; display: block; }
.msg { position: absolute; left: 0; right: 0; bottom: 0; margin: 0; padding: .6em .9em;
  background: rgba(0, 0, 0, .7); }
.msg[hidden] { display: none; }
.msg.error { background: rgba(150, 20, 20, .9); }
.big-play { position: absolute; left: 50%; top: 50%; width: 72px; height: 72px; margin: -36px 0 0 -36px;
  border: 0; border-radius: 50%; background: rgba(0, 0, 0, .65); color: #fff; font-size: 30px;
  line-height: 72px; padding: 0 0 0 6px; cursor: pointer; }
.big-play:hover, .big-play:focus-visible { background: rgba(200, 30, 30, .9); outline: none; }
.big-play[hidden] { display: none; }
`;

// ---- the element ---------------------------------------------------------------------------

export class RiptidePlayer extends HTMLElement {
  static observedAttributes = ['magnet', 'file', 'server', 'autoplay', 'muted', 'start',
    'controls', 'poster', 'token', 'preload', 'loading'];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    this._video = document.createElement('video');
    this._video.playsInline = true;
    this._video.setAttribute('part', 'video');
    this._msg = document.createElement('p');
    this._msg.className = 'msg';
    this._msg.setAttribute('role', 'status');
    this._msg.hidden = true;
    this._playButton = document.createElement('button');
    this._playButton.className = 'big-play';
    this._playButton.type = 'button';
    this._playButton.setAttribute('aria-label', 'Play');
    this._playButton.setAttribute('part', 'play-button');
    this._playButton.textContent = '\u25B6';
    this._playButton.hidden = true;
    this._playButton.addEventListener('click', () => { this.play().catch(() => {}); });
    root.append(style, this._video, this._playButton, this._msg);

    /// Bumped by every load and stop; async work of an older run drops its results.
    this._run = 0;
    this._loadQueued = false;
    this._loadedKey = null;
    this._player = null;
    this._abort = null;
    this._watch = null;
    this._lastProgress = 0;
    this._figures = {};
    /// The film (magnet, file, server, token) asked for, loaded or not yet (preload/loading).
    this._wantedKey = null;
    /// The viewer or the page asked to play (play(), the play button, the video's controls).
    this._playIntent = false;
    this._hasPlayed = false;
    /// loading="lazy": whether the element is near the viewport (IntersectionObserver).
    this._near = false;
    this._observer = null;
    /// Where `_startStats` follows the torrent: {server, id, run} of the current load.
    this._statsFor = null;
    /// For tests and debugging: what this element is playing and how far it got.
    this.torrent = null;
    this.file = null;
    this.fileUrl = null;
    this.state = 'idle';
    /** The message of `problem`, or null. @type {string | null} */
    this.error = null;
    /** The error that stopped this element: `{code, fatal, message, codec}`, or null. @type {RiptideProblem | null} */
    this.problem = null;
    /** The latest notice it plays on through (fatal: false), or null. @type {RiptideProblem | null} */
    this.notice = null;
    /// How the torrent's figures arrive: 'events' (server-sent events) or 'polling'.
    this.watchMode = null;

    const v = this._video;
    v.addEventListener('loadedmetadata', () => this._onMetadata());
    v.addEventListener('playing', () => {
      this._setMessage(null);
      this._hasPlayed = true;
      this._updatePlayButton();
      this._startStats();
      this.state = 'playing';
      this._emit('playing', {});
    });
    v.addEventListener('play', () => {
      // The video's own controls (or a script) asked to play before the film was loaded.
      this._playIntent = true;
      this._updatePlayButton();
      this._maybeStart();
    });
    v.addEventListener('loadeddata', () => {
      if (this._playIntent && v.paused) v.play().catch(() => {});
      else if (v.paused && this.state !== 'error') this._setMessage(null); // the first frame shows
    });
    v.addEventListener('pause', () => {
      // The viewer paused (a film being loaded has no data yet: that pause is the browser's).
      if (v.readyState >= 1) this._playIntent = false;
    });
    for (const type of FORWARDED_EVENTS) {
      v.addEventListener(type, () => this.dispatchEvent(new Event(type, { bubbles: true, composed: true })));
    }
    v.addEventListener('error', () => {
      // Only while this element is playing something (destroy() empties the source on purpose).
      if (!this._player || !v.error || this.state === 'error') return;
      const detail = v.error.message ? `: ${v.error.message}` : '';
      this._fail(toProblem(
        `the browser could not play this video (media error ${v.error.code}${detail})`, 'media-source-refused'));
    });
    v.addEventListener('waiting', () => {
      if (this.state === 'playing') this.state = 'buffering';
    });
    v.addEventListener('click', () => {
      if (!v.controls) (v.paused ? v.play() : Promise.resolve(v.pause())).catch(() => {});
    });
    this._applyPresentation();
  }

  connectedCallback() {
    if (!this._observer && typeof IntersectionObserver === 'function') {
      this._observer = new IntersectionObserver((entries) => {
        this._near = entries.some((e) => e.isIntersecting);
        if (this._near) this._maybeStart();
      }, { rootMargin: LAZY_MARGIN });
    }
    if (this._observer) this._observer.observe(this);
    else this._near = true;
    this._queueLoad();
  }

  disconnectedCallback() {
    // Moving an element (remove + insert in one task) keeps it playing; removing it stops
    // its fetches and frees its player.
    queueMicrotask(() => {
      if (!this.isConnected) {
        if (this._observer) this._observer.disconnect();
        this._near = false;
        this._unload();
        this._wantedKey = null;
        this._playIntent = false;
      }
    });
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === 'magnet' || name === 'file' || name === 'server' || name === 'token') {
      this._queueLoad();
    } else if (name === 'preload' || name === 'loading' || name === 'autoplay') {
      this._applyPresentation();
      this._maybeStart();
    } else {
      this._applyPresentation();
    }
  }

  // ---- public API ----

  /// Plays, loading the film first if it has not loaded yet (preload, loading="lazy"). The
  /// promise resolves when it plays and rejects with a readable error if it cannot.
  play() {
    if (!(this.getAttribute('magnet') || '').trim()) {
      return Promise.reject(new Error('no film to play: set the magnet attribute first'));
    }
    this._playIntent = true;
    this._updatePlayButton();
    this._maybeStart();
    if (this._video.readyState >= 1) return this._video.play();
    return new Promise((/** @type {(value?: void) => void} */ resolve, reject) => {
      /** @param {boolean} ok */
      const done = (ok) => () => {
        this.removeEventListener('playing', onPlaying);
        this.removeEventListener('error', onError);
        ok ? resolve() : reject(new Error(this.error || 'could not play'));
      };
      const onPlaying = done(true);
      const onError = done(false);
      this.addEventListener('playing', onPlaying);
      this.addEventListener('error', onError);
    });
  }
  pause() {
    this._playIntent = false;
    this._video.pause();
    this._updatePlayButton();
  }
  get currentTime() { return this._video.currentTime; }
  set currentTime(t) { this._video.currentTime = Number(t) || 0; }
  get duration() { return this._video.duration; }
  get paused() { return this._video.paused; }
  get muted() { return this._video.muted; }
  set muted(m) { this._video.muted = !!m; }
  get volume() { return this._video.volume; }
  set volume(x) { this._video.volume = Math.min(1, Math.max(0, Number(x) || 0)); }
  /// The wasm Player's status object (state, bytes_fetched, buffered_ahead, ...), or null.
  get status() {
    try { return this._player ? this._player.status() : null; } catch (_) { return null; }
  }

  // ---- internals ----

  _applyPresentation() {
    const v = this._video;
    v.controls = this.hasAttribute('controls');
    v.muted = this.hasAttribute('muted');
    v.defaultMuted = v.muted;
    v.autoplay = this.hasAttribute('autoplay');
    const poster = this.getAttribute('poster');
    if (poster) v.poster = poster; else v.removeAttribute('poster');
    this._updatePlayButton();
  }

  /// preload: "none", "metadata" (default; also any unknown value) or "auto".
  _preload() {
    const p = (this.getAttribute('preload') || '').trim().toLowerCase();
    return p === 'none' || p === 'auto' ? p : 'metadata';
  }

  /// The big play button: shown while a film is given, nothing asked it to play yet, and
  /// the video's own controls are off or have no film to act on.
  _updatePlayButton() {
    const show = !!this._wantedKey && !this._playIntent && !this._hasPlayed
      && !this.hasAttribute('autoplay') && this.state !== 'error'
      && (!this.hasAttribute('controls') || !this._player);
    this._playButton.hidden = !show;
  }

  /// Whether the wanted film should load now: autoplay or a play request at once; otherwise
  /// as preload and loading say.
  _shouldLoadNow() {
    if (this._playIntent || this.hasAttribute('autoplay')) return true;
    if (this._preload() === 'none') return false;
    return (this.getAttribute('loading') || '').toLowerCase() === 'eager' || this._near;
  }

  /// Loads the wanted film if it is not loaded and should be now.
  _maybeStart() {
    if (!this.isConnected || this._wantedKey === null || this._wantedKey === this._loadedKey) return;
    if (!this._shouldLoadNow()) return;
    this._unload();
    this._loadedKey = this._wantedKey;
    this._load();
  }

  _serverBase() {
    const s = this.getAttribute('server');
    if (!s) return SCRIPT_BASE;
    const u = new URL(s, document.baseURI);
    if (!u.pathname.endsWith('/')) u.pathname += '/';
    return u;
  }

  /// Loads on the next microtask, so that setting several attributes loads once.
  _queueLoad() {
    if (this._loadQueued) return;
    this._loadQueued = true;
    queueMicrotask(() => {
      this._loadQueued = false;
      if (!this.isConnected) return;
      const key = [this.getAttribute('magnet'), this.getAttribute('file'),
        this.getAttribute('server'), this.getAttribute('token')].join('\n');
      if (key === this._wantedKey) return; // re-inserted with the same film: keep playing
      this._wantedKey = key;
      // Another film: drop the current one now, even if the new one loads later.
      if (this._loadedKey !== null) this._unload();
      this._hasPlayed = false;
      this._updatePlayButton();
      this._maybeStart();
    });
  }

  /**
   * @param {string} type
   * @param {any} detail
   */
  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  _setMessage(text, isError) {
    this._msg.textContent = text || '';
    this._msg.hidden = !text;
    this._msg.classList.toggle('error', !!isError);
  }

  /** @param {RiptideProblem} problem */
  _fail(problem) {
    this.problem = problem;
    this.error = problem.message;
    this.state = 'error';
    this._setMessage(problem.message, true);
    this._updatePlayButton();
    this._emit('error', { ...problem });
  }

  /// Stops everything this element started: API requests, the event stream, the player (its
  /// fetches are aborted, its wasm memory freed).
  _stop() {
    this._run++;
    if (this._abort) this._abort.abort();
    this._abort = null;
    if (this._watch) this._watch.close();
    this._watch = null;
    disposePlayer(this._player);
    this._player = null;
  }

  /// Stops the film shown (`_stop`) and forgets it: the element is idle and shows nothing.
  _unload() {
    this._stop();
    this._loadedKey = null;
    this.torrent = this.file = this.fileUrl = this.error = this.problem = this.notice = null;
    this._figures = {};
    this._metadataSeen = false;
    this._video.removeAttribute('src');
    this.state = 'idle';
    this._setMessage(null);
  }

  /// Loads the film of the attributes (after `_unload`).
  async _load() {
    const run = this._run;
    const magnet = (this.getAttribute('magnet') || '').trim();
    if (!magnet) return;
    this.state = 'loading';
    this._setMessage('Loading…');
    const abort = (this._abort = new AbortController());
    const server = this._serverBase();
    try {
      const fileAttr = this.getAttribute('file');
      const wanted = fileAttr !== null && fileAttr.trim() !== '' ? Number(fileAttr) : null;
      if (wanted !== null && !Number.isInteger(wanted)) {
        throw riptideError('bad-input', `file="${fileAttr}" is not a file number (0, 1, ...)`);
      }
      const id = infoHashOf(magnet);
      loadWasm().catch(() => {}); // in parallel with the torrent
      const torrent = await this._resolve(server, id, magnet, abort.signal);
      if (run !== this._run) return;
      const file = chooseFile(torrent.files, wanted);
      const engine = await loadWasm();
      if (run !== this._run) return;
      this.torrent = torrent;
      this.file = file;
      this.fileUrl = new URL(
        `api/torrents/${encodeURIComponent(torrent.id)}/files/${file.index}`, server).href;
      this._setMessage('Buffering…');
      // `p2p="on"` / `p2p="off"`: share pieces with the other viewers of this film (p2p.js).
      const p2p = (this.getAttribute('p2p') || '').trim().toLowerCase();
      const share = p2p === 'on' ? true : p2p === 'off' ? false : P2P_DEFAULT;
      const player = createPlayer(engine, this._video, this.fileUrl, file, torrent, (s) => {
        if (run === this._run) this._onStatus(s);
      }, share);
      // Nothing beyond a first frame until it plays, unless preload="auto". Not with autoplay:
      // an autoplaying video stays paused until the browser has "enough data", which may be
      // more than a first fragment.
      player.set_hold_until_play(this._preload() !== 'auto' && !this.hasAttribute('autoplay')
        && !this._playIntent);
      this._player = player;
      this._updatePlayButton();
      // The torrent's figures once it plays: a player nobody started holds no event stream
      // (each takes one of the browser's 6 connections to the server) and polls nothing.
      this._statsFor = { server, id: torrent.id, run };
      if (this._playIntent || this.hasAttribute('autoplay')) this._startStats();
      this.state = 'buffering';
      await player.start();
    } catch (e) {
      if (run !== this._run || (e && e.name === 'AbortError')) return;
      // The engine's Error carries {code, fatal, codec} (docs/API.md, "Errors").
      this._fail(toProblem(e));
    }
  }

  /// The torrent for `id`: read it if the server has it; otherwise ask the server to add the
  /// magnet (which it may refuse with a readable 403).
  async _resolve(server, id, magnet, signal) {
    try {
      return await serverApi(new URL(`api/torrents/${id}`, server), { signal }, server);
    } catch (e) {
      if (e.status !== 404) throw e;
    }
    const headers = { 'Content-Type': 'application/json' };
    const token = this.getAttribute('token');
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await serverApi(new URL('api/torrents', server), {
        method: 'POST', headers, body: JSON.stringify({ magnet }), signal,
      }, server);
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      if (e && e.status === 403) {
        // Only the server's owner adds films (docs/API.md, "Security model").
        throw riptideError('server-refused', `this film is not on the server yet, and this page may not add it: ${errorText(e)}`, { status: 403 });
      }
      throw riptideError(toProblem(e, 'network').code, `could not open this film: ${errorText(e)}`);
    }
  }

  _onMetadata() {
    if (this._metadataSeen || !this.file) return;
    this._metadataSeen = true;
    const start = Number(this.getAttribute('start'));
    if (Number.isFinite(start) && start > 0) {
      const d = this._video.duration;
      this._video.currentTime = Number.isFinite(d) && d > 0 ? Math.min(start, Math.max(0, d - 1)) : start;
    }
    this._emit('ready', {
      id: this.torrent.id,
      name: this.torrent.name,
      file: { ...this.file },
      duration: this._video.duration,
    });
  }

  /** @param {PlayerStatus} s */
  _onStatus(s) {
    // A new problem it plays on through: the page hears of it once.
    if (s.warning && (!this.notice || this.notice.message !== s.warning.message)) {
      this.notice = { ...s.warning };
      this._emit('notice', { ...s.warning });
    }
    this._figures.bufferedAhead = s.buffered_ahead;
    this._figures.bytesFetched = s.bytes_fetched;
    const now = performance.now();
    if (now - this._lastProgress >= PROGRESS_MIN_INTERVAL_MS) {
      this._lastProgress = now;
      this._emit('progress', { ...this._figures });
    }
  }

  /// Follows the torrent's figures (peers, speed) for `progress`, once per load.
  _startStats() {
    const { server, id, run } = this._statsFor || {};
    if (this._watch || run !== this._run) return;
    this._watch = watchTorrent(server, id, (view) => {
      if (run !== this._run || !view.stats) return;
      this.watchMode = view.mode;
      const s = view.stats;
      Object.assign(this._figures, {
        peers: s.peers ?? 0,
        downloadSpeed: s.download_speed_bps ?? 0,
        downloadedBytes: s.downloaded_bytes ?? 0,
        totalBytes: view.totalLength || s.total_bytes || 0,
      });
      this._lastProgress = performance.now();
      this._emit('progress', { ...this._figures });
    });
  }
}

if (!customElements.get('riptide-player')) {
  customElements.define('riptide-player', RiptidePlayer);
}
