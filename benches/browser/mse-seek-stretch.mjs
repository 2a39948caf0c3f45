// Does stretching the last appended frame after a seek let MSE finish the seek, and decode
// from the key frame, while the bytes up to the target still arrive? (issue 17, session 10;
// figures in benches/RESULTS.md section 23, reasoning in docs/DESIGN.md "Seek timeline").
// Answer measured: it completes the seek earlier, but both browsers then show wrong pictures,
// so the player does not do it.
//
// usage: node benches/browser/mse-seek-stretch.mjs FILM [--browser chromium|firefox]
//          [--key SECONDS] [--into SECONDS] [--runs N] [--rate BYTES_PER_S] [--modes M,M,…]
//   FILM     an MP4 or MKV with H.264 and AAC (the page bench's film.mp4).
//   --key    a key frame of FILM (default 64), --into the target's distance from it (default 1);
//   --rate   how fast the film's bytes arrive (default 10e6), in 1 MiB pieces.
// ffmpeg copies 4 s of FILM from the key frame into two fragmented MP4s, one fragment per
// frame (video, audio), as benches/browser/mse-seek-needs.mjs does. Each trial is a new
// <video>, `currentTime` set to the target, then the film's bytes "arrive" piece by piece (the
// frames of both tracks in decode-time order, the key frame half-way into the first piece, a
// piece every 1 MiB / rate) and each piece's whole frames are appended as it comes. Modes
// (default plain,stretch,stall0):
//   plain     the frames as they are (what the player does);
//   stretch   while the appended frames do not yet reach the target + 0.1 s (video) and
//             + 0.25 s (audio), the last frame (decode order) appended of each track is
//             appended with its duration stretched to 0.01 s past there, so that the
//             SourceBuffers' `buffered` holds the target before its bytes came;
//   stretchN  the same, but the video's stretched frame ends N ms past the target;
//   stallK    stretch, and no bytes come after piece K (the seeder went away).
// Each trial prints one JSON line: times from the seek (ms) to `seeked`, to playing
// (currentTime 0.04 s past the target, polled every 4 ms) and to the append that covered the
// target for real (`covered_ms`); the frames presented (requestVideoFrameCallback's mediaTime,
// from the target); `waiting` events and dropped frames; buffered ranges; and checksums of the
// picture (drawn to a 160×90 canvas) at `seeked` and, once everything is appended and the video
// paused, at the target and the 7 frames after it (`pictures`, each with the mediaTime shown
// where the browser reports one): the modes must show the same pictures.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, engineFromArgs } from '../../tests/e2e/browser.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const film = args[0];
if (!film || film.startsWith('--')) {
  console.error('usage: node benches/browser/mse-seek-stretch.mjs FILM [--browser chromium|firefox] [--key S] [--into S] [--runs N] [--rate B/s]');
  process.exit(2);
}
const engine = engineFromArgs(args);
const key = opt('--key', 64);
const into = opt('--into', 1);
const runs = opt('--runs', 4);
const rate = opt('--rate', 10e6);
const modes = (args.includes('--modes') ? args[args.indexOf('--modes') + 1] : 'plain,stretch,stall0').split(',');

const dir = mkdtempSync(join(tmpdir(), 'mse-seek-stretch-'));
for (const [out, keep] of [['v.mp4', '-an'], ['a.mp4', '-vn']]) {
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-ss', String(key), '-i', film, '-t', '4', keep,
    '-c', 'copy', '-movflags', 'frag_every_frame+empty_moov+default_base_moof', join(dir, out)]);
}

