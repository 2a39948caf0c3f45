// @ts-check
// While the film waits for data: the download speed against what the film needs (its size
// over its duration), said plainly when the swarm is too slow to keep up.
import { formatBytes } from './format.js';

/** Below this share of the film's rate, the download cannot keep up. */
const KEEP_UP = 1.0;

/**
 * "downloading at 1.2 MB/s, faster than the film needs (400 KB/s)", or, when slower, a
 * sentence saying that playback will have to wait; '' when the film's rate is not known.
 * @param {number} downBps
 * @param {number} fileBytes
 * @param {number} duration Seconds.
 */
export function speedVersusFilm(downBps, fileBytes, duration) {
  if (!Number.isFinite(duration) || duration <= 0 || !fileBytes) return '';
  const need = fileBytes / duration;
  const have = `downloading at ${formatBytes(downBps)}/s`;
  if (downBps >= need * KEEP_UP) return `${have}, faster than the film needs (${formatBytes(need)}/s)`;
  return `${have}, slower than the film needs (${formatBytes(need)}/s): the swarm is too slow to ` +
    'keep up, so playback will stop to wait now and then (pausing for a while lets it get ahead)';
}
