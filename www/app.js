// @ts-check
// Riptide page: magnet → POST /api/torrents → choose a file → stream it through the wasm
// Player (MKV → fragmented MP4 → MSE) into the <video>. No build step; an ES module. What the
// widget (embed.js) does too lives in lib/.
import { watchTorrent } from './torrent-watch.js';
import { setUpShare } from './share.js';
import { api } from './lib/api.js';
import { createPlayer, disposePlayer, loadEngine, swarmStats, swarmTrace } from './lib/engine.js';
import { P2P_DEFAULT, p2pWanted } from './lib/p2p.js';
import { errorText, toProblem } from './lib/errors.js';
import { extension, largestVideo } from './lib/files.js';
import { formatBytes, formatTime } from './lib/format.js';
import { watchMetadataWait } from './lib/metadata-wait.js';
// The everyday page (issue 14): library, grouped files, sidecar subtitles, resume, keyboard.
import { firstToPlay } from './lib/episodes.js';
import { renderFileGroups } from './lib/filelist.js';
import { magnetOf, setUpLibrary } from './lib/library.js';
import { setUpPlaying } from './lib/playing.js';
import { speedVersusFilm } from './lib/waiting.js';
import { addTrack, clearSidecars, loadSidecars, parseSubtitles } from './lib/sidecar.js';
import { drawPieces as drawPieceMap, seekbar as setUpSeekbar } from './lib/bars.js';
import { setUpOwner, storedToken } from './lib/owner.js';
import { setUpTrace } from './lib/trace.js';
import { setUpTracks } from './lib/tracks.js';

/** @typedef {import('./lib/errors.js').RiptideProblem} RiptideProblem */
/** @typedef {import('./lib/engine.js').Player} Player */
/** @typedef {import('./lib/engine.js').PlayerStatus} PlayerStatus */
/** @typedef {import('./lib/files.js').Torrent} Torrent */
/** @typedef {import('./lib/files.js').TorrentFile} TorrentFile */
// Torrent stats (peers, speed) and the piece map follow the server's event stream
// (torrent-watch.js; it falls back to polling by itself).
// How often the seek bar is redrawn.
const SEEKBAR_INTERVAL_MS = 250;

/**
 * The page's element with this id (index.html has them all).
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
const $ = (id) => /** @type {T} */ (document.getElementById(id));
const form = $('add-form');
const magnetInput = /** @type {HTMLInputElement} */ ($('magnet'));
const statusEl = $('status');
const filesBox = $('files');
const fileList = $('file-list');
const video = /** @type {HTMLVideoElement} */ ($('video'));
const statsEl = $('stats');
const seekbar = $('seekbar');
const seekCanvas = /** @type {HTMLCanvasElement} */ ($('seekbar-canvas'));
const details = $('details');
const mediaInfo = $('media-info');
const noticeEl = $('notice');
const pieceCanvas = /** @type {HTMLCanvasElement} */ ($('piecemap'));

/**
 * What the page shows, exposed as `window.riptide` for tests and debugging.
 * @typedef {object} PageState
 * @property {Player | null} player
 * @property {string} state
 * @property {Torrent | null} torrent
 * @property {string | null} torrentId
 * @property {TorrentFile | null} file
 * @property {{ bytes: number, time: number } | null} firstFrame
 * @property {number | null} firstFrameBytes
 * @property {string | null} error The message of `problem`.
 * @property {RiptideProblem | null} problem The error that stopped the page: `{code, fatal, message, codec}`.
 * @property {RiptideProblem | null} warning The player's latest notice (fatal: false).
 * @property {PlayerStatus | null} status
 * @property {any} stats
 * @property {{ to: number, askedMs: number, playingMs: number | null }[]} seeks
 * @property {object[]} trace
 * @property {() => object} sample
 * @property {(intervalMs?: number) => void} startTrace
 * @property {() => void} stopTrace
 * @property {object[]} audioTracks
 * @property {{ id: number, label: string, language: string, track: TextTrack }[]} textTracks
 * @property {string[]} notices
 * @property {(id: number | string) => void} selectAudio
 * @property {object} [pieces]
 * @property {string} [watchMode]
 * @property {object} [share] What the share panel shows (share.js).
 * @property {() => object | null} p2p What sharing pieces with other viewers did (p2p.js).
 * @property {() => object[] | null} p2pTrace The player's latest requests as the swarm saw them.
 */

