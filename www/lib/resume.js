// @ts-check
// Where a person stopped in each file, remembered in this browser (localStorage), for
// "Continue at 12:34" when the file is opened again and "Continue watching" in the library.

const KEY = 'riptide.positions';
/** Positions closer than this to either end are not worth offering (a tenth of a short file). */
const MARGIN_SECONDS = 10;
/** The most files remembered (the oldest are forgotten). */
const MAX_ENTRIES = 200;

/**
 * @typedef {object} Position
 * @property {string} torrentId
 * @property {number} fileIndex
 * @property {string} name The file's name, for the library.
 * @property {number} time Seconds into the file.
 * @property {number} duration
 * @property {number} at When it was saved (ms since 1970).
 */

/** @returns {Record<string, Position>} */
function load() {
  try { return JSON.parse(localStorage.getItem(KEY) || '{}') || {}; } catch (_) { return {}; }
}

/** @param {Record<string, Position>} all */
function store(all) {
  try { localStorage.setItem(KEY, JSON.stringify(all)); } catch (_) { /* storage off or full */ }
}

/** @param {string} torrentId @param {number} fileIndex */
const key = (torrentId, fileIndex) => `${torrentId}/${fileIndex}`;

/**
 * Remembers `time` in the file; a position at the very start or end is forgotten instead
 * (a finished episode is not "continued").
 * @param {string} torrentId
 * @param {number} fileIndex
 * @param {string} name
 * @param {number} time
 * @param {number} duration
 */
export function savePosition(torrentId, fileIndex, name, time, duration) {
  const all = load();
  const k = key(torrentId, fileIndex);
  const known = Number.isFinite(duration) && duration > 0;
  const margin = known ? Math.min(MARGIN_SECONDS, duration / 10) : MARGIN_SECONDS;
  if (time < margin || (known && time > duration - margin)) {
    if (!(k in all)) return;
    delete all[k];
  } else {
    all[k] = { torrentId, fileIndex, name, time, duration, at: Date.now() };
    const keys = Object.keys(all).sort((a, b) => all[b].at - all[a].at);
    for (const old of keys.slice(MAX_ENTRIES)) delete all[old];
  }
  store(all);
}

/**
 * The remembered position in the file, or null.
 * @param {string} torrentId
 * @param {number} fileIndex
 * @returns {Position | null}
 */
export function positionOf(torrentId, fileIndex) {
  return load()[key(torrentId, fileIndex)] || null;
}

/**
 * Every remembered position, the latest first.
 * @returns {Position[]}
 */
export function recentPositions() {
  return Object.values(load()).sort((a, b) => b.at - a.at);
}

/**
 * Forgets every position in a torrent (it was deleted).
 * @param {string} torrentId
 */
export function forgetTorrent(torrentId) {
  const all = load();
  for (const k of Object.keys(all)) if (all[k].torrentId === torrentId) delete all[k];
  store(all);
}
