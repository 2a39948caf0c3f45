// Riptide page: magnet → POST /api/torrents → choose a file → stream it through the wasm
// Player (MKV → fragmented MP4 → MSE) into the <video>. No build step; an ES module.
import init, { Player } from './pkg/remux_wasm.js';

const VIDEO_EXTENSIONS = ['mkv', 'mp4', 'webm', 'avi', 'm4v', 'mov'];
const STATS_INTERVAL_MS = 2000;

const $ = (id) => document.getElementById(id);
const form = $('add-form');
const magnetInput = $('magnet');
const statusEl = $('status');
const filesBox = $('files');
const fileList = $('file-list');
const video = $('video');
const statsEl = $('stats');
const noticeEl = $('notice');
const tracksBox = $('tracks');
const audioBox = $('audio-box');
const audioSelect = $('audio-track');
const subtitleBox = $('subtitle-box');
const subtitleSelect = $('subtitle-track');

// Exposed for tests and debugging.
const riptide = (window.riptide = {
  player: null,
  state: 'idle',
  torrent: null,
  torrentId: null,
  file: null,
  firstFrame: null,
  firstFrameBytes: null,
  error: null,
  // Track menus, for tests: [{id, label, language, codec, playable, selected, why_not}].
  audioTracks: [],
  // [{id, label, language, track}] (`track`: the TextTrack on the <video>).
  textTracks: [],
  // Plain-words notices about the tracks ("… playing without sound.").
  notices: [],
  // Switches the audio track (as the menu does).
  selectAudio: (id) => selectAudio(id),
});

let wasmReady = null;
let statsTimer = null;
let runId = 0;

function setStatus(text, state) {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', state === 'error');
  if (state) riptide.state = state;
}

function showError(message) {
  riptide.error = message;
  setStatus(message, 'error');
}

function errorText(err) {
  if (!err) return 'something went wrong';
  if (typeof err === 'string') return err;
  return err.message || String(err);
}

function loadWasm() {
  if (!wasmReady) {
    wasmReady = init().catch((e) => {
      wasmReady = null;
      throw new Error(`could not load the video player (${errorText(e)})`);
    });
  }
  return wasmReady;
}

async function api(path, options) {
  let resp;
  try {
    resp = await fetch(path, options);
  } catch (e) {
    throw new Error(`could not reach the Riptide server (${errorText(e)})`);
  }
  let body = null;
  try {
    body = await resp.json();
  } catch (_) {
    // Not JSON: fall through with the status code.
  }
  if (!resp.ok) {
    const msg = body && body.error ? body.error : `the server answered ${resp.status}`;
    throw new Error(msg);
  }
  return body;
}

function extension(path) {
  const m = /\.([^./\\]+)$/.exec(path || '');
  return m ? m[1].toLowerCase() : '';
}

function defaultFile(files) {
  const videos = files.filter((f) => VIDEO_EXTENSIONS.includes(extension(f.path)));
  const pool = videos.length ? videos : files;
  return pool.reduce((best, f) => (!best || f.length > best.length ? f : best), null);
}