/** @type {PageState} */
const riptide = {
  player: null,
  state: 'idle',
  torrent: null,
  torrentId: null,
  file: null,
  firstFrame: null,
  firstFrameBytes: null,
  error: null,
  problem: null,
  warning: null,
  // Latest player status and torrent stats.
  status: null,
  stats: null,
  // Seeks measured by the page: {to, askedMs, playingMs} (playingMs null until it plays).
  seeks: [],
  // Samples of what a viewer and a memory profiler would see; see sample() / startTrace().
  trace: [],
  // Filled in by lib/trace.js just below.
  sample: () => ({}),
  startTrace: () => {},
  stopTrace: () => {},
  // Track menus, for tests: [{id, label, language, codec, playable, selected, why_not}].
  audioTracks: [],
  // [{id, label, language, track}] (`track`: the TextTrack on the <video>).
  textTracks: [],
  // Plain-words notices about the tracks ("… playing without sound.").
  notices: [],
  // Switches the audio track (as the menu does).
  selectAudio: (id) => tracks.selectAudio(id),
  p2p: () => swarmStats(riptide.player),
  p2pTrace: () => swarmTrace(riptide.player),
};
/** @type {any} */ (window).riptide = riptide;
Object.assign(riptide, setUpTrace(video, riptide));
// The audio and subtitle menus and the notices about tracks (lib/tracks.js).
const tracks = setUpTracks(riptide);

const params = new URLSearchParams(location.search);
// Sharing pieces with other viewers (p2p.js): `?p2p=1` or `?p2p=0`, read once (the address
// is rewritten when a film starts, and keeps the choice).
const p2pParam = params.get('p2p');
const shareP2P = p2pWanted(location.search, P2P_DEFAULT);
/** @type {ReturnType<typeof watchTorrent> | null} */
let watcher = null;
/** @type {ReturnType<typeof setInterval> | undefined} */
let seekbarTimer;
let runId = 0;

/**
 * @param {string} text
 * @param {string} [state]
 */
function setStatus(text, state) {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', state === 'error');
  statusEl.classList.toggle('stalled', state === 'stalled');
  if (state) riptide.state = state;
}

// The player's status in plain words (the status line), for the states the <video> events
// do not report: stalled and seeking.
/** @param {PlayerStatus} s */
function onPlayerStatus(s) {
  riptide.status = s;
  riptide.warning = s.warning;
  if (riptide.state === 'error' || riptide.state === 'ended') return;
  if (s.mime) showMediaInfo(s.mime);
  if (s.state === 'stalled') {
    const st = riptide.stats || {};
    const peers = st.peers ?? 0;
    const speed = formatBytes(st.download_speed_bps || 0);
    const versus = riptide.file ? speedVersusFilm(st.download_speed_bps || 0, riptide.file.length, video.duration) : '';
    const why = peers === 0
      ? 'no peer is connected'
      : `${peers} peer${peers === 1 ? '' : 's'} connected, ${versus || `downloading at ${speed}/s`}`;
    const retry = s.retrying ? ` (last attempt: ${s.retrying})` : '';
    setStatus(`Waiting for peers: the next part of the film has not arrived yet — ${why}. ` +
      `Playback resumes by itself when it does${retry}.`, 'stalled');
  } else if (s.state === 'seeking') {
    setStatus(`Jumping to ${formatTime(video.currentTime)}…`, 'seeking');
  } else if (s.state === 'playing' && riptide.state !== 'playing') {
    setStatus('Playing', 'playing');
  } else if (s.state === 'buffering' && (riptide.state === 'stalled' || riptide.state === 'seeking')) {
    setStatus('Buffering…', 'buffering');
  } else if (s.state === 'buffering' && riptide.state === 'buffering' && riptide.file) {
    // Seconds ahead and the download against the film's rate (lib/waiting.js).
    const versus = speedVersusFilm((riptide.stats || {}).download_speed_bps || 0, riptide.file.length, video.duration);
    setStatus(`Buffering… ${Math.floor(s.buffered_ahead || 0)} s ahead${versus ? `; ${versus}` : ''}.`, 'buffering');
  }
}

