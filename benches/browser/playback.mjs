// Tab memory during playback: opens the Riptide page on a magnet, waits for the first frame,
// plays the whole film at --rate (default 2x) and samples, every 500 ms:
// - the JS heap (performance.memory, precise);
// - the private memory of the tab's renderer process(es): Private_Clean + Private_Dirty + Swap
//   from /proc/PID/smaps_rollup of every descendant of the browser with --type=renderer. This
//   includes wasm memory, the media pipeline and the SourceBuffers, not shared libraries;
// - the player's wasm linear memory (riptide.sample()), the seconds held in the SourceBuffers
//   (sum of video.buffered) and buffered ahead of the playhead, and the playhead;
// - CDP Performance.getMetrics JSHeapUsedSize (the same heap, as DevTools reports it).
// Ends at the end of the film, after --max-seconds, or when the playhead stops moving for 5 s
// (`stuckAt`: where, and how much was buffered ahead). Prints one JSON line.
//
// usage: node benches/browser/playback.mjs BASE_URL MAGNET [--rate 2] [--max-seconds 120]
//          [--reference]
// --reference: instead of the Riptide player, the same page POSTs the magnet and plays the raw
//   Range endpoint in its <video src> (the browser's own demuxer, no MSE; MP4 only) — what the
//   tab holds for the same film without remuxing.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../tests/e2e/chromium.mjs';

const [base, magnet] = process.argv.slice(2);
const opt = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? Number(process.argv[i + 1]) : d; };
const rate = opt('--rate', 2);
const maxSeconds = opt('--max-seconds', 120);
const reference = process.argv.includes('--reference');
if (!base || !magnet) {
  console.error('usage: node benches/browser/playback.mjs BASE_URL MAGNET [--rate R] [--max-seconds N]');
  process.exit(2);
}

// The renderer processes of the browser we launched (descendants of its pid).
function rendererPrivate(rootPid) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch (_) { /* gone */ }
  }
  let total = 0;
  const walk = (pid) => {
    for (const k of kids.get(pid) || []) {
      try {
        const cmd = fs.readFileSync(`/proc/${k}/cmdline`, 'utf8');
        if (cmd.includes('--type=renderer') && !cmd.includes('--extension-process')) {
          // Private memory (what the tab itself holds; shared libraries excluded), as
          // Chromium's task manager counts a process's footprint.
          const roll = fs.readFileSync(`/proc/${k}/smaps_rollup`, 'utf8');
          for (const f of ['Private_Clean', 'Private_Dirty', 'Swap']) {
            const m = new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(roll);
            if (m) total += Number(m[1]) * 1024;
          }
        }
      } catch (_) { /* gone */ }
      walk(k);
    }
  };
  walk(rootPid);
  return total;
}

const server = await chromium.launchServer({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
});
const browserPid = server.process().pid;
const browser = await chromium.connect(server.wsEndpoint());
const result = { rate, reference, samples: [], error: null, firstFrame: false, ended: false, duration: null };
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${base}/`);
  // The reference: the same page's renderer before it plays anything.
  await new Promise((r) => setTimeout(r, 1000));
  result.idleRendererPrivate = rendererPrivate(browserPid);
  if (reference) {
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
    await page.fill('#magnet', magnet);
    await page.click('#play');
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
        error: st && st.classList.contains('error') ? st.textContent : null, duration: v.duration };
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
} catch (e) {
  result.error = String(e && e.stack || e);
} finally {
  await browser.close();
  await server.close();
}
console.log(JSON.stringify(result));
