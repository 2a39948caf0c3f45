// Tab memory during playback: opens the Riptide page on a magnet, waits for the first frame,
// plays the whole film at --rate (default 2x) and samples, every 500 ms:
// - the JS heap (performance.memory, precise);
// - the private memory of the tab's renderer process(es): Private_Clean + Private_Dirty + Swap
//   from /proc/PID/smaps_rollup of every descendant of the browser with --type=renderer. This
//   includes wasm memory, the media pipeline and the SourceBuffers, not shared libraries;
// - the player's wasm linear memory (riptide.sample()), the seconds held in the SourceBuffers
//   (sum of video.buffered) and buffered ahead of the playhead, and the playhead;
// - CDP Performance.getMetrics JSHeapUsedSize (the same heap, as DevTools reports it).
// It also counts the video's `waiting` events after the first frame (`stalls`: the playhead
// waited for data) and how long they lasted (`stalledMs`, until the next `playing`); for each,
// `stallDetail`: where, the seconds buffered past the playhead then (`ahead`), readyState, ms.
// Ends at the end of the film, after --max-seconds, or when the playhead stops moving for 5 s
// (`stuckAt`: where, and how much was buffered ahead). Prints one JSON line.
//
// usage: node benches/browser/playback.mjs BASE_URL MAGNET [--rate 2] [--max-seconds 120]
//          [--reference | --hls DIR] [--query PAGE_PARAMS]
// --reference: instead of the Riptide player, the same page POSTs the magnet and plays the raw
//   Range endpoint in its <video src> (the browser's own demuxer, no MSE; MP4 only) — what the
//   tab holds for the same film without remuxing.
// --serve FILM: no piece-server and no torrent: this process serves FILM (with Range) and
//   www/pkg over loopback HTTP, and a bare page plays it with the engine's Player (1 MiB
//   pieces; --query tuning applies), or with --reference in a <video src>. BASE_URL and MAGNET
//   are not used. With --hls too, all three players get their bytes from the same server.
// --hls DIR: hls.js (npm, default config) plays DIR/index.m3u8 (fMP4 HLS that ffmpeg made of
//   the same film), served with hls.js by a plain HTTP server in this process; MAGNET and
//   BASE_URL are not used. hls.js is node_modules/hls.js, or $RIPTIDE_HLSJS (its hls.min.js).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS } from '../../tests/e2e/chromium.mjs';
import { rendererPrivate } from '../../tests/e2e/renderer-memory.mjs';

const [base, magnet] = process.argv.slice(2);
const opt = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? Number(process.argv[i + 1]) : d; };
const rate = opt('--rate', 2);
const maxSeconds = opt('--max-seconds', 120);
const reference = process.argv.includes('--reference');
const strOpt = (n) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : null; };
const hlsDir = strOpt('--hls');
// --query 'budget=20000000&low=4': the page's buffer tuning parameters (www/app.js), experiments.
const query = strOpt('--query');
const serveFilm = strOpt('--serve');
if (!base || !magnet) {
  console.error('usage: node benches/browser/playback.mjs BASE_URL MAGNET [--rate R] [--max-seconds N]');
  process.exit(2);
}

// The hls.js page and the HLS files, over loopback HTTP (as a web server would send them).
async function serveHls(dir) {
  const hlsjs = process.env.RIPTIDE_HLSJS || 'node_modules/hls.js/dist/hls.min.js';
  if (!fs.existsSync(hlsjs)) throw new Error(`${hlsjs} is missing: run npm ci (hls.js is a dev dependency)`);
  const page = '<!doctype html><meta charset="utf-8"><title>hls.js</title><video muted></video>'
    + '<script src="/hls.min.js"></script><script>'
    + 'window.go = () => { const v = document.querySelector("video"); const h = new Hls(); window.hls = h;'
    + 'h.on(Hls.Events.ERROR, (e, d) => { if (d.fatal) window.hlsError = d.details; });'
    + 'h.loadSource("/index.m3u8"); h.attachMedia(v); v.play().catch(() => {}); };</script>';
  const types = { '.m3u8': 'application/vnd.apple.mpegurl', '.m4s': 'video/iso.segment', '.mp4': 'video/mp4' };
  const srv = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (name === '/') { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end(page); return; }
    const file = name === '/hls.min.js' ? hlsjs : path.join(dir, path.basename(name));
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'text/javascript' });
      res.end(data);
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}
const hlsServer = hlsDir ? await serveHls(hlsDir) : null;