/** @param {string} mime */
function showMediaInfo(mime) {
  const f = riptide.file;
  const container = f ? (extension(f.path) || 'unknown').toUpperCase() : '?';
  const codecs = (/codecs="([^"]*)"/.exec(mime) || [])[1] || mime;
  const names = codecs.split(',').map((c) => {
    const k = c.trim();
    if (k.startsWith('avc1')) return `H.264 (${k})`;
    if (k.startsWith('mp4a.40')) return `AAC (${k})`;
    if (k.startsWith('hev1') || k.startsWith('hvc1')) return `H.265 (${k})`;
    if (k.startsWith('vp09')) return `VP9 (${k})`;
    if (k.startsWith('av01')) return `AV1 (${k})`;
    if (k === 'opus') return 'Opus';
    if (k === 'flac') return 'FLAC';
    return k;
  });
  mediaInfo.textContent = `${container} file · ${names.join(' + ')} · remuxed in the browser to fragmented MP4`;
  details.hidden = false;
}

// The seek bar (lib/bars.js), drawn while a film plays.
const redrawSeekbar = setUpSeekbar(video, seekCanvas);
function drawSeekbar() {
  const d = video.duration;
  if (!riptide.player || !Number.isFinite(d) || d <= 0) return;
  seekbar.hidden = false;
  redrawSeekbar();
}

// Seek-to-play, as a viewer feels it: from the `seeking` event to the next `playing`.
video.addEventListener('seeking', () => {
  if (!riptide.player) return;
  riptide.seeks.push({ to: video.currentTime, askedMs: performance.now(), playingMs: null });
});

// The file's pieces (lib/bars.js), from the watcher's view.
/** @param {any} view */
function drawPieces(view) {
  const f = riptide.file;
  if (!f) return;
  const pieces = drawPieceMap(pieceCanvas, f, view);
  if (pieces) riptide.pieces = pieces;
}

/**
 * Shows an error on the status line; `riptide.problem` keeps it as `{code, fatal, message, codec}`.
 * @param {RiptideProblem} problem
 */
function showError(problem) {
  riptide.problem = problem;
  riptide.error = problem.message;
  setStatus(problem.message, 'error');
}

/**
 * The wasm engine (lib/engine.js: one per page).
 */
function loadWasm() {
  return loadEngine((_url, why) => `could not load the video player (${why})`);
}

// The owner's consent and the add token (lib/owner.js).
const owner = setUpOwner({
  retry: (magnet, fileIndex, confirmed) => { start(magnet, fileIndex, confirmed); },
  setStatus,
  tokenChanged: () => library.refresh(),
});

/**
 * @param {Torrent} torrent
 * @param {TorrentFile} selected
 */
function renderFiles(torrent, selected) {
  renderFileGroups(fileList, torrent.files, selected, (f) => playFile(torrent, f));
  filesBox.hidden = torrent.files.length < 2;
}

/**
 * @param {string} magnet
 * @param {number} fileIndex
 */
function updateUrl(magnet, fileIndex) {
  const params = new URLSearchParams();
  params.set('magnet', magnet);
  params.set('file', String(fileIndex));
  if (p2pParam === '0' || p2pParam === '1') params.set('p2p', p2pParam);
  history.replaceState(null, '', `${location.pathname}?${params}`);
}

function stopPlayer() {
  playing.stopped();
  clearSidecars();
  tracks.reset();
  disposePlayer(riptide.player);
  riptide.player = null;
}

/**
 * @param {Torrent} torrent
 * @param {TorrentFile} file
 */
