// Opens a Riptide page in Debian's headless Chromium and reports, as one JSON line on stdout,
// what a viewer would see: when the first frame played, how many film bytes the browser had
// received by then, how far playback got, and any error shown.
//
// usage: node tests/e2e/play.mjs URL [--play-seconds 3] [--timeout-ms 60000] [--click SELECTOR]
//        [--switch-audio-at SECONDS]
// With --click, the page is opened and the element is clicked (as a viewer would) once visible.
// With --switch-audio-at, once playback passes SECONDS the audio menu is set to the next
// playable audio track (as a viewer would), and playback must then reach --play-seconds.
// The report always holds `tracks`: the page's notices, audio tracks and text tracks (with
// their cues), and `playerStatus` (the player's own status).
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const url = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const playSeconds = opt('--play-seconds', 3);
const timeoutMs = opt('--timeout-ms', 60000);
const clickIdx = args.indexOf('--click');
const clickSelector = clickIdx >= 0 ? args[clickIdx + 1] : null;
const switchAudioAt = opt('--switch-audio-at', null);
if (!url) {
  console.error('usage: node tests/e2e/play.mjs URL [--play-seconds N] [--timeout-ms N]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required',
    '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
});
const result = { url, errors: [], console: [] };
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.console.push(m.text()); });

  // Film bytes the server sent, counted from the responses of the file endpoint.
  let fileBytes = 0;
  let fileBytesAtFirstFrame = null;
  page.on('requestfinished', async (req) => {
    if (!/\/api\/torrents\/[^/]+\/files\//.test(req.url())) return;
    const sizes = await req.sizes().catch(() => null);
    if (sizes) fileBytes += sizes.responseBodySize;
  });

  // Record the moment of the first 'playing' event (media events do not bubble, but a capturing
  // listener on the document sees them), with the player's own byte count and torrent stats.
  await page.addInitScript(() => {
    document.addEventListener('playing', () => {
      if (window.__firstFrame) return;
      const r = window.riptide || {};
      let bytes = null;
      let received = null;
      try {
        const st = r.player ? r.player.status() : null;
        // bytes_fetched: whole responses in the player's cache; received: every body byte that
        // arrived, requests still in flight included.
        if (st) { bytes = Number(st.bytes_fetched); received = Number(st.received); }
      } catch (_) {}
      window.__firstFrame = { ms: performance.now(), playerBytes: bytes, playerReceived: received };
      if (r.torrentId) {
        fetch(`/api/torrents/${r.torrentId}`).then((x) => x.json())
          .then((j) => { window.__firstFrame.torrent = j; }).catch(() => {});
      }
    }, true);
  });

  await page.goto(url);
  if (clickSelector) await page.click(clickSelector, { timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  let last = null;
  let switched = null;
  while (Date.now() < deadline) {
    last = await page.evaluate(() => {
      const v = document.querySelector('video');
      const s = document.querySelector('#status');
      const r = window.riptide || {};
      const st = r.status || null;
      return {
        currentTime: v ? v.currentTime : null,
        videoError: v && v.error ? `${v.error.code} ${v.error.message}` : null,
        status: s ? s.textContent : null,
        statusIsError: !!(s && s.classList.contains('error')),
        firstFrame: window.__firstFrame || null,
        playerStatus: st ? JSON.parse(JSON.stringify(st)) : null,
        tracks: {
          notices: r.notices || [],
          noticeText: (document.querySelector('#notice') || {}).textContent || '',
          audio: r.audioTracks || [],
          text: (r.textTracks || []).map((t) => ({
            id: t.id, label: t.label, language: t.language, mode: t.track.mode,
            cues: t.track.cues ? Array.from(t.track.cues).map((c) => ({
              start: c.startTime, end: c.endTime, text: c.text,
            })) : null,
          })),
        },
      };
    });
    if (last.firstFrame && fileBytesAtFirstFrame === null) fileBytesAtFirstFrame = fileBytes;
    if (last.videoError || last.statusIsError) break; // the page gave up: report it now
    if (switchAudioAt !== null && !switched && last.currentTime >= switchAudioAt) {
      const from = last.tracks.audio.find((t) => t.selected);
      const to = last.tracks.audio.find((t) => t.playable && !t.selected);
      if (to) {
        await page.selectOption('#audio-track', String(to.id));
        switched = { at: last.currentTime, from: from ? from.id : null, to: to.id };
      }
    }
    const switchDone = switchAudioAt === null || switched;
    if (last.currentTime !== null && last.currentTime >= playSeconds && switchDone
        && last.firstFrame && last.firstFrame.torrent) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Let the byte counter see the responses still in flight.
  await new Promise((r) => setTimeout(r, 300));
  Object.assign(result, last, { fileBytesSeen: fileBytes, fileBytesAtFirstFrame, switched });
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
