// Seek benchmark, page level, one run: in Debian's headless Chromium, a film starts playing
// from a magnet, then the viewer jumps (`video.currentTime = X`) to positions the server has
// not downloaded yet; for each jump: the time until the video plays again with currentTime
// advancing, and the film bytes the browser fetched for it. Prints one JSON line.
//
// usage: node benches/browser/seek.mjs BASE_URL MAGNET riptide|reference|nginx
//          [--points 0.75:key,0.4:mid] [--gop 2] [--src URL] [--timeout-ms 60000]
//   riptide:   the Riptide page (BASE_URL/?magnet=...): wasm remux → MSE.
//   reference: on the same page, POST the magnet, then a plain <video src> on the raw Range
//              endpoint (what WebTorrent-style players do; only where the browser plays the
//              file itself: MP4).
//   nginx:     a plain <video src=URL> (--src) on a bare page (/seek.html) of the same server:
//              the same film from a plain HTTP file server (no torrent; MAGNET is ignored).
//   --points:  where to jump, each FRACTION:key|mid. key: the key frame at or before
//              FRACTION × duration (a multiple of --gop seconds, the fixtures' fixed GOP);
//              mid: that key frame + half a GOP (the player must fetch and the browser decode
//              from the key frame before it). A bare FRACTION jumps to FRACTION × duration.
// Per seek:
//   ms_playing   from the assignment to the first moment the video is not seeking, not paused,
//                has data (readyState >= 3) and currentTime has moved past the position it
//                landed on (one frame: 0.04 s) — what a viewer sees as "playing again";
//   ms_event     from the assignment to the video's 'playing' event (null if none fired);
//   bytes        film bytes received by the browser (CDP Network.dataReceived on the film's
//                URL) from the assignment to ms_playing; player_bytes: the player's own count
//                (riptide);
//   torrent_bytes  bytes the server downloaded meanwhile (its readahead, not the browser's);
//   played_next_second, waits_next_second  how far currentTime moved in the second after
//                ms_playing, and the 'waiting' events in it (whether it goes on playing);
//   trace        with --trace only: the seek's timeline (page clock, ms from the assignment):
//                the video's events, each range request (sent / headers / first bytes / end),
//                each SourceBuffer append (start / updateend), the player's own steps (seek
//                taken, pipeline moved, bytes asked for); `origin` (epoch ms of the
//                assignment) lines it up with the server's debug timeline.
//   target_had   whether the server already had the pieces at the target's estimated byte
//                position (time / duration × file length) when the seek was made — a seek
//                "past what is downloaded" has false here.
import { chromium } from 'playwright-core';
import { confirmAdds } from '../../tests/e2e/owner.mjs';

