// @ts-check
// The files of a torrent as a person sees a season pack or a film with extras: episodes in
// order (S01E02, 1x02, "Episode 2"), other videos, samples and extras apart, subtitles, and the
// rest, each file either playable or not with the reason in plain words.
import { VIDEO_EXTENSIONS, extension } from './files.js';

/** @typedef {import('./files.js').TorrentFile} TorrentFile */

/** Subtitle files the page reads itself (lib/sidecar.js). */
export const SUBTITLE_EXTENSIONS = ['srt', 'vtt', 'ass', 'ssa'];

/**
 * @typedef {object} Episode
 * @property {number} season
 * @property {number} episode
 */

/**
 * The season and episode a file name carries (S01E02, s1e2, 1x02, "Episode 2"), or null.
 * @param {string} path
 * @returns {Episode | null}
 */
export function episodeOf(path) {
  const name = baseName(path);
  let m = /(?:^|[^a-z0-9])s(\d{1,2})[ ._-]?e(\d{1,3})(?![0-9])/i.exec(name);
  if (m) return { season: Number(m[1]), episode: Number(m[2]) };
  m = /(?:^|[^a-z0-9])(\d{1,2})x(\d{2,3})(?![0-9])/i.exec(name);
  if (m) return { season: Number(m[1]), episode: Number(m[2]) };
  m = /(?:^|[^a-z])(?:episode|ep)[ ._-]?(\d{1,3})(?![0-9])/i.exec(name);
  if (m) return { season: 1, episode: Number(m[1]) };
  return null;
}

/** @param {string} path */
export function baseName(path) {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** @param {string} path */
function isSample(path) {
  return /(^|[/ ._-])sample([/ ._-]|$)/i.test(path);
}

/** @param {string} path */
function isExtra(path) {
  return /(^|[/ ._-])(extras?|featurettes?|behind[ ._-]the[ ._-]scenes|deleted[ ._-]scenes|trailers?|bonus)([/ ._-]|$)/i.test(path);
}

/**
 * Why the page cannot play this file, in plain words, judged by its name (the engine decides
 * per codec once it opens the file); null if it may.
 * @param {string} path
 * @returns {string | null}
 */
export function whyNotPlayable(path) {
  const ext = extension(path);
  if (VIDEO_EXTENSIONS.includes(ext)) return null;
  if (SUBTITLE_EXTENSIONS.includes(ext)) return 'subtitles: offered in the subtitle menu of the video they belong to';
  if (['mp3', 'flac', 'ogg', 'opus', 'm4a', 'wav'].includes(ext)) return 'audio only: this player plays videos';
  if (['ts', 'm2ts', 'mpg', 'mpeg', 'wmv', 'flv', 'rmvb', 'vob', 'iso'].includes(ext)) {
    return `not a video this player reads (.${ext}: MKV, MP4, WebM, AVI and MOV are)`;
  }
  return ext ? `not a video (.${ext} file)` : 'not a video';
}

/**
 * @typedef {object} FileGroup
 * @property {string} title 'Episodes', 'Videos', 'Extras', 'Samples', 'Subtitles' or 'Other files'
 * @property {TorrentFile[]} files In the order a person expects.
 */

/** @param {TorrentFile} a @param {TorrentFile} b */
function byEpisodeThenName(a, b) {
  const ea = episodeOf(a.path), eb = episodeOf(b.path);
  if (ea && eb && (ea.season !== eb.season || ea.episode !== eb.episode)) {
    return ea.season - eb.season || ea.episode - eb.episode;
  }
  return a.path.localeCompare(b.path, undefined, { numeric: true, sensitivity: 'base' });
}

/**
 * The files in groups, empty groups left out.
 * @param {TorrentFile[]} files
 * @returns {FileGroup[]}
 */
export function groupFiles(files) {
  /** @type {Record<string, TorrentFile[]>} */
  const g = { Episodes: [], Videos: [], Extras: [], Samples: [], Subtitles: [], 'Other files': [] };
  for (const f of files) {
    const ext = extension(f.path);
    if (SUBTITLE_EXTENSIONS.includes(ext)) g.Subtitles.push(f);
    else if (!VIDEO_EXTENSIONS.includes(ext)) g['Other files'].push(f);
    else if (isSample(f.path)) g.Samples.push(f);
    else if (isExtra(f.path)) g.Extras.push(f);
    else if (episodeOf(f.path)) g.Episodes.push(f);
    else g.Videos.push(f);
  }
  return Object.entries(g)
    .filter(([, list]) => list.length)
    .map(([title, list]) => ({ title, files: list.sort(byEpisodeThenName) }));
}

/**
 * The file to play first: the first episode, else the largest video, else null.
 * @param {TorrentFile[]} files
 * @returns {TorrentFile | null}
 */
export function firstToPlay(files) {
  const groups = groupFiles(files);
  const eps = groups.find((x) => x.title === 'Episodes');
  if (eps) return eps.files[0];
  const vids = groups.find((x) => x.title === 'Videos');
  if (vids) return vids.files.reduce((a, b) => (b.length > a.length ? b : a));
  return null;
}

/**
 * The episode after `file` in the torrent, or null (not an episode, or the last one).
 * @param {TorrentFile[]} files
 * @param {TorrentFile} file
 * @returns {TorrentFile | null}
 */
export function nextEpisode(files, file) {
  const eps = groupFiles(files).find((x) => x.title === 'Episodes');
  if (!eps) return null;
  const i = eps.files.findIndex((f) => f.index === file.index);
  return i >= 0 && i + 1 < eps.files.length ? eps.files[i + 1] : null;
}
