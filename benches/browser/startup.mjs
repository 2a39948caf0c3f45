// Startup benchmark, one run: time from submitting a magnet to the first frame, and the film
// bytes the browser received before it, in Debian's headless Chromium. Prints one JSON line.
//
// usage: node benches/browser/startup.mjs BASE_URL MAGNET riptide|reference [--timeout-ms N]
//   riptide:   the Riptide page at BASE_URL/ — the magnet is typed into the form and submitted
//              (the clock starts at the click), the page fetches metadata, loads the wasm
//              player and plays through MSE.
//   reference: what WebTorrent-style players and rqbit's own UI do: on the same page, POST the
//              magnet to /api/torrents (the clock starts there), then point a plain
//              <video src> at the raw Range endpoint /api/torrents/ID/files/0. Only where
//              the browser can play the file itself (MP4 here).
// "First frame" is the video element's first 'playing' event. Film bytes are the bodies of
// every response from the /files/ endpoint, counted from Chromium's network events (CDP
// Network.dataReceived), up to that moment.
import { launchChromium } from '../../tests/e2e/chromium.mjs';

const [base, magnet, mode] = process.argv.slice(2);
const ti = process.argv.indexOf('--timeout-ms');
const timeoutMs = ti > 0 ? Number(process.argv[ti + 1]) : 60000;
if (!base || !magnet || !['riptide', 'reference'].includes(mode)) {
  console.error('usage: node benches/browser/startup.mjs BASE_URL MAGNET riptide|reference');
  process.exit(2);
}

const browser = await launchChromium();
const result = { mode, ms: null, bytes: null, playerBytes: null, error: null };
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  // Film bytes received, from the network events of /files/ requests.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const fileRequests = new Set();
  let bytes = 0;
  cdp.on('Network.requestWillBeSent', (e) => {
    if (/\/api\/torrents\/[^/]+\/files\//.test(e.request.url)) fileRequests.add(e.requestId);
  });
  cdp.on('Network.dataReceived', (e) => {
    if (fileRequests.has(e.requestId)) bytes += e.dataLength;
  });

  let t0 = null;
  let first = null;
  await page.exposeBinding('__firstFrame', (_src, playerBytes) => {
    if (!first) first = { at: Date.now(), bytes, playerBytes };
  });
  await page.goto(`${base}/`);
  await page.waitForLoadState('load');

  if (mode === 'riptide') {
    await page.evaluate(() => {
      document.querySelector('video').addEventListener('playing', () => {
        const p = window.riptide && window.riptide.player;
        let b = null;
        try { b = p ? Number(p.bytes_fetched) : null; } catch (_) { /* destroyed */ }
        window.__firstFrame(b);
      }, { once: true });
    });
    await page.fill('#magnet', magnet);
    t0 = Date.now();
    await page.click('#play');
  } else {
    t0 = Date.now();
    page.evaluate(async (m) => {
      const r = await fetch('/api/torrents', {
        // The owner's consent secret of the page (this harness acts as the owner).
        method: 'POST',
        headers: { 'Content-Type': 'application/json',
          'X-Riptide-Consent': document.querySelector('meta[name="riptide-consent"]').content },
        body: JSON.stringify({ magnet: m }),
      });
      if (!r.ok) throw new Error(`POST /api/torrents: ${r.status} ${await r.text()}`);
      const t = await r.json();
      const v = document.createElement('video');
      v.muted = true; v.autoplay = true; v.id = 'reference-video';
      v.addEventListener('playing', () => window.__firstFrame(null), { once: true });
      v.addEventListener('error', () => { window.__refError = `video error ${v.error && v.error.code} ${v.error && v.error.message}`; });
      v.src = `/api/torrents/${encodeURIComponent(t.id)}/files/0`;
      document.body.append(v);
      v.play().catch(() => {});
    }, magnet).catch((e) => pageErrors.push(String(e)));
  }

  const deadline = Date.now() + timeoutMs;
  while (!first && Date.now() < deadline) {
    const state = await page.evaluate(() => {
      const s = document.querySelector('#status');
      return {
        pageError: s && s.classList.contains('error') ? s.textContent : null,
        refError: window.__refError || null,
      };
    });
    const err = (mode === 'riptide' ? state.pageError : state.refError) || pageErrors[0];
    if (err) { result.error = err; break; }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (first) {
    result.ms = first.at - t0;
    result.bytes = first.bytes;
    result.playerBytes = first.playerBytes;
  } else if (!result.error) {
    result.error = `no frame within ${timeoutMs} ms`;
  }
} catch (e) {
  result.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