// FILM with Range (as piece-server's file endpoint answers), www/pkg, and a bare page playing
// FILM with the engine's Player (or, with --reference, in a <video src>).
async function serveFilmDirect(film) {
  const size = fs.statSync(film).size;
  const q = new URLSearchParams(query || '');
  const tune = [['low', 'set_low_watermark'], ['high', 'set_high_watermark'], ['back', 'set_back_buffer'],
    ['budget', 'set_media_budget_bytes']].filter(([k]) => q.has(k)).map(([k, f]) => `p.${f}(${Number(q.get(k))});`).join('');
  const page = reference
    ? '<!doctype html><meta charset="utf-8"><video muted></video><script>window.go = () => {'
      + 'const v = document.querySelector("video"); v.src = "/film"; v.play().catch(() => {}); };</script>'
    : '<!doctype html><meta charset="utf-8"><video muted autoplay></video><script type="module">'
      + 'import init, { Player } from "/pkg/remux_wasm.js"; await init(); window.go = () => {'
      + `const v = document.querySelector("video"); const p = new Player(v, "/film", ${size}, ${1 << 20});`
      + tune
      + 'window.riptide = { player: p, sample() { const s = p.status();'
      + ' return { wasmMemory: s.wasm_memory, removedSecs: s.removed_secs, cacheBytes: s.cache_bytes }; } };'
      + 'p.start().catch((e) => { window.hlsError = String(e && e.message || e); }); v.play().catch(() => {}); };</script>';
  const srv = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (name === '/') { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end(page); return; }
    if (name.startsWith('/pkg/')) {
      const file = path.join('www/pkg', path.basename(name));
      fs.readFile(file, (err, data) => {
        if (err) { res.writeHead(404); res.end(); return; }
        res.writeHead(200, { 'Content-Type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
        res.end(data);
      });
      return;
    }
    if (name !== '/film') { res.writeHead(404); res.end(); return; }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    if (start >= size) { res.writeHead(416, { 'Content-Range': `bytes */${size}` }); res.end(); return; }
    res.writeHead(m ? 206 : 200, { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes',
      'Content-Length': end - start + 1, ...(m ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) });
    fs.createReadStream(film, { start, end }).pipe(res);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}
const filmServer = serveFilm && !hlsServer ? await serveFilmDirect(serveFilm) : null;

// One memory-infra dump of every process (Tracing.requestMemoryDump): the top-level allocator
// sizes of each renderer, in bytes.
async function memoryDump(br) {
  const cdp = await br.target().createCDPSession();
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['disabled-by-default-memory-infra'],
    memoryDumpConfig: { triggers: [] } }, transferMode: 'ReportEvents' });
  await cdp.send('Tracing.requestMemoryDump', { levelOfDetail: 'detailed' });
  await cdp.send('Tracing.end');
  await done;
  const out = {};
  for (const e of events) {
    const alloc = e.args && e.args.dumps && e.args.dumps.allocators;
    if (!alloc) continue;
    const top = {};
    for (const [name, d] of Object.entries(alloc)) {
      const depth = name.split('/').length;
      const size = d.attrs && d.attrs.size ? parseInt(d.attrs.size.value, 16) : 0;
      if (size && (depth <= 2 || /^(partition_alloc|malloc)\/partitions\/[^/]+$/.test(name))) top[name] = size;
    }
    out[e.pid] = top;
  }
  return out;
}

