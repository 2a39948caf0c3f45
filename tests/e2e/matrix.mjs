// Plays a batch of files through the real wasm Player in one headless Chromium, a few pages
// at a time, and prints one JSON array on stdout: per file, how far playback got, whether an
// error fired, when the first video frame was shown, and how many audio and video bytes
// went through the decoders.
//
// usage: node tests/e2e/matrix.mjs JOBS.json
// JOBS.json: { "base": "http://127.0.0.1:PORT", "parallel": 3, "playSeconds": 2.2,
//              "timeoutMs": 30000, "jobs": [{ "name", "url", "size" }] }
// The server at `base` serves /blank.html, /pkg/ (the wasm package) and the job URLs with
// Range support (crates/remux-wasm/tests/matrix.rs runs one in-process).
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required',
    '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
});

async function play(job) {
  const result = { name: job.name, errors: [] };
  const page = await browser.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  try {
    await page.goto(`${spec.base}/blank.html`);
    const r = await page.evaluate(async ({ job, playSeconds, timeoutMs }) => {
      const { default: init, Player } = await import('/pkg/remux_wasm.js');
      await init();
      const video = document.createElement('video');
      video.muted = false;
      // Not autoplay: the first frame is shown paused (so its media time is exact even on a
      // loaded machine that drops frames), then playback starts.
      video.autoplay = false;
      document.body.appendChild(video);
      const out = { errorEvent: null, playerError: null, firstFrame: null, mime: null };
      video.addEventListener('error', () => {
        out.errorEvent = video.error ? `${video.error.code} ${video.error.message}` : 'error';
      });
      // The media time of the first frame shown (requestVideoFrameCallback: exact per frame).
      if (video.requestVideoFrameCallback) {
        video.requestVideoFrameCallback((_now, meta) => { out.firstFrame = meta.mediaTime; });
      }
      const player = new Player(video, job.url, job.size, 0);
      player.start().catch((e) => { out.playerError = String(e && e.message || e); });
      const t0 = performance.now();
      let haveData = null;
      let playCalled = false;
      while (performance.now() - t0 < timeoutMs) {
        if (video.readyState >= 2 && haveData === null) haveData = performance.now();
        if (haveData !== null && (out.firstFrame !== null || performance.now() - haveData > 2000)) {
          if (!playCalled || video.paused) video.play().catch(() => {});
          playCalled = true;
        }
        if (out.errorEvent || out.playerError) break;
        if (video.currentTime > playSeconds) break;
        if (video.ended) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const s = player.status();
      out.mime = s.mime;
      out.notices = Array.from(s.notices || []);
      out.currentTime = video.currentTime;
      out.ended = video.ended;
      // Chromium's counters of bytes through the decoders (0 when a track never decoded).
      out.audioDecoded = video.webkitAudioDecodedByteCount ?? null;
      out.videoDecoded = video.webkitVideoDecodedByteCount ?? null;
      player.destroy();
      return out;
    }, { job, playSeconds: spec.playSeconds, timeoutMs: spec.timeoutMs });
    Object.assign(result, r);
  } catch (e) {
    result.errors.push(String(e && e.stack || e));
  } finally {
    await page.close();
  }
  return result;
}

const queue = [...spec.jobs];
const results = [];
const workers = Array.from({ length: Math.max(1, spec.parallel || 1) }, async () => {
  while (queue.length) results.push(await play(queue.shift()));
});
try {
  await Promise.all(workers);
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