async function playFile(torrent, file, at = null) {
  const myRun = ++runId;
  stopPlayer();
  riptide.file = file;
  video.hidden = false;
  playing.opened(torrent, file, at);
  renderFiles(torrent, file);
  updateShare();
  riptide.firstFrame = null;
  riptide.firstFrameBytes = null;
  riptide.error = null;
  riptide.problem = null;
  riptide.warning = null;
  updateUrl(magnetInput.value.trim(), file.index);
  setStatus('Buffering…', 'buffering');
  let engine;
  try {
    engine = await loadWasm();
  } catch (e) {
    showError(toProblem(e, 'network'));
    return;
  }
  if (myRun !== runId) return;
  if (watcher && watcher.view) drawPieces(watcher.view);
  const url = `/api/torrents/${encodeURIComponent(torrent.id)}/files/${file.index}`;
  const player = createPlayer(engine, video, url, file, torrent, (s) => {
    if (myRun !== runId) return;
    onPlayerStatus(s);
    tracks.showNotices([...(s.notices || []), s.notice].filter(Boolean));
    tracks.refresh(player);
  }, shareP2P);
  // Buffer tuning from the URL (tests, experiments): ?low=10&high=30&back=30 (seconds),
  // &budget=BYTES (media byte budget; 0: seconds only).
  /** @param {string} k */
  const num = (k) => { const v = Number(params.get(k)); return params.has(k) && Number.isFinite(v) ? v : null; };
  const low = num('low'), high = num('high'), back = num('back'), budget = num('budget');
  if (low !== null) player.set_low_watermark(low);
  if (high !== null) player.set_high_watermark(high);
  if (back !== null) player.set_back_buffer(back);
  if (budget !== null) player.set_media_budget_bytes(budget);
  riptide.player = player;
  riptide.seeks = [];
  loadSidecars(video, torrent.id, torrent.files, file, (m) => tracks.showNotices([...riptide.notices, m]))
    .then(() => { if (myRun === runId) tracks.refresh(player, true); });
  noticeEl.textContent = '';
  clearInterval(seekbarTimer);
  seekbarTimer = setInterval(drawSeekbar, SEEKBAR_INTERVAL_MS);
  video.play().catch(() => { /* autoplay waits for data; the 'playing' event reports it */ });
  try {
    await player.start();
  } catch (e) {
    // The engine's Error carries {code, fatal, codec} (docs/API.md, "Errors").
    if (myRun === runId) showError(toProblem(e));
  }
}

video.addEventListener('playing', () => {
  const player = riptide.player;
  if (!player || riptide.state === 'error') return;
  const seek = riptide.seeks[riptide.seeks.length - 1];
  if (seek && seek.playingMs === null) seek.playingMs = performance.now();
  if (!riptide.firstFrame) {
    const bytes = player.bytes_fetched;
    riptide.firstFrame = { bytes, time: performance.now() };
    riptide.firstFrameBytes = bytes;
  }
  setStatus('Playing', 'playing');
});
video.addEventListener('waiting', () => {
  if (riptide.player && riptide.state === 'playing') setStatus('Buffering…', 'buffering');
});
video.addEventListener('ended', () => {
  if (riptide.player) setStatus('Finished', 'ended');
});

/** @param {any} view */
function showStats(view) {
  const s = view.stats;
  if (!s) return;
  riptide.stats = s;
  const total = view.totalLength || s.total_bytes || 0;
  const pct = total ? Math.min(100, (100 * (s.downloaded_bytes || 0)) / total) : 0;
  const peers = s.peers ?? 0;
  statsEl.textContent =
    `${peers} peer${peers === 1 ? '' : 's'} · ↓ ${formatBytes(s.download_speed_bps || 0)}/s · ` +
    `↑ ${formatBytes(s.upload_speed_bps || 0)}/s · ${pct.toFixed(1)}% downloaded` +
    (s.finished ? ' · complete' : '') +
    // The torrent stopped (e.g. the disk is full): the server's words say what to do.
    (s.error ? ` · stopped: ${s.error}` : '');
}

function stopStats() {
  if (watcher) watcher.close();
  watcher = null;
}

// Follows the torrent's pieces and stats until another torrent is loaded.
/** @param {string} id */
function startStats(id) {
  stopStats();
  watcher = watchTorrent(new URL('/', location.href), id, (view) => {
    riptide.watchMode = view.mode;
    showStats(view);
    drawPieces(view);
  });
}

/**
 * `confirmed`: a person asked for this magnet with a click on this page.
 * @param {string} magnet
 * @param {number | null} fileIndex
 */
