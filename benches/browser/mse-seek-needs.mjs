// What a browser needs through MSE to finish a seek and play on, measured with appends cut at
// single frames (issue 17; figures in benches/RESULTS.md section 21, reasoning in
// docs/DESIGN.md "Seek timeline").
//
// usage: node benches/browser/mse-seek-needs.mjs FILM [--browser chromium|firefox]
//          [--key SECONDS] [--into SECONDS] [--runs N]
//   FILM     an MP4 or MKV with H.264 and AAC (the page bench's film.mp4).
//   --key    a key frame of FILM (default 64: the bench films have a key frame every 2 s);
//   --into   the target's distance from it (default 1: the bench's mid-GOP jumps).
// ffmpeg copies 4 s of FILM from the key frame into two fragmented MP4s, one fragment per frame
// (video, audio), which a page on 127.0.0.1 appends to two SourceBuffers. Each trial is a new
// <video>: `currentTime` set to the target, then
//   video  the frames in decode order up to the last one presented before target + V,
//   audio  the frames presented before target + A,
// and whether the video plays (currentTime moves 0.04 s past the target within 3 s).
// Three grids are printed, one JSON line per trial:
//   video  V from 0 to 0.1 s with all the audio: how much video past the target it needs;
//   audio  A from 0.05 to 0.3 s with all the video: how much audio;
//   early  the same appends (V 0.1 s, A 0.3 s), but the frames presented before the target
//          appended 1.5 s before the rest, against none early, taking turns (--runs each):
//          whether the browser decodes those frames before the target is buffered (then
//          "played after last" would drop for the early ones), as a <video src> does.
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
  console.error('usage: node benches/browser/mse-seek-needs.mjs FILM [--browser chromium|firefox] [--key S] [--into S] [--runs N]');
  process.exit(2);
}
const engine = engineFromArgs(args);
const key = opt('--key', 64);
const into = opt('--into', 1);
const runs = opt('--runs', 4);

const dir = mkdtempSync(join(tmpdir(), 'mse-seek-needs-'));
for (const [out, keep] of [['v.mp4', '-an'], ['a.mp4', '-vn']]) {
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-ss', String(key), '-i', film, '-t', '4', keep,
    '-c', 'copy', '-movflags', 'frag_every_frame+empty_moov+default_base_moof', join(dir, out)]);
}

