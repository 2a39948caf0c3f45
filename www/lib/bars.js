// @ts-check
// The two bars under the video, drawn on canvases: the seek bar (buffered ranges shaded, the
// playhead a line; a click jumps there) and the file's pieces (downloaded by the server: dark;
// missing: light).

/**
 * Draws the seek bar of `video` and makes a click on it seek.
 * @param {HTMLVideoElement} video
 * @param {HTMLCanvasElement} canvas
 * @returns {() => void} Redraws it.
 */
export function seekbar(video, canvas) {
  canvas.addEventListener('click', (ev) => {
    const d = video.duration;
    if (!Number.isFinite(d) || d <= 0) return;
    const r = canvas.getBoundingClientRect();
    video.currentTime = Math.max(0, Math.min(d - 0.1, ((ev.clientX - r.left) / r.width) * d));
  });
  return () => {
    const d = video.duration;
    const w = canvas.clientWidth || 600;
    if (canvas.width !== w) canvas.width = w;
    const h = canvas.height;
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.fillStyle = '#8884';
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = '#3b82f6';
    for (let i = 0; i < video.buffered.length; i++) {
      const a = (video.buffered.start(i) / d) * w;
      const b = (video.buffered.end(i) / d) * w;
      ctx.fillRect(a, 3, Math.max(1, b - a), h - 6);
    }
    ctx.fillStyle = '#e11d48';
    ctx.fillRect((video.currentTime / d) * w - 1, 0, 2, h);
  };
}

/**
 * Draws the pieces of `file` the server has, from the torrent watcher's view; returns the
 * counts drawn (for tests), or null when there is nothing to draw.
 * @param {HTMLCanvasElement} canvas
 * @param {{ offset: number, length: number }} file
 * @param {any} view
 */
export function drawPieces(canvas, file, view) {
  const bits = view.bits;
  if (!bits || !view.pieceLength) return null;
  const first = Math.floor(file.offset / view.pieceLength);
  const last = Math.floor((file.offset + Math.max(0, file.length - 1)) / view.pieceLength);
  const n = last - first + 1;
  const w = canvas.clientWidth || 600;
  if (canvas.width !== w) canvas.width = w;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.fillStyle = '#8883';
  ctx.fillRect(0, 0, w, canvas.height);
  ctx.fillStyle = '#16a34a';
  let fileHave = 0;
  for (let i = 0; i < n; i++) {
    const k = first + i;
    if (bits[k >> 3] & (0x80 >> (k & 7))) {
      fileHave++;
      ctx.fillRect((i / n) * w, 0, Math.max(1, w / n), canvas.height);
    }
  }
  return {
    piece_length: view.pieceLength, total_pieces: view.totalPieces, have_count: view.haveCount,
    file_pieces: n, file_have: fileHave, via: view.mode,
  };
}