const [base, magnet, mode] = process.argv.slice(2);
const opt = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : d; };
const timeoutMs = Number(opt('--timeout-ms', 60000));
const gop = Number(opt('--gop', 2));
const points = opt('--points', opt('--fractions', '0.75,0.4')).split(',').map((p) => {
  const [f, at] = p.split(':');
  return { fraction: Number(f), at: at || 'exact' };
});
const src = opt('--src', null);
const tracing = process.argv.includes('--trace');
if (!base || !magnet || !['riptide', 'reference', 'nginx'].includes(mode) || (mode === 'nginx' && !src)
    || points.some((p) => !(p.fraction >= 0 && p.fraction < 1) || !['key', 'mid', 'exact'].includes(p.at))) {
  console.error('usage: node benches/browser/seek.mjs BASE_URL MAGNET riptide|reference|nginx [--points F:key,F:mid] [--src URL]');
  process.exit(2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required',
    '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
});
const result = { mode, seeks: [], error: null, startMs: null };
try {
  const page = await browser.newPage();
  if (tracing) await page.addInitScript(traceScript);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const fileRequests = new Set();
  let bytes = 0;
  cdp.on('Network.requestWillBeSent', (e) => {
    if (/\/api\/torrents\/[^/]+\/files\//.test(e.request.url) || (src && e.request.url.startsWith(src))) {
      fileRequests.add(e.requestId);
    }
  });
  cdp.on('Network.dataReceived', (e) => {
    if (fileRequests.has(e.requestId)) bytes += e.dataLength;
  });

  // Called by the page the moment a seek is done: the film bytes received up to then.
  let bytesAtDone = null;
  await page.exposeBinding('__seekDone', () => { bytesAtDone = bytes; });

  const t0 = Date.now();
  if (mode === 'riptide') {
    await page.goto(`${base}/?magnet=${encodeURIComponent(magnet)}&file=0`);
    // The owner confirms the torrent the server does not have yet (one click).
    confirmAdds(page);
  } else if (mode === 'nginx') {
    // A bare page of the file server's own origin (the Riptide page's CSP keeps media to its
    // own origin).
    await page.goto(new URL('/seek.html', src).href);
    await page.evaluate((u) => {
      const v = document.querySelector('video');
      v.addEventListener('error', () => { window.__refError = `video error ${v.error && v.error.code} ${v.error && v.error.message}`; });
      v.src = u;
      v.play().catch(() => {});
    }, src);
  } else {
    await page.goto(`${base}/`);
    await page.evaluate(async (m) => {
      const r = await fetch('/api/torrents', {
        // The owner's consent secret of the page (this harness acts as the owner).
        method: 'POST',
        headers: { 'Content-Type': 'application/json',
          'X-Riptide-Consent': document.querySelector('meta[name="riptide-consent"]').content },
        body: JSON.stringify({ magnet: m }),
      });
      if (!r.ok) throw new Error(`POST /api/torrents: ${r.status} ${await r.text()}`);
      const t = await r.json();
      const v = document.querySelector('video');
      v.addEventListener('error', () => { window.__refError = `video error ${v.error && v.error.code} ${v.error && v.error.message}`; });
      window.riptide.torrentId = t.id;
      window.riptide.file = t.files[0];
      v.src = `/api/torrents/${encodeURIComponent(t.id)}/files/0`;
      v.play().catch(() => {});
    }, magnet);
  }
  // State of the page, for the loops below.
  const state = () => page.evaluate((m) => {
    const v = document.querySelector('video');
    const s = document.querySelector('#status');
    const err = m === 'riptide' ? (s && s.classList.contains('error') ? s.textContent : null) : (window.__refError || null);
    return { t: v.currentTime, d: v.duration, paused: v.paused, error: err };
  }, mode);
  const failed = (s) => s.error || pageErrors[0] || null;

  // Playing from the start first (as a viewer would before jumping).
  let s = await state();
  const deadline = Date.now() + timeoutMs;
  while (!(s.t >= Math.min(1, s.d / 10)) && !failed(s) && Date.now() < deadline) {
    await sleep(50);
    s = await state();
  }
  if (failed(s)) throw new Error(failed(s));
  if (!(s.t > 0)) throw new Error(`no playback within ${timeoutMs} ms`);
  result.startMs = Date.now() - t0;
  result.duration = s.d;

  for (const { fraction: f, at } of points) {
    const key = Math.floor((f * s.d) / gop) * gop;
    const target = at === 'key' ? key : at === 'mid' ? key + gop / 2 : f * s.d;
    // Did the server already have the target's pieces?
    const had = await page.evaluate(async (frac) => {
      const r = window.riptide;
      if (!r || !r.torrentId) return { had: false, downloaded: 0 };
      const p = await fetch(`/api/torrents/${r.torrentId}/pieces`).then((x) => x.json());
      const bits = Uint8Array.from(atob(p.have), (c) => c.charCodeAt(0));
      const at = r.file.offset + Math.floor(frac * r.file.length);
      const k = Math.floor(at / p.piece_length);
      const has = (i) => i >= 0 && i < p.total_pieces && (bits[i >> 3] & (0x80 >> (i & 7))) !== 0;
      const torrent = await fetch(`/api/torrents/${r.torrentId}`).then((x) => x.json());
      return { had: has(k) && has(k + 1), downloaded: torrent.stats.downloaded_bytes };
    }, target / s.d);
    const bytes0 = bytes;
    bytesAtDone = null;
    // The seek and its clock run inside the page (no round trip to this script in the figure).
    await page.evaluate((t) => {
      const v = document.querySelector('video');
      const p = window.riptide && window.riptide.player;
      let pb = null;
      try { pb = p ? Number(p.status().bytes_fetched) : null; } catch (_) { /* no player */ }
      const m = (window.__seekRun = { t0: performance.now(), target: t, event: null, landed: null, done: null, pb0: pb, pb1: null, next: null, waits: 0 });
      v.addEventListener('playing', () => { if (m.event === null) m.event = performance.now() - m.t0; }, { once: true });
      // Whether it goes on playing: 'waiting' events in the second after "playing".
      v.addEventListener('waiting', () => {
        if (m.done !== null && m.next === null) m.waits++;
      });
      v.currentTime = t;
      const tick = () => {
        if (m.done !== null) return;
        if (!v.seeking && m.landed === null) m.landed = v.currentTime;
        if (m.landed !== null && !v.seeking && !v.paused && v.readyState >= 3 && v.currentTime >= m.landed + 0.04) {
          m.done = performance.now() - m.t0;
          const from = v.currentTime;
          setTimeout(() => { m.next = v.currentTime - from; }, 1000);
          window.__seekDone();
          try { m.pb1 = p ? Number(p.status().bytes_fetched) : null; } catch (_) { /* no player */ }
          return;
        }
        setTimeout(tick, 5);
      };
      tick();
    }, target);
    let run = null;
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      run = await page.evaluate(() => window.__seekRun);
      if (run.done !== null) break;
      const st = await state();
      if (failed(st)) throw new Error(failed(st));
      await sleep(20);
    }
    await sleep(50); // the binding's message
    const fetched = (bytesAtDone ?? bytes) - bytes0;
    const after = await page.evaluate(async () => {
      const r = window.riptide;
      if (!r || !r.torrentId) return { downloaded: 0, currentTime: document.querySelector('video').currentTime };
      const torrent = await fetch(`/api/torrents/${r.torrentId}`).then((x) => x.json());
      return { downloaded: torrent.stats.downloaded_bytes, currentTime: document.querySelector('video').currentTime };
    });
    const trace = tracing ? await page.evaluate(() => {
      const m = window.__seekRun;
      const ev = window.__riptideTrace.filter((e) => e.t >= m.t0 - 5 && e.t <= m.t0 + m.done + 300)
        .map((e) => ({ ...e, t: Math.round((e.t - m.t0) * 10) / 10 }));
      return { origin: performance.timeOrigin + m.t0, events: ev };
    }) : undefined;
    let next = { played: null, waits: null };
    if (run.done !== null) {
      await sleep(1000); // play a little before the next jump
      next = await page.evaluate(async () => {
        const m = window.__seekRun;
        while (m.next === null) await new Promise((r) => setTimeout(r, 20));
        return { played: +m.next.toFixed(3), waits: m.waits };
      });
    }
    result.seeks.push({
      trace,
      played_next_second: next.played, waits_next_second: next.waits,
      fraction: f, at, target, landed: run.landed, target_had: had.had,
      ms_playing: run.done, ms_event: run.event,
      bytes: run.done !== null ? fetched : null,
      player_bytes: run.pb0 !== null && run.pb1 !== null ? run.pb1 - run.pb0 : null,
      torrent_bytes: after.downloaded - had.downloaded,
    });
    if (run.done === null) throw new Error(`no playback within ${timeoutMs} ms of the seek to ${target.toFixed(1)} s`);
  }
} catch (e) {
  result.error = String(e && e.message || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));