function formatBytes(n) {
  if (!Number.isFinite(n)) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

function renderFiles(torrent, selected) {
  fileList.replaceChildren();
  for (const f of torrent.files) {
    const li = document.createElement('li');
    const label = document.createElement('label');
    const radio = document.createElement('input');
    radio.type = 'radio';
    radio.name = 'file';
    radio.value = String(f.index);
    radio.checked = f.index === selected.index;
    radio.addEventListener('change', () => {
      if (radio.checked) playFile(torrent, f);
    });
    const size = document.createElement('span');
    size.className = 'size';
    size.textContent = formatBytes(f.length);
    label.append(radio, ` ${f.path}`, size);
    li.append(label);
    fileList.append(li);
  }
  filesBox.hidden = torrent.files.length < 2;
}

function updateUrl(magnet, fileIndex) {
  const params = new URLSearchParams();
  params.set('magnet', magnet);
  params.set('file', String(fileIndex));
  history.replaceState(null, '', `${location.pathname}?${params}`);
}

// ---- Tracks: audio and subtitle menus, notices -------------------------------------------

let tracksKey = '';

function resetTracks() {
  tracksKey = '';
  riptide.audioTracks = [];
  riptide.textTracks = [];
  riptide.notices = [];
  noticeEl.hidden = true;
  noticeEl.textContent = '';
  tracksBox.hidden = true;
  audioSelect.replaceChildren();
  subtitleSelect.replaceChildren();
}

function showNotices(notices) {
  const list = Array.from(notices || []);
  if (list.join('\n') === riptide.notices.join('\n')) return;
  riptide.notices = list;
  noticeEl.textContent = list.join(' ');
  noticeEl.hidden = list.length === 0;
}

function audioLabel(t) {
  const lang = t.language_name || t.language || 'Unknown language';
  const name = t.name && t.name !== t.language_name ? ` – ${t.name}` : '';
  const why = t.playable ? '' : ' – cannot play here';
  return `${lang}${name} (${t.codec})${why}`;
}

function option(value, text, selected, disabled) {
  const o = document.createElement('option');
  o.value = String(value);
  o.textContent = text;
  o.selected = !!selected;
  o.disabled = !!disabled;
  return o;
}

// Rebuilds the menus when the player's tracks or choice change.
function refreshTracks(player) {
  let tracks;
  try { tracks = Array.from(player.tracks()); } catch (_) { return; }
  const key = JSON.stringify(tracks.map((t) => [t.id, t.selected, t.playable, !!t.text_track]));
  if (key === tracksKey) return;
  tracksKey = key;
  const audio = tracks.filter((t) => t.kind === 'audio');
  const subs = tracks.filter((t) => t.kind === 'subtitle' && t.text_track);
  riptide.audioTracks = audio.map((t) => ({
    id: t.id, label: audioLabel(t), language: t.language, codec: t.codec,
    playable: t.playable, selected: t.selected, why_not: t.why_not,
  }));
  riptide.textTracks = subs.map((t) => ({
    id: t.id, label: t.text_track.label, language: t.text_track.language, track: t.text_track,
  }));
  audioSelect.replaceChildren(...audio.map((t) => option(t.id, audioLabel(t), t.selected, !t.playable)));
  if (!audio.some((t) => t.selected) && audio.length) {
    audioSelect.prepend(option('', 'No sound', true, true));
  }
  audioBox.hidden = audio.length < 2;
  const showing = riptide.textTracks.find((t) => t.track.mode === 'showing');
  subtitleSelect.replaceChildren(
    option('', 'Off', !showing),
    ...riptide.textTracks.map((t) => option(t.id, t.label, showing && showing.id === t.id)),
  );
  subtitleBox.hidden = subs.length === 0;
  tracksBox.hidden = audioBox.hidden && subtitleBox.hidden;
}

function selectAudio(id) {
  if (!riptide.player) return;
  riptide.player.select_audio(Number(id));
}

audioSelect.addEventListener('change', () => {
  if (audioSelect.value !== '') selectAudio(audioSelect.value);
});

subtitleSelect.addEventListener('change', () => {
  const id = subtitleSelect.value === '' ? null : Number(subtitleSelect.value);
  for (const t of riptide.textTracks) {
    // 'hidden' keeps cues loading for a later switch; 'showing' draws them.
    t.track.mode = t.id === id ? 'showing' : 'hidden';
  }
});

function stopPlayer() {
  resetTracks();
  if (riptide.player) {
    try { riptide.player.destroy(); } catch (_) { /* already gone */ }
    try { riptide.player.free(); } catch (_) { /* already freed */ }
    riptide.player = null;
  }
}

async function playFile(torrent, file) {
  const myRun = ++runId;
  stopPlayer();
  riptide.file = file;
  riptide.firstFrame = null;
  riptide.firstFrameBytes = null;
  riptide.error = null;
  updateUrl(magnetInput.value.trim(), file.index);
  setStatus('Buffering…', 'buffering');
  try {
    await loadWasm();
  } catch (e) {
    showError(errorText(e));
    return;
  }
  if (myRun !== runId) return;
  const url = `/api/torrents/${encodeURIComponent(torrent.id)}/files/${file.index}`;
  const player = new Player(video, url, file.length, torrent.piece_length >>> 0);
  riptide.player = player;
  player.on_status((s) => {
    if (myRun !== runId) return;
    riptide.status = s;
    showNotices(s.notices);
    refreshTracks(player);
  });
  video.play().catch(() => { /* autoplay waits for data; the 'playing' event reports it */ });
  try {
    await player.start();
  } catch (e) {
    if (myRun === runId) showError(errorText(e));
  }
}

video.addEventListener('playing', () => {
  const player = riptide.player;
  if (!player || riptide.state === 'error') return;
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

async function pollStats(id) {
  try {
    const t = await api(`/api/torrents/${encodeURIComponent(id)}`);
    const s = t.stats || {};
    const total = t.total_length || 0;
    const pct = total ? Math.min(100, (100 * (s.downloaded_bytes || 0)) / total) : 0;
    statsEl.textContent =
      `${s.peers ?? 0} peers · ↓ ${formatBytes(s.download_speed_bps || 0)}/s · ` +
      `↑ ${formatBytes(s.upload_speed_bps || 0)}/s · ${pct.toFixed(1)}% downloaded` +
      (s.finished ? ' · complete' : '');
  } catch (_) {
    // Stats are best-effort; the status line carries real errors.
  }
}

function startStats(id) {
  clearInterval(statsTimer);
  pollStats(id);
  statsTimer = setInterval(() => pollStats(id), STATS_INTERVAL_MS);
}

async function start(magnet, fileIndex) {
  if (!magnet) {
    showError('Paste a magnet link first.');
    return;
  }
  runId++;
  stopPlayer();
  filesBox.hidden = true;
  statsEl.textContent = '';
  setStatus('Fetching metadata…', 'metadata');
  loadWasm().catch(() => {}); // in parallel with the metadata
  let torrent;
  try {
    torrent = await api('/api/torrents', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ magnet }),
    });
  } catch (e) {
    showError(`Could not add the torrent: ${errorText(e)}`);
    return;
  }
  riptide.torrent = torrent;
  riptide.torrentId = torrent.id;
  if (!torrent.files || torrent.files.length === 0) {
    showError('This torrent has no files.');
    return;
  }
  const chosen = torrent.files.find((f) => f.index === fileIndex) || defaultFile(torrent.files);
  renderFiles(torrent, chosen);
  startStats(torrent.id);
  await playFile(torrent, chosen);
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  start(magnetInput.value.trim(), null);
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
  document.getElementById('sample-name').textContent = `(${sample.name}, ${formatBytes(sample.length)})`;
  document.getElementById('sample').addEventListener('click', () => {
    magnetInput.value = sample.magnet;
    start(sample.magnet, null);
  });
  document.getElementById('samples').hidden = false;
}
offerSamples();

// Shareable links: ?magnet=...&file=N starts at once.
const params = new URLSearchParams(location.search);
if (params.get('magnet')) {
  magnetInput.value = params.get('magnet');
  const file = params.get('file');
  start(params.get('magnet'), file !== null && file !== '' ? Number(file) : null);
}