// The page: reads the fragments' timing from their boxes (MSE ignores edit lists, so these
// are the times the browser uses) and runs one trial per call.
const page = `<!doctype html><meta charset=utf-8><video></video><script>
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
async function load(url) {
  const buf = await (await fetch(url)).arrayBuffer();
  const dv = new DataView(buf);
  const top = boxes(buf, 0, buf.byteLength);
  const moov = top.find((b) => b.type === 'moov');
  const mdhd = find(buf, moov, ['trak', 'mdia', 'mdhd'])[0];
  const timescale = dv.getUint32(mdhd.body + (dv.getUint8(mdhd.body) === 1 ? 20 : 12));
  // avc1.PPCCLL from the avcC's profile, compatibility and level bytes.
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
    const defdur = (hf & 8) ? dv.getUint32(q) : 0;
    const base = dv.getUint8(tfdt.body) === 1 ? Number(dv.getBigUint64(tfdt.body + 4)) : dv.getUint32(tfdt.body + 4);
    const tf = dv.getUint32(trun.body), flags = tf & 0xffffff, n = dv.getUint32(trun.body + 4);
    let r = trun.body + 8; if (flags & 1) r += 4; if (flags & 4) r += 4;
    let dts = base, pts = Infinity, end = -Infinity;
    for (let s = 0; s < n; s++) {
      let dur = defdur, cto = 0;
      if (flags & 0x100) { dur = dv.getUint32(r); r += 4; }
      if (flags & 0x200) r += 4;
      if (flags & 0x400) r += 4;
      if (flags & 0x800) { cto = (tf >>> 24) === 1 ? dv.getInt32(r) : dv.getUint32(r); r += 4; }
      pts = Math.min(pts, (dts + cto) / timescale); end = Math.max(end, (dts + cto + dur) / timescale);
      dts += dur;
    }
    frags.push({ data: buf.slice(moof.start, mdat.end), pts, end });
  }
  return { init: buf.slice(0, moov.end), frags, codec };
}
const once = (t, ev) => new Promise((r) => t.addEventListener(ev, r, { once: true }));
window.trial = async function ({ V, A, into, early }) {
  const vf = window.VF || (window.VF = await load('/v.mp4'));
  const af = window.AF || (window.AF = await load('/a.mp4'));
  const T = vf.frags[0].pts + into;
  const video = document.createElement('video');
  document.querySelector('video').replaceWith(video);
  video.autoplay = true;
  const ms = new MediaSource();
  video.src = URL.createObjectURL(ms);
  await once(ms, 'sourceopen');
  const sv = ms.addSourceBuffer('video/mp4; codecs="' + vf.codec + '"');
  const sa = ms.addSourceBuffer('audio/mp4; codecs="' + af.codec + '"');
  const append = async (sb, d) => { sb.appendBuffer(d); await once(sb, 'updateend'); };
  await append(sv, vf.init); await append(sa, af.init);
  ms.duration = 4;
  const t0 = performance.now(); const ev = {};
  for (const e of ['seeked', 'playing']) video.addEventListener(e, () => { ev[e] ??= Math.round(performance.now() - t0); });
  video.currentTime = T;
  let last = -1;
  vf.frags.forEach((f, i) => { if (f.pts < T + V - 1e-4) last = i; });
  for (const f of af.frags) { if (f.pts >= T + A - 1e-4) break; await append(sa, f.data); }
  let i = 0;
  if (early !== undefined) {
    // The frames (decode order) before the first one presented at or after the target,
    // then a wait, then the rest: \`early\` = [append them first?, wait ms].
    const stop = early[0] ? vf.frags.findIndex((f) => f.pts >= T - 1e-4) : 0;
    for (; i < stop; i++) await append(sv, vf.frags[i].data);
    await new Promise((r) => setTimeout(r, early[1]));
  }
  for (; i <= last; i++) await append(sv, vf.frags[i].data);
  const appended = Math.round(performance.now() - t0);
  video.play().catch(() => {});
  let played = null;
  for (const deadline = performance.now() + 3000; performance.now() < deadline;) {
    if (video.currentTime >= T + 0.04) { played = Math.round(performance.now() - t0); break; }
    await new Promise((r) => setTimeout(r, 5));
  }
  const ranges = (sb) => Array.from({ length: sb.buffered.length }, (_, k) => [+(sb.buffered.start(k) - T).toFixed(3), +(sb.buffered.end(k) - T).toFixed(3)]);
  return {
    V, A, early, played: played !== null, seeked_after_last_ms: ev.seeked === undefined ? null : ev.seeked - appended,
    played_after_last_ms: played === null ? null : played - appended,
    video_buffered_past_target: ranges(sv), audio_buffered_past_target: ranges(sa),
  };
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
  const trial = (t) => tab.evaluate((t) => window.trial(t), { into, ...t });
  const grids = {
    video: [0.001, 0.034, 0.067, 0.1].map((V) => ({ V, A: 1 })),
    audio: [0.05, 0.1, 0.15, 0.19, 0.21, 0.23, 0.26, 0.3].map((A) => ({ V: 1, A })),
    early: Array.from({ length: 2 * runs }, (_, k) => ({ V: 0.1, A: 0.3, early: [k % 2 === 1, 1500] })),
  };
  for (const [grid, trials] of Object.entries(grids)) {
    for (const t of trials) console.log(JSON.stringify({ engine, grid, ...(await trial(t)) }));
  }
} finally {
  await browser.close();
  server.close();
}