// --trace: records in the page, on `window.__riptideTrace` (the player adds its own steps
// there when the array exists), what the seek timeline is made of.
function traceScript() {
  const log = (window.__riptideTrace = []);
  const T = (what, extra) => log.push({ t: performance.now(), what, ...extra });
  const origFetch = window.fetch.bind(window);
  let n = 0;
  window.fetch = async (url, init) => {
    const u = String(url);
    if (!/\/files\//.test(u)) return origFetch(url, init);
    const id = ++n;
    const h = init && init.headers;
    const range = h && (h.get ? h.get('Range') : h.Range);
    T('fetch sent', { id, range });
    const resp = await origFetch(url, init);
    T('fetch headers', { id });
    if (!resp.body) return resp;
    let first = true; let bytes = 0;
    const body = resp.body.pipeThrough(new TransformStream({
      transform(chunk, ctl) {
        if (first) { first = false; T('fetch first bytes', { id }); }
        bytes += chunk.byteLength;
        ctl.enqueue(chunk);
      },
      flush() { T('fetch end', { id, bytes }); },
    }));
    return new Response(body, { status: resp.status, statusText: resp.statusText, headers: resp.headers });
  };
  const origAppend = SourceBuffer.prototype.appendBuffer;
  SourceBuffer.prototype.appendBuffer = function (data) {
    const bytes = data.byteLength;
    T('append start', { bytes });
    this.addEventListener('updateend', () => {
      const b = this.buffered;
      const ranges = [];
      for (let i = 0; i < b.length; i++) ranges.push([+b.start(i).toFixed(2), +b.end(i).toFixed(2)]);
      T('append end', { bytes, ranges });
    }, { once: true });
    return origAppend.call(this, data);
  };
  document.addEventListener('DOMContentLoaded', () => {
    const v = document.querySelector('video');
    for (const e of ['seeking', 'seeked', 'playing', 'waiting', 'canplay', 'timeupdate']) {
      v.addEventListener(e, () => T(`video ${e}`, { currentTime: +v.currentTime.toFixed(3), readyState: v.readyState }));
    }
  });
}
