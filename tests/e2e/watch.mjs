// Watches a Riptide page in headless Chromium or Firefox (tests/e2e/browser.mjs) the way a viewer would — play, jump,
// wait through a stall, play fast — and prints one JSON line with what happened: a trace of
// samples (wall clock, currentTime, player state, seconds buffered ahead, buffered ranges,
// JS heap from CDP Performance.getMetrics in Chromium — null in Firefox, which has no CDP —
// and wasm memory), the seek-to-play time, the byte
// ranges the page requested after the seek and the server's piece map at that moment.
//
// usage: node tests/e2e/watch.mjs URL [--duration-ms 30000] [--trace-ms 250] [--rate R]
//          [--seek-to FRACTION] [--after-seek-s 3] [--timeout-ms 90000]
//          [--browser chromium|firefox]
// --rate: playbackRate once the video plays. --seek-to: once playback has advanced 1 s, jump
// to FRACTION of the duration; the run then ends --after-seek-s seconds after the video plays
// again (or at --duration-ms). Without --seek-to the run lasts --duration-ms from the first
// frame.
import { writeFileSync } from 'node:fs';
import { engineFromArgs, launch } from './browser.mjs';
import { confirmAdds } from './owner.mjs';

const args = process.argv.slice(2);
const url = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const durationMs = opt('--duration-ms', 30000);
const traceMs = opt('--trace-ms', 250);
const rate = opt('--rate', 1);
const seekTo = opt('--seek-to', null);
const afterSeekS = opt('--after-seek-s', 3);
const timeoutMs = opt('--timeout-ms', 90000);
// --signal-file PATH: written when the first frame has played (a test can act on it).
const sigIdx = args.indexOf('--signal-file');
const signalFile = sigIdx >= 0 ? args[sigIdx + 1] : null;
if (!url) {
  console.error('usage: node tests/e2e/watch.mjs URL [--duration-ms N] [--rate R] [--seek-to F]');
  process.exit(2);
}

const browser = await launch(engineFromArgs(args));
const result = { url, errors: [], console: [], trace: [], requests: [], seek: null };
const started = Date.now();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.console.push(m.text()); });
  page.on('request', (req) => {
    if (!/\/api\/torrents\/[^/]+\/files\//.test(req.url())) return;
    result.requests.push({ wall: Date.now(), range: req.headers().range || null });
  });
  const cdp = browser.engine === 'chromium' ? await page.raw.context().newCDPSession(page.raw) : null;
  if (cdp) await cdp.send('Performance.enable');
  const heap = async () => {
    if (!cdp) return null;
    const m = await cdp.send('Performance.getMetrics').catch(() => null);
    const v = m && m.metrics.find((x) => x.name === 'JSHeapUsedSize');
    return v ? v.value : null;
  };

  await page.goto(url);
  // The owner confirms a torrent the server does not have yet (as a person would, one click).
  confirmAdds(page);
  const deadline = started + timeoutMs;
  let firstFrameWall = null;
  let seekPlayingWall = null;
  let navigations = 0;
  page.on('framenavigated', (f) => { if (f === page.raw.mainFrame()) navigations++; });
  while (Date.now() < deadline) {
    const s = await page.evaluate(() => {
      const r = window.riptide;
      if (!r || !r.sample) return null;
      const x = r.sample();
      x.statusText = document.querySelector('#status').textContent;
      x.statusIsError = document.querySelector('#status').classList.contains('error');
      x.duration = document.querySelector('video').duration;
      x.seeks = r.seeks;
      return x;
    });
    if (!s) { await new Promise((r) => setTimeout(r, traceMs)); continue; }
    s.cdpHeap = await heap();
    result.trace.push(s);
    if (s.statusIsError) { result.error = s.statusText; break; }
    if (firstFrameWall === null && s.currentTime > 0.2 && !s.paused) {
      firstFrameWall = Date.now();
      if (signalFile) writeFileSync(signalFile, String(firstFrameWall));
      if (rate !== 1) await page.evaluate((r) => { document.querySelector('video').playbackRate = r; }, rate);
    }
    if (seekTo !== null && firstFrameWall !== null && !result.seek && s.currentTime >= 1) {
      const target = seekTo * s.duration;
      result.seek = { target, askedWall: Date.now(), playingWall: null, ms: null };
      await page.evaluate((t) => { document.querySelector('video').currentTime = t; }, target);
    }
    if (result.seek && result.seek.playingWall === null && s.wall > result.seek.askedWall
        && !s.paused && s.readyState >= 3 && s.currentTime >= result.seek.target + 0.25
        && s.currentTime < result.seek.target + 30 && s.state === 'playing') {
      result.seek.playingWall = s.wall;
      result.seek.ms = s.wall - result.seek.askedWall;
      result.seek.currentTime = s.currentTime;
      result.seek.pageSeeks = s.seeks;
      result.seek.pieces = await page.evaluate(async () => {
        const r = window.riptide;
        const p = await fetch(`/api/torrents/${r.torrentId}/pieces`).then((x) => x.json());
        return { ...p, file_offset: r.file.offset, file_length: r.file.length };
      });
      seekPlayingWall = Date.now();
    }
    if (seekTo !== null && seekPlayingWall !== null && Date.now() - seekPlayingWall >= afterSeekS * 1000) break;
    if (seekTo === null && firstFrameWall !== null && Date.now() - firstFrameWall >= durationMs) break;
    await new Promise((r) => setTimeout(r, traceMs));
  }
  result.firstFrameWall = firstFrameWall;
  result.navigations = navigations;
  result.final = result.trace[result.trace.length - 1] || null;
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
result.started = started;
console.log(JSON.stringify(result));
