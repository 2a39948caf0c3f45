// @ts-check
// Around the video while it plays: "Continue at 12:34?" when a file is opened again, the
// position saved as it plays, the next episode offered at the end (a click, or by itself after
// a countdown), and the keyboard (space, ←/→ 10 s, f, m, c).
import { baseName, nextEpisode } from './episodes.js';
import { formatTime } from './format.js';
import { positionOf, savePosition } from './resume.js';

/** @typedef {import('./files.js').Torrent} Torrent */
/** @typedef {import('./files.js').TorrentFile} TorrentFile */

/** Seconds before the next episode starts by itself. */
export const NEXT_COUNTDOWN_SECONDS = 10;
/** How often the position is saved while playing. */
const SAVE_EVERY_MS = 2000;
/** ←/→ jump. */
const SKIP_SECONDS = 10;

/**
 * @typedef {object} PlayingHooks
 * @property {(torrent: Torrent, file: TorrentFile) => void} play
 * @property {() => void} toggleCaptions
 */

/**
 * @param {HTMLVideoElement} video
 * @param {PlayingHooks} hooks
 */
export function setUpPlaying(video, hooks) {
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const resumeBox = $('resume'), resumeText = $('resume-text');
  const nextBox = $('next'), nextText = $('next-text');
  /** @type {{ torrent: Torrent, file: TorrentFile } | null} */
  let current = null;
  /** @type {number | null} */
  let startAt = null;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let countdown;
  /** @type {TorrentFile | null} */
  let next = null;
  let lastSave = 0;

  function save() {
    // While "Continue at …?" waits for an answer, the remembered position stands.
    if (!current || !Number.isFinite(video.currentTime) || !resumeBox.hidden) return;
    savePosition(current.torrent.id, current.file.index, baseName(current.file.path), video.currentTime, video.duration);
  }

  function cancelNext() {
    clearInterval(countdown);
    countdown = undefined;
    nextBox.hidden = true;
    next = null;
  }

  /**
   * A file starts playing; `at`: seconds to start from (chosen in "Continue watching").
   * @param {Torrent} torrent
   * @param {TorrentFile} file
   * @param {number | null} [at]
   */
  function opened(torrent, file, at = null) {
    cancelNext();
    current = { torrent, file };
    startAt = at;
    resumeBox.hidden = true;
    const pos = at === null ? positionOf(torrent.id, file.index) : null;
    if (pos) {
      resumeText.textContent = `You stopped ${baseName(file.path)} at ${formatTime(pos.time)}.`;
      $('resume-yes').textContent = `Continue at ${formatTime(pos.time)}`;
      $('resume-yes').onclick = () => { video.currentTime = pos.time; resumeBox.hidden = true; };
      $('resume-no').onclick = () => { resumeBox.hidden = true; };
      resumeBox.hidden = false;
    }
  }

  function stopped() {
    save();
    cancelNext();
    current = null;
    resumeBox.hidden = true;
  }

  video.addEventListener('loadedmetadata', () => {
    if (startAt === null) return;
    video.currentTime = startAt;
    startAt = null;
  });
  video.addEventListener('timeupdate', () => {
    const now = Date.now();
    if (now - lastSave < SAVE_EVERY_MS) return;
    lastSave = now;
    save();
  });
  video.addEventListener('pause', save);
  window.addEventListener('pagehide', save);
  video.addEventListener('ended', () => {
    if (!current) return;
    save();
    next = nextEpisode(current.torrent.files, current.file);
    if (!next) return;
    let left = NEXT_COUNTDOWN_SECONDS;
    const name = baseName(next.path);
    nextText.textContent = `Next: ${name}, in ${left} s.`;
    nextBox.dataset.next = name;
    nextBox.hidden = false;
    countdown = setInterval(() => {
      left -= 1;
      if (left > 0) { nextText.textContent = `Next: ${name}, in ${left} s.`; return; }
      playNext();
    }, 1000);
  });

  function playNext() {
    const t = current && current.torrent, n = next;
    cancelNext();
    if (t && n) hooks.play(t, n);
  }
  $('next-play').addEventListener('click', playNext);
  $('next-cancel').addEventListener('click', cancelNext);

  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || video.hidden) return;
    const t = /** @type {HTMLElement | null} */ (ev.target);
    if (t && t.closest('input, textarea, select, button, summary, [contenteditable]')) return;
    switch (ev.key) {
      case ' ':
      case 'k':
        if (video.paused) video.play().catch(() => {}); else video.pause();
        break;
      case 'ArrowLeft':
        video.currentTime = Math.max(0, video.currentTime - SKIP_SECONDS);
        break;
      case 'ArrowRight':
        video.currentTime = Math.min(Number.isFinite(video.duration) ? video.duration : Infinity, video.currentTime + SKIP_SECONDS);
        break;
      case 'f':
        if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
        else video.requestFullscreen().catch(() => {});
        break;
      case 'm':
        video.muted = !video.muted;
        break;
      case 'c':
        hooks.toggleCaptions();
        break;
      default:
        return;
    }
    ev.preventDefault();
  });

  return { opened, stopped, next: () => next };
}
