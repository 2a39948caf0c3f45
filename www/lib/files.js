// @ts-check
// Which file of a torrent to play when none is named: the largest video.

/** Extensions of the containers the engine reads. */
export const VIDEO_EXTENSIONS = ['mkv', 'mp4', 'webm', 'avi', 'm4v', 'mov'];

/**
 * @typedef {object} TorrentFile A file of `GET /api/torrents/{id}` (docs/API.md).
 * @property {number} index
 * @property {string} path
 * @property {number} length
 * @property {number} offset
 */

/**
 * @typedef {object} Torrent
 * @property {string} id
 * @property {string} name
 * @property {number} piece_length
 * @property {TorrentFile[]} files
 */

/**
 * The lower-case extension of a path ('' if none).
 * @param {string | null | undefined} path
 */
export function extension(path) {
  const m = /\.([^./\\]+)$/.exec(path || '');
  return m ? m[1].toLowerCase() : '';
}

/**
 * The largest video file, or the largest file when none looks like a video.
 * @param {TorrentFile[]} files
 * @returns {TorrentFile | null}
 */
export function largestVideo(files) {
  const videos = files.filter((f) => VIDEO_EXTENSIONS.includes(extension(f.path)));
  const pool = videos.length ? videos : files;
  return pool.reduce((/** @type {TorrentFile | null} */ best, f) => (!best || f.length > best.length ? f : best), null);
}