async function start(magnet, fileIndex, confirmed = false) {
  if (!magnet) {
    showError(toProblem('Paste a magnet link first.', 'bad-input'));
    return;
  }
  runId++;
  stopPlayer();
  stopStats();
  riptide.file = null;
  updateShare();
  filesBox.hidden = true;
  statsEl.textContent = '';
  setStatus('Fetching metadata…', 'metadata');
  // Where peers are looked for, and for how long, until the server answers.
  const stopWaiting = watchMetadataWait(magnet, (text) => {
    if (riptide.state === 'metadata') setStatus(text, 'metadata');
  }, readHeaders);
  loadWasm().catch(() => {}); // in parallel with the metadata
  let torrent;
  // Sent only once the viewer gave it: on the server's own machine no token is needed.
  const token = storedToken();
  owner.hideConfirm();
  torrentActions.hidden = true;
  try {
    const headers = owner.headersWithToken(confirmed);
    torrent = await api('/api/torrents', {
      method: 'POST',
      headers,
      body: JSON.stringify({ magnet }),
    });
  } catch (e) {
    stopWaiting();
    if (e.status === 403 && e.needsConfirmation && !confirmed) {
      owner.askToConfirm(magnet, fileIndex);
      return;
    }
    if (e.status === 403 && !e.needsConfirmation) owner.askForToken(magnet, fileIndex, errorText(e), !!token);
    showError({ ...toProblem(e, 'network'), message: `Could not add the torrent: ${errorText(e)}` });
    return;
  }
  stopWaiting();
  owner.hideTokenForm();
  library.refresh();
  await openTorrent(torrent, fileIndex);
}

/**
 * Shows a torrent the server has and plays `fileIndex` (else the first episode or the largest
 * video) from `at` seconds (else from where it stopped, if the person says so).
 * @param {Torrent} torrent
 * @param {number | null} fileIndex
 * @param {number | null} [at]
 */
async function openTorrent(torrent, fileIndex, at = null) {
  const id = (/btih:([0-9a-f]{40})/i.exec(magnetInput.value) || [])[1];
  if (!id || id.toLowerCase() !== torrent.id) magnetInput.value = magnetOf(torrent.id, torrent.name);
  if (riptide.torrentId !== torrent.id) {
    runId++;
    stopPlayer();
    stopStats();
  }
  setStatus('', 'opened');
  torrentActions.hidden = false;
  riptide.torrent = torrent;
  riptide.torrentId = torrent.id;
  if (!torrent.files || torrent.files.length === 0) {
    showError(toProblem('This torrent has no files.', 'bad-input'));
    return;
  }
  const chosen = /** @type {TorrentFile} */ (
    torrent.files.find((/** @type {TorrentFile} */ f) => f.index === fileIndex) ||
    firstToPlay(torrent.files) || largestVideo(torrent.files));
  if (!watcher) startStats(torrent.id);
  await playFile(torrent, chosen, at);
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  start(magnetInput.value.trim(), null, true);
});

// One click for a newcomer: offer what this server seeds itself (`piece-server seed FILE`).
async function offerSamples() {
  let samples;
  try {
    samples = await api('/api/samples');
  } catch (_) {
    return; // An older server without the route: nothing to offer.
  }
  if (!Array.isArray(samples) || samples.length === 0) return;
  const sample = samples[0];
  $('sample-name').textContent = `(${sample.name}, ${formatBytes(sample.length)})`;
  $('sample').addEventListener('click', () => {
    magnetInput.value = sample.magnet;
    start(sample.magnet, null, true);
  });
  $('samples').hidden = false;
}
offerSamples();

// "Share or embed" (share.js): a link and the two embed snippets for the film playing.
const updateShare = setUpShare(
  video,
  () => (riptide.file ? { magnet: magnetInput.value.trim(), fileIndex: riptide.file.index } : null),
  riptide,
);

// ---- Delete -------------------------------------------------------------------------------
// DELETE /api/torrents/{id}?delete_files=1, with the consent secret: the torrent and the data
// it downloaded. The first click asks, a second within a few seconds deletes.
const torrentActions = $('torrent-actions');
const deleteButton = $('delete');
const DELETE_CONFIRM_MS = 4000;
/** @type {ReturnType<typeof setTimeout> | null} */
let deleteArmed = null;

