// Opens a Riptide page in Debian's headless Chromium and reports, as one JSON line on stdout,
// what a viewer would see: when the first frame played, how many film bytes the browser had
// received by then, how far playback got, and any error shown.
//
// usage: node tests/e2e/play.mjs URL [--play-seconds 3] [--timeout-ms 60000] [--click SELECTOR]
// With --click, the page is opened and the element is clicked (as a viewer would) once visible.
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
      try { bytes = r.player ? Number(r.player.status().bytes_fetched) : null; } catch (_) {}
      window.__firstFrame = { ms: performance.now(), playerBytes: bytes };
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
  while (Date.now() < deadline) {
    last = await page.evaluate(() => {
      const v = document.querySelector('video');
      const s = document.querySelector('#status');
      return {
        currentTime: v ? v.currentTime : null,
        videoError: v && v.error ? `${v.error.code} ${v.error.message}` : null,
        status: s ? s.textContent : null,
        statusIsError: !!(s && s.classList.contains('error')),
        firstFrame: window.__firstFrame || null,
      };
    });
    if (last.firstFrame && fileBytesAtFirstFrame === null) fileBytesAtFirstFrame = fileBytes;
    if (last.videoError || last.statusIsError) break; // the page gave up: report it now
    if (last.currentTime !== null && last.currentTime >= playSeconds
        && last.firstFrame && last.firstFrame.torrent) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  Object.assign(result, last, { fileBytesSeen: fileBytes, fileBytesAtFirstFrame });
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
