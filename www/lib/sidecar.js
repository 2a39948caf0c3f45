// @ts-check
// Subtitle files beside a video (the same base name, or a Subs/ folder, often named by
// language) and a subtitle file a person drops on the page, turned into the <video>'s text
// tracks in the browser. SRT, WebVTT and ASS/SSA are read; styling is stripped, as the
// engine does for subtitles inside the film (crates/remux-wasm/src/subtitle.rs).
import { extension } from './files.js';
import { SUBTITLE_EXTENSIONS, baseName } from './episodes.js';

/** @typedef {import('./files.js').TorrentFile} TorrentFile */

/** @typedef {{ start: number, end: number, text: string }} Cue Times in seconds. */

/** Language names in file names, to their BCP 47 tags. */
const LANGUAGES = /** @type {Record<string, string>} */ ({
  english: 'en', eng: 'en', en: 'en', french: 'fr', fre: 'fr', fra: 'fr', fr: 'fr',
  german: 'de', ger: 'de', deu: 'de', de: 'de', spanish: 'es', spa: 'es', es: 'es',
  italian: 'it', ita: 'it', it: 'it', portuguese: 'pt', por: 'pt', pt: 'pt', dutch: 'nl',
  nld: 'nl', nl: 'nl', russian: 'ru', rus: 'ru', ru: 'ru', japanese: 'ja', jpn: 'ja', ja: 'ja',
  chinese: 'zh', chi: 'zh', zho: 'zh', zh: 'zh', korean: 'ko', kor: 'ko', ko: 'ko',
});

/** @param {string} path */
function stem(path) {
  const b = baseName(path);
  const dot = b.lastIndexOf('.');
  return dot > 0 ? b.slice(0, dot) : b;
}

/** @param {string} path */
function folder(path) {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(0, i) : '';
}

/**
 * The language tag a subtitle's name carries ("Show.S01E01.en.srt", "Subs/French.srt"), or ''.
 * @param {string} path
 */
export function languageOf(path) {
  const words = stem(path).toLowerCase().split(/[ ._()[\]-]+/).reverse();
  for (const w of words) if (LANGUAGES[w]) return LANGUAGES[w];
  return '';
}

/**
 * The subtitle files of the torrent that belong to `video`: in its folder with a name that
 * starts with the video's, or in a `Subs`/`Subtitles` folder beside it (its own sub-folder
 * named after the video, or loose files when the torrent has one video).
 * @param {TorrentFile[]} files
 * @param {TorrentFile} video
 * @returns {TorrentFile[]}
 */
export function sidecarsFor(files, video) {
  const dir = folder(video.path);
  const name = stem(video.path).toLowerCase();
  const subs = files.filter((f) => SUBTITLE_EXTENSIONS.includes(extension(f.path)));
  const videos = files.length - subs.length;
  return subs.filter((f) => {
    const d = folder(f.path);
    const s = stem(f.path).toLowerCase();
    if (d === dir) return s === name || s.startsWith(`${name}.`) || s.startsWith(`${name} `) || s.startsWith(`${name}_`);
    const rel = dir ? d.slice(dir.length + 1) : d;
    if (dir && !d.startsWith(`${dir}/`)) return false;
    const parts = rel.split('/');
    if (!/^(subs|subtitles)$/i.test(parts[0])) return false;
    if (parts.length === 2) return parts[1].toLowerCase() === name;
    return parts.length === 1 && (s.startsWith(name) || videos <= 1);
  });
}

/**
 * Seconds from "01:02:03,456", "02:03.456" or ASS's "1:02:03.45".
 * @param {string} t
 */
function seconds(t) {
  const p = t.trim().replace(',', '.').split(':').map(Number);
  return p.reduce((acc, x) => acc * 60 + x, 0);
}

/**
 * The cues of a subtitle file (`ext`: srt, vtt, ass or ssa), sorted by start.
 * @param {string} text
 * @param {string} ext
 * @returns {Cue[]}
 */