deleteButton.addEventListener('click', async () => {
  const id = riptide.torrentId;
  if (!id) return;
  if (!deleteArmed) {
    deleteButton.textContent = 'Click again to delete it and its downloaded data';
    deleteArmed = setTimeout(() => {
      deleteArmed = null;
      deleteButton.textContent = 'Delete this torrent';
    }, DELETE_CONFIRM_MS);
    return;
  }
  clearTimeout(deleteArmed);
  deleteArmed = null;
  deleteButton.textContent = 'Delete this torrent';
  try {
    const headers = owner.headersWithToken(true);
    await api(`/api/torrents/${encodeURIComponent(id)}?delete_files=1`, { method: 'DELETE', headers });
  } catch (e) {
    showError({ ...toProblem(e, 'network'), message: `Could not delete the torrent: ${errorText(e)}` });
    return;
  }
  closeTorrent();
  library.refresh();
  setStatus('Deleted the torrent and its data.', 'deleted');
});

// The torrent on show is gone: nothing of it stays on the page.
function closeTorrent() {
  runId++;
  stopPlayer();
  stopStats();
  video.removeAttribute('src');
  video.load();
  video.hidden = true;
  seekbar.hidden = true;
  details.hidden = true;
  riptide.torrent = null;
  riptide.torrentId = null;
  riptide.file = null;
  updateShare();
  filesBox.hidden = true;
  torrentActions.hidden = true;
  statsEl.textContent = '';
}

// ---- Library, resume, next episode, keyboard (lib/library.js, lib/playing.js) ------------
const playing = setUpPlaying(video, {
  play: (torrent, file) => { playFile(torrent, file); },
  toggleCaptions: () => tracks.toggleCaptions(),
});
/**
 * The list and the adds in progress are the owner's (docs/API.md): the secret goes with
 * reading them too, not only with what a person clicked (add, delete).
 */
function readHeaders() {
  const headers = owner.headersWithToken(true);
  delete headers['Content-Type'];
  return headers;
}
const library = setUpLibrary(/** @type {HTMLElement} */ ($('library')), {
  headers: readHeaders,
  open: (torrent, fileIndex, at) => { openTorrent(torrent, fileIndex, at ?? null); },
  addMagnet: (magnet) => { magnetInput.value = magnet; start(magnet, null, true); },
  deleted: (id) => {
    if (riptide.torrentId === id) {
      closeTorrent();
      setStatus('Deleted the torrent and its data.', 'deleted');
    }
  },
  error: (message) => showError(toProblem(message, 'bad-input')),
  dropped: (file) => {
    if (!/\.(srt|vtt|ass|ssa)$/i.test(file.name)) return false;
    if (!riptide.player) {
      showError(toProblem(`Play a video first, then drop ${file.name} on it.`, 'bad-input'));
      return true;
    }
    file.text().then((text) => {
      const cues = parseSubtitles(text, (/\.([a-z]+)$/i.exec(file.name) || ['', ''])[1].toLowerCase());
      if (!cues.length) { showError(toProblem(`${file.name} holds no subtitle lines this page can read.`, 'bad-input')); return; }
      const t = addTrack(video, file.name, '', cues);
      if (riptide.player) tracks.refresh(riptide.player, true);
      tracks.showSubtitles(t.id);
    });
    return true;
  },
});

// Shareable links: ?magnet=...&file=N plays at once when the server has the torrent; for one
// it lacks, the page asks the owner first (a link can come from anyone).
let startAt = Number(params.get('t')) || 0;
video.addEventListener('loadedmetadata', () => {
  if (startAt <= 0) return;
  const d = video.duration;
  video.currentTime = Number.isFinite(d) && d > 0 ? Math.min(startAt, Math.max(0, d - 1)) : startAt;
  startAt = 0;
});
const linked = params.get('magnet');
if (linked) {
  magnetInput.value = linked;
  const file = params.get('file');
  start(linked, file !== null && file !== '' ? Number(file) : null);
}
