// @ts-check
// Times and sizes as the page shows them.

/**
 * `m:ss`, or `h:mm:ss` from an hour on ('?' when not a number).
 * @param {number} secs
 */
export function formatTime(secs) {
  if (!Number.isFinite(secs)) return '?';
  const s = Math.floor(secs % 60).toString().padStart(2, '0');
  const m = Math.floor(secs / 60) % 60;
  const h = Math.floor(secs / 3600);
  return h ? `${h}:${m.toString().padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * `1.5 MB` (powers of 1024; '?' when not a number).
 * @param {number} n
 */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