export function parseSubtitles(text, ext) {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  /** @type {Cue[]} */
  const cues = [];
  if (ext === 'ass' || ext === 'ssa') {
    let fields = ['layer', 'start', 'end', 'style', 'name', 'marginl', 'marginr', 'marginv', 'effect', 'text'];
    for (const line of src.split('\n')) {
      const fm = /^Format:\s*(.*)$/i.exec(line);
      if (fm && /text/i.test(fm[1])) fields = fm[1].split(',').map((x) => x.trim().toLowerCase());
      const dm = /^Dialogue:\s*(.*)$/i.exec(line);
      if (!dm) continue;
      const parts = dm[1].split(',');
      const textAt = fields.indexOf('text');
      const value = (/** @type {string} */ k) => parts[fields.indexOf(k)] || '';
      const body = parts.slice(textAt).join(',')
        .replace(/\{[^}]*\}/g, '').replace(/\\[Nn]/g, '\n').replace(/\\h/g, ' ').trim();
      if (body) cues.push({ start: seconds(value('start')), end: seconds(value('end')), text: body });
    }
  } else {
    for (const block of src.split(/\n{2,}/)) {
      const lines = block.split('\n');
      const at = lines.findIndex((l) => l.includes('-->'));
      if (at < 0) continue;
      const [a, b] = lines[at].split('-->');
      const body = lines.slice(at + 1).join('\n').replace(/<[^>]+>/g, '').replace(/\{\\[^}]*\}/g, '').trim();
      if (body) cues.push({ start: seconds(a), end: seconds(b.trim().split(/\s+/)[0]), text: body });
    }
  }
  return cues.filter((c) => Number.isFinite(c.start) && Number.isFinite(c.end) && c.end > c.start)
    .sort((x, y) => x.start - y.start);
}

/**
 * @typedef {object} SidecarTrack
 * @property {string} id 'side-N': the subtitle menu's value.
 * @property {string} label
 * @property {string} language
 * @property {TextTrack} track
 */

/** Text tracks cannot be removed from a <video>: those of the last file are emptied, reused. */
/** @type {TextTrack[]} */
const spare = [];
/** @type {SidecarTrack[]} */
let current = [];
let counter = 0;

/**
 * A text track on `video` holding `cues`.
 * @param {HTMLVideoElement} video
 * @param {string} label
 * @param {string} language
 * @param {Cue[]} cues
 * @returns {SidecarTrack}
 */
export function addTrack(video, label, language, cues) {
  const track = spare.pop() || video.addTextTrack('subtitles', label, language);
  track.mode = 'hidden';
  for (const c of cues) track.addCue(new VTTCue(c.start, c.end, c.text));
  // A reused track keeps its first label: the menu shows ours.
  const t = { id: `side-${counter++}`, label, language, track };
  current.push(t);
  return t;
}

/** The sidecar tracks of the file playing. */
export function sidecarTracks() {
  return current;
}

/** Empties and hides the sidecar tracks (another file plays). */
export function clearSidecars() {
  for (const t of current) {
    t.track.mode = 'disabled';
    for (const c of Array.from(t.track.cues || [])) t.track.removeCue(c);
    spare.push(t.track);
  }
  current = [];
}

/**
 * Reads every subtitle file of the torrent that belongs to `video` through the file endpoint
 * and adds it as a text track. Returns the tracks added (a file that cannot be read is skipped
 * and reported through `onProblem`).
 * @param {HTMLVideoElement} el
 * @param {string} torrentId
 * @param {TorrentFile[]} files
 * @param {TorrentFile} video
 * @param {(message: string) => void} onProblem
 * @returns {Promise<SidecarTrack[]>}
 */
export async function loadSidecars(el, torrentId, files, video, onProblem) {
  const added = [];
  for (const f of sidecarsFor(files, video)) {
    try {
      const resp = await fetch(`/api/torrents/${encodeURIComponent(torrentId)}/files/${f.index}`);
      if (!resp.ok) throw new Error(`the server answered ${resp.status}`);
      const cues = parseSubtitles(await resp.text(), extension(f.path));
      if (!cues.length) throw new Error('no subtitle lines in it');
      added.push(addTrack(el, baseName(f.path), languageOf(f.path), cues));
    } catch (e) {
      onProblem(`Could not read the subtitles ${baseName(f.path)}: ${/** @type {Error} */ (e).message}.`);
    }
  }
  return added;
}