// Puppeteer with its Network domain off: with the Network domain on (as Playwright always has
// it), DevTools keeps a copy of every fetched response body in the renderer (up to 200 MB,
// 10 MB per response), which no viewer's tab holds: measured, docs/DESIGN.md ("How much the
// tab holds").
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  networkEnabled: false,
  args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
});
const browserPid = browser.process().pid;
const result = { rate, reference, hls: !!hlsDir, samples: [], error: null, firstFrame: false, ended: false, duration: null };
try {
  const page = await browser.newPage();
  // RIPTIDE_BENCH_DEBUG=1: the page's console and errors on stderr.
  if (process.env.RIPTIDE_BENCH_DEBUG) {
    page.on('console', (m) => console.error('console:', m.text()));
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
  }
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable');
  // Every `waiting` of the video after its first frame, and the time until it plays again.
  await page.evaluateOnNewDocument(() => {
    window.__stalls = { count: 0, ms: 0, since: null, at: [], detail: [] };
    document.addEventListener('waiting', (e) => {
      const v = e.target;
      if (v.currentTime > 0 && !v.seeking && window.__stalls.since === null) {
        window.__stalls.count += 1;
        window.__stalls.since = performance.now();
        window.__stalls.at.push(Math.round(v.currentTime * 100) / 100);
        // What was buffered past the playhead when it stopped: ~0 means the bytes (or the
        // player's appends) came too late; seconds of it mean the decoder fell behind.
        let ahead = 0;
        for (let i = 0; i < v.buffered.length; i++) {
          if (v.buffered.start(i) <= v.currentTime + 0.05 && v.currentTime < v.buffered.end(i)) {
            ahead = v.buffered.end(i) - v.currentTime;
          }
        }
        window.__stalls.detail.push({ at: Math.round(v.currentTime * 100) / 100,
          ahead: Math.round(ahead * 100) / 100, readyState: v.readyState, ms: null });
      }
    }, true);
    document.addEventListener('playing', () => {
      const s = window.__stalls;
      if (s.since !== null) {
        const ms = performance.now() - s.since;
        s.ms += ms;
        s.detail[s.detail.length - 1].ms = Math.round(ms);
        s.since = null;
      }
    }, true);
  });
  const direct = hlsServer || filmServer;
  await page.goto(direct ? `http://127.0.0.1:${direct.address().port}/` : `${base}/${query ? `?${query}` : ''}`);
  // The reference: the same page's renderer before it plays anything.
  await new Promise((r) => setTimeout(r, 1000));
  result.idleRendererPrivate = rendererPrivate(browserPid);
  if (direct) {
    // hls.js and the bare pages (above) start when told, after the idle sample.
    await page.waitForFunction(() => typeof window.go === 'function');
    await page.evaluate(() => window.go());
  } else if (reference) {
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
      v.src = `/api/torrents/${encodeURIComponent(t.id)}/files/0`;
      v.play().catch(() => {});
    }, magnet);
  } else {
    await page.waitForSelector('#magnet');
    await page.evaluate((m) => {
      document.querySelector('#magnet').value = m;
      document.querySelector('#play').click();
    }, magnet);
  }
  const t0 = Date.now();
  let rateSet = false;
  // The playhead not moving for STUCK_MS while playing ends the run (reported as `stuckAt`).
  const STUCK_MS = 5000;
  let lastMove = { t: -1, at: Date.now() };
  while (Date.now() - t0 < maxSeconds * 1000) {
    const s = await page.evaluate((r) => {
      const v = document.querySelector('video');
      const st = document.querySelector('#status');
      // The page's own sample (riptide.sample(): buffered ranges, the player's wasm memory).
      const x = window.riptide && window.riptide.player ? window.riptide.sample() : null;
      let ahead = 0;
      let held = 0;
      for (let i = 0; i < v.buffered.length; i++) {
        held += v.buffered.end(i) - v.buffered.start(i);
        if (v.buffered.start(i) <= v.currentTime + 0.1 && v.buffered.end(i) > v.currentTime) ahead = v.buffered.end(i) - v.currentTime;
      }
      if (v.currentTime > 0 && v.playbackRate !== r) v.playbackRate = r;
      return { t: v.currentTime, ahead, held, heap: performance.memory.usedJSHeapSize,
        wasm: x ? x.wasmMemory : null, removed: x ? x.removedSecs : null, ended: v.ended,
        cache: x ? x.cacheBytes : null,
        error: window.hlsError ? `hls.js: ${window.hlsError}` : st && st.classList.contains('error') ? st.textContent : null,
        duration: v.duration };
    }, rate);
    if (s.error) { result.error = s.error; break; }
    if (s.t > 0) { result.firstFrame = true; rateSet = true; }
    result.duration = s.duration;
    if (rateSet) {
      // CDP's view of the same heap (Performance.getMetrics), beside performance.memory.
      const m = await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] }));
      const metric = (name) => (m.metrics.find((x) => x.name === name) || {}).value ?? null;
      // DOM nodes and listeners (CDP Memory.getDOMCounters): a page that leaks elements grows here.
      const dom = await cdp.send('Memory.getDOMCounters').catch(() => ({}));
      // ArrayBuffer backing stores live outside the JS heap (not in usedJSHeapSize): fragments
      // handed to appendBuffer and not yet collected show up here.
      const hu = await cdp.send('Runtime.getHeapUsage').catch(() => ({}));
      result.samples.push({ wall: (Date.now() - t0) / 1e3, ...s, cdpHeap: metric('JSHeapUsedSize'),
        domNodes: dom.nodes ?? null, listeners: dom.jsEventListeners ?? null,
        backingStores: hu.backingStorageSize ?? null, embedderHeap: hu.embedderHeapUsedSize ?? null,
        rendererPrivate: rendererPrivate(browserPid) });
    }
    if (s.ended || (s.duration && s.t >= s.duration - 0.3)) { result.ended = true; break; }
    if (s.t !== lastMove.t) lastMove = { t: s.t, at: Date.now() };
    else if (rateSet && Date.now() - lastMove.at > STUCK_MS) {
      result.stuckAt = { t: s.t, ahead: s.ahead, duration: s.duration };
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!result.firstFrame && !result.error) result.error = `no frame within ${maxSeconds} s`;
  if (process.env.RIPTIDE_BENCH_DEBUG) {
    console.error('status:', JSON.stringify(await page.evaluate(() => window.riptide && window.riptide.player.status()).catch(String)));
  }
  // RIPTIDE_BENCH_BREAKDOWN=1: at the end, Chromium's own accounting of the renderer's memory
  // (a memory-infra dump: malloc, PartitionAlloc, V8, Blink GC, ...; `dump`), then the private
  // memory again after a simulated critical memory pressure (the allocators give back what
  // they keep free; `afterPressure`).
  if (process.env.RIPTIDE_BENCH_BREAKDOWN) {
    result.atEnd = rendererPrivate(browserPid);
    result.dump = await memoryDump(browser).catch((e) => String(e));
    await cdp.send('Memory.simulatePressureNotification', { level: 'critical' }).catch(() => {});
    await new Promise((r) => setTimeout(r, 3000));
    result.afterPressure = rendererPrivate(browserPid);
  }
  const stalls = await page.evaluate(() => window.__stalls).catch(() => null);
  if (stalls) {
    result.stalls = stalls.count;
    result.stalledMs = Math.round(stalls.ms);
    result.stallsAt = stalls.at;
    result.stallDetail = stalls.detail;
  }
} catch (e) {
  result.error = String(e && e.stack || e);
} finally {
  await browser.close();
  if (hlsServer) hlsServer.close();
  if (filmServer) filmServer.close();
}
console.log(JSON.stringify(result));