const page = `<!doctype html><meta charset=utf-8><video></video><canvas width=160 height=90></canvas><script>
function boxes(buf, start, end) {
  const dv = new DataView(buf); const out = [];
  for (let p = start; p < end;) {
    let size = dv.getUint32(p); let hdr = 8;
    if (size === 1) { size = Number(dv.getBigUint64(p + 8)); hdr = 16; }
    out.push({ type: String.fromCharCode(...new Uint8Array(buf, p + 4, 4)), start: p, end: p + size, body: p + hdr });
    p += size;
  }
  return out;
}
function find(buf, b, path) {
  let cur = [b];
  for (const t of path) cur = cur.flatMap((c) => boxes(buf, c.body, c.end).filter((k) => k.type === t));
  return cur;
}
// Each fragment holds one frame; where its duration is written (the trun's first sample, or
// the tfhd's default) is kept so a copy can be stretched.
async function load(url) {
  const buf = await (await fetch(url)).arrayBuffer();
  const dv = new DataView(buf);
  const top = boxes(buf, 0, buf.byteLength);
  const moov = top.find((b) => b.type === 'moov');
  const mdhd = find(buf, moov, ['trak', 'mdia', 'mdhd'])[0];
  const timescale = dv.getUint32(mdhd.body + (dv.getUint8(mdhd.body) === 1 ? 20 : 12));
  const bytes = new Uint8Array(buf, 0, moov.end);
  let codec = 'mp4a.40.2';
  for (let i = 0; i + 8 < bytes.length; i++) {
    if (bytes[i] === 0x61 && bytes[i + 1] === 0x76 && bytes[i + 2] === 0x63 && bytes[i + 3] === 0x43) {
      codec = 'avc1.' + [1, 2, 3].map((k) => bytes[i + 4 + k].toString(16).padStart(2, '0')).join('');
      break;
    }
  }
  const frags = [];
  for (let i = 0; i < top.length; i++) {
    if (top[i].type !== 'moof') continue;
    const moof = top[i], mdat = top[i + 1];
    const traf = find(buf, moof, ['traf'])[0];
    const [tfhd] = find(buf, traf, ['tfhd']), [tfdt] = find(buf, traf, ['tfdt']), [trun] = find(buf, traf, ['trun']);
    const hf = dv.getUint32(tfhd.body) & 0xffffff;
    let q = tfhd.body + 8; if (hf & 1) q += 8; if (hf & 2) q += 4;
    let durPos = (hf & 8) ? q : -1;
    const defdur = (hf & 8) ? dv.getUint32(q) : 0;
    const base = dv.getUint8(tfdt.body) === 1 ? Number(dv.getBigUint64(tfdt.body + 4)) : dv.getUint32(tfdt.body + 4);
    const tf = dv.getUint32(trun.body), flags = tf & 0xffffff, n = dv.getUint32(trun.body + 4);
    if (n !== 1) throw new Error('one frame per fragment expected');
    let r = trun.body + 8; if (flags & 1) r += 4; if (flags & 4) r += 4;
    let dur = defdur, cto = 0;
    if (flags & 0x100) { durPos = r; dur = dv.getUint32(r); r += 4; }
    if (flags & 0x200) r += 4;
    if (flags & 0x400) r += 4;
    if (flags & 0x800) { cto = (tf >>> 24) === 1 ? dv.getInt32(r) : dv.getUint32(r); r += 4; }
    if (durPos < 0) throw new Error('no duration field to stretch');
    frags.push({ data: buf.slice(moof.start, mdat.end), durPos: durPos - moof.start, timescale,
      dts: base / timescale, pts: (base + cto) / timescale, end: (base + cto + dur) / timescale, size: mdat.end - mdat.start });
  }
  return { init: buf.slice(0, moov.end), frags, codec };
}
// A copy of fragment f whose frame lasts until \`until\` (seconds).
function stretched(f, until) {
  const copy = f.data.slice(0);
  new DataView(copy).setUint32(f.durPos, Math.ceil((until - f.pts) * f.timescale));
  return copy;
}
const once = (t, ev) => new Promise((r) => t.addEventListener(ev, r, { once: true }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function checksum(video) {
  const c = document.querySelector('canvas').getContext('2d', { willReadFrequently: true });
  c.drawImage(video, 0, 0, 160, 90);
  const px = c.getImageData(0, 0, 160, 90).data;
  let h = 0x811c9dc5;
  for (let i = 0; i < px.length; i++) { h ^= px[i]; h = Math.imul(h, 16777619) >>> 0; }
  return h.toString(16);
}
window.trial = async function ({ mode, into, rate }) {
  const vf = window.VF || (window.VF = await load('/v.mp4'));
  const af = window.AF || (window.AF = await load('/a.mp4'));
  const T = vf.frags[0].pts + into;
  const PV = 0.1, PA = 0.25, PIECE = 1 << 20;
  // The film's byte order: both tracks by decode time (ffmpeg's interleaving), the key frame
  // half-way into its piece.
  const all = [...vf.frags.map((f) => ({ f, v: true })), ...af.frags.map((f) => ({ f, v: false }))]
    .sort((a, b) => a.f.dts - b.f.dts);
  let pos = PIECE / 2;
  for (const x of all) { pos += x.f.size; x.f.byteEnd = pos; }
  const video = document.createElement('video');
  document.querySelector('video').replaceWith(video);
  video.autoplay = true; video.muted = false;
  const ms = new MediaSource();
  video.src = URL.createObjectURL(ms);
  await once(ms, 'sourceopen');
  const sv = ms.addSourceBuffer('video/mp4; codecs="' + vf.codec + '"');
  const sa = ms.addSourceBuffer('audio/mp4; codecs="' + af.codec + '"');
  const append = async (sb, d) => { sb.appendBuffer(d); await once(sb, 'updateend'); };
  await append(sv, vf.init); await append(sa, af.init);
  ms.duration = 4;
  const t0 = performance.now(); const ev = { waiting: 0 };
  const now = () => Math.round(performance.now() - t0);
  let seekedPicture = null;
  video.addEventListener('seeked', () => { ev.seeked ??= now(); seekedPicture ??= checksum(video); });
  video.addEventListener('playing', () => { ev.playing ??= now(); });
  video.addEventListener('waiting', () => { if (ev.playing !== undefined) ev.waiting++; });
  // Every frame presented (requestVideoFrameCallback's mediaTime) and when currentTime first
  // passed the target + 0.04 s, polled while the pieces come.
  const presented = [];
  let on = true;
  const goal0 = T + 0.04;
  let played = null;
  const onFrame = (_, m) => { presented.push(+(m.mediaTime - T).toFixed(3)); if (on) video.requestVideoFrameCallback(onFrame); };
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame);
  const poll = setInterval(() => { if (played === null && !video.seeking && video.currentTime >= goal0) played = now(); }, 4);
  video.currentTime = T;
  video.play().catch(() => {});
  const stretch = mode !== 'plain';
  // "stretchN": the video's stretched frame ends N ms past the target (default: + 0.11 s).
  const vUntil = /^stretch\d+$/.test(mode) ? Number(mode.slice(7)) / 1000 : null;
  const log = [];
  let vi = 0, ai = 0, vEnd = -Infinity, aEnd = -Infinity, covered = null, stretches = 0;
  const lastPiece = mode.startsWith('stall') ? Number(mode.slice(5) || 0) : 1e9;
  // Pieces arrive until 2 s past the target is in.
  for (let k = 0; k <= lastPiece; k++) {
    const arrive = Math.round((k + 0.5) * PIECE / rate * 1000);
    while (now() < arrive) await sleep(2);
    const limit = PIECE / 2 + k * PIECE + PIECE / 2;
    const feed = async (sb, frags, i, end, past) => {
      let j = i;
      while (j < frags.length && frags[j].byteEnd <= limit) j++;
      for (let n = i; n < j; n++) {
        const f = frags[n];
        end = Math.max(end, f.end);
        const last = n === j - 1;
        const until = sb === sv && vUntil !== null ? T + vUntil : T + past + 0.01;
        if (stretch && last && end < T + past) { await append(sb, stretched(f, until)); stretches++; log.push([now(), sb === sv ? 'v' : 'a', +(f.pts - T).toFixed(3), +(end - T).toFixed(3)]); }
        else await append(sb, f.data);
      }
      return [j, end];
    };
    [vi, vEnd] = await feed(sv, vf.frags, vi, vEnd, PV);
    [ai, aEnd] = await feed(sa, af.frags, ai, aEnd, PA);
    if (covered === null && vEnd >= T + PV && aEnd >= T + PA) covered = now();
    if (vi >= vf.frags.length || vf.frags[vi].pts > T + 2) break;
  }
  const fed = now();
  for (const deadline = performance.now() + 3000; performance.now() < deadline && played === null;) await sleep(5);
  clearInterval(poll);
  // The next second of playing.
  const q0 = video.getVideoPlaybackQuality();
  const ct0 = video.currentTime;
  await sleep(1000);
  const q1 = video.getVideoPlaybackQuality();
  on = false;
  const ranges = (sb) => Array.from({ length: sb.buffered.length }, (_, k) => [+(sb.buffered.start(k) - T).toFixed(3), +(sb.buffered.end(k) - T).toFixed(3)]);
  const out = {
    mode, seeked_ms: ev.seeked ?? null, playing_event_ms: ev.playing ?? null, played_ms: played,
    covered_ms: covered, fed_ms: fed, stretches,
    played_after_covered_ms: played !== null && covered !== null ? played - covered : null,
    next_second_played: +(video.currentTime - ct0).toFixed(3), waiting_after_playing: ev.waiting,
    dropped: q1.droppedVideoFrames, dropped_next_second: q1.droppedVideoFrames - q0.droppedVideoFrames,
    total_frames: q1.totalVideoFrames, current_minus_target: +(video.currentTime - T).toFixed(3),
    stretched: JSON.stringify(log), presented: presented.slice(0, 12).join(','),
    video_buffered: ranges(sv), audio_buffered: ranges(sa), seeked_picture: seekedPicture,
  };
  // The pictures at the target and the 7 frames after it, once everything is appended.
  video.pause();
  if (mode.startsWith('stall')) return out;
  const pics = [];
  const fd = vf.frags[1].dts - vf.frags[0].dts;
  for (let n = 0; n < 8; n++) {
    video.currentTime = T + n * fd + fd / 4;
    await once(video, 'seeked');
    const shown = await Promise.race([sleep(300).then(() => null), new Promise((r) => video.requestVideoFrameCallback && video.requestVideoFrameCallback((_, m) => r(m.mediaTime)))]);
    pics.push(checksum(video) + '@' + (shown === null ? '?' : (shown - T).toFixed(3)));
  }
  out.pictures = pics.join(',');
  video.currentTime = T; await once(video, 'seeked');
  await sleep(50);
  out.target_picture = checksum(video);
  return out;
};
</script>`;

const server = createServer((req, res) => {
  if (req.url === '/') { res.setHeader('content-type', 'text/html'); res.end(page); return; }
  const name = req.url.slice(1);
  if (name !== 'v.mp4' && name !== 'a.mp4') { res.statusCode = 404; res.end(); return; }
  res.setHeader('content-type', 'video/mp4');
  res.end(readFileSync(join(dir, name)));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await launch(engine, { chromiumArgs: ['--autoplay-policy=no-user-gesture-required'] });
try {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  for (let r = 0; r < runs; r++) {
    for (const mode of modes) {
      console.log(JSON.stringify({ engine, run: r, ...(await tab.evaluate((t) => window.trial(t), { mode, into, rate })) }));
    }
  }
} finally {
  await browser.close();
  server.close();
}
