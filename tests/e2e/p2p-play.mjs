// Viewers of one film on the Riptide page, sharing pieces through the real wasm player
// (engine.js: Player + set_fetch_hook + www/lib/p2p.js), started `--gap-ms` apart, each in
// its own browser context; real signalling socket, real RTCDataChannels, host candidates only.
// Each viewer plays the film to its end at `--rate`; one viewer (`--seek-viewer`, default the
// last) seeks past what it has buffered once a fifth of the film has played.
//
// Prints one JSON line: per viewer its engine, first frame (ms after navigation, bytes the
// player had then, bytes from peers then), the seek (ms to play again, bytes from peers while
// it waited), stalls (`waiting` events outside seeks), how far it played, and its swarm stats
// (bytes from peers and from the server, bad pieces, dropped peers), and `why`: what it was
// doing at each stall (see `explain`); for the run, the film bytes the server sent
// (`served_bytes` of GET /api/torrents/{id}, counted by the server), the CPU seconds of the
// browsers' processes (`cpu`) and the load average.
//
//   node tests/e2e/p2p-play.mjs --base http://127.0.0.1:PORT --magnet MAGNET --hash HASH
//     [--viewers 3] [--engines chromium,firefox,...] [--gap-ms 3000] [--rate 2] [--p2p 1]
//     [--corrupt K] [--seek-viewer K] [--high 12] [--timeout-ms 120000]
// `--engines` names each viewer's browser in turn (the last repeats). `--corrupt K` makes
// viewer K (1-based) flip a byte in every piece it sends.
// Exits 1, saying why, unless every viewer played to the end without a stall, started and
// sought from the server alone, and (with P2P on) later viewers got bytes from peers and the
// corrupt viewer was detected and dropped.
import { readdirSync, readFileSync } from 'node:fs';
import { launch } from './browser.mjs';

/**
 * CPU seconds used so far by this process's descendants (the browsers), by kind: renderer
 * (one per viewer page; their sum), gpu, network/utility and the browser process itself.
 * Linux /proc only; utime + stime at 100 ticks per second.
 */
function browserCpu() {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      procs.set(Number(d), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100, cmd });
    } catch (_) { /* gone */ }
  }
  const mine = (pid) => { for (let p = pid; p > 1; p = procs.get(p)?.ppid ?? 0) if (p === process.pid) return true; return false; };
  const out = { renderer: 0, gpu: 0, other: 0, browser: 0, renderers: 0 };
  for (const [pid, p] of procs) {
    if (pid === process.pid || !mine(pid)) continue;
    const type = /--type=([a-z-]+)/.exec(p.cmd)?.[1];
    const k = type === 'renderer' ? 'renderer' : type === 'gpu-process' ? 'gpu' : type ? 'other' : 'browser';
    out[k] += p.cpu;
    if (k === 'renderer') out.renderers += 1;
  }
  for (const k of ['renderer', 'gpu', 'other', 'browser']) out[k] = Math.round(out[k] * 10) / 10;
  return out;
}

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const base = arg('base');
const magnet = arg('magnet');
const hash = arg('hash');
const viewers = Number(arg('viewers', 3));
const engines = arg('engines', 'chromium').split(',');
const gapMs = Number(arg('gap-ms', 3000));
const rate = Number(arg('rate', 2));
const p2p = arg('p2p', '1') === '1';
const corrupt = Number(arg('corrupt', 0));
const seekViewer = Number(arg('seek-viewer', viewers));
const timeoutMs = Number(arg('timeout-ms', 120000));
if (!base || !magnet || !hash) {
  console.error('usage: node tests/e2e/p2p-play.mjs --base URL --magnet MAGNET --hash HASH [--viewers N]');
  process.exit(2);
}
const engineOf = (v) => engines[Math.min(v - 1, engines.length - 1)];

const served = async () => {
  const j = await (await fetch(`${base}/api/torrents/${hash}`)).json();
  if (typeof j.served_bytes !== 'number') throw new Error('the server does not report served_bytes');
  return j.served_bytes;
};

// In every page, before its scripts: count `waiting` events after the first frame that are
// not part of a seek (a stall a viewer sees), and make viewer K misbehave.
function instrument({ bad }) {
  window.__stalls = [];
  window.__seeks = [];
  window.__first = null;
  // Where the time went, for finding why a stall happened: the main thread's long tasks
  // (Chromium), and every 100 ms the event loop's lag (how late a 100 ms timer fired) and
  // the seconds buffered ahead of the playhead.
  window.__long = [];
  window.__samples = [];
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (_) { /* Firefox has no long-task timing */ }
  performance.setResourceTimingBufferSize(5000);
  let tick = performance.now();
  setInterval(() => {
    const now = performance.now();
    const v = document.querySelector('video');
    let ahead = 0;
    if (v) {
      for (let k = 0; k < v.buffered.length; k++) {
        if (v.buffered.start(k) <= v.currentTime + 0.1 && v.currentTime < v.buffered.end(k)) ahead = v.buffered.end(k) - v.currentTime;
      }
    }
    window.__samples.push([Math.round(now), Math.round(now - tick - 100), Math.round(ahead * 10) / 10]);
    tick = now;
  }, 100);
  if (bad) window.riptideSwarmOptions = { corrupt: true };
  // What the player had received, and from peers, at this moment.
  const now = () => {
    const r = window.riptide;
    const st = r && r.player ? r.player.status() : null;
    const sw = r ? r.p2p() : null;
    return { ms: Math.round(performance.now()), received: st ? Number(st.received) : 0,
      peers: sw ? sw.fromPeers : 0 };
  };
  // Capturing listeners on the document run before the page's and the swarm's own.
  document.addEventListener('seeking', () => { window.__seeks.push({ at: now(), played: null }); }, true);
  document.addEventListener('playing', () => {
    if (!window.__first) window.__first = now();
    const s = window.__seeks[window.__seeks.length - 1];
    if (s && !s.played) s.played = now();
  }, true);
  document.addEventListener('waiting', (e) => {
    const v = e.target;
    const r = window.riptide;
    if (!r || !r.firstFrame || v.seeking || v.ended) return;
    const s = r.seeks[r.seeks.length - 1];
    if (s && s.playingMs === null) return;
    // `asking`: the player was waiting on peers at that moment (a stall P2P added).
    const sw = r.p2p();
    window.__stalls.push({ at: Math.round(v.currentTime * 10) / 10, asking: sw ? sw.asking : 0,
      ms: Math.round(performance.now()) });
  }, true);
}

const browsers = new Map();
const browserFor = async (engine) => {
  if (!browsers.has(engine)) {
    browsers.set(engine, await launch(engine, {
      // mDNS names instead of host addresses would need a resolver on the machine.
      chromiumArgs: ['--disable-features=WebRtcHideLocalIpsWithMdns'],
    }));
  }
  return browsers.get(engine);
};

// The player fetches at most `--high` seconds ahead (the page's `&high=`), so that a short
// test film is read at the pace it plays, as a long film is, rather than all at once.
const high = Number(arg('high', 12));
const page0 = `${base}/?magnet=${encodeURIComponent(magnet)}&file=0&p2p=${p2p ? 1 : 0}&high=${high}`;
try {
  const before = await served();
  const runs = [];
  for (let v = 1; v <= viewers; v++) {
    const engine = engineOf(v);
    const page = await (await browserFor(engine)).newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.initScript(instrument, { bad: v === corrupt });
    runs.push(watch(page, v, engine, errors));
    await new Promise((r) => setTimeout(r, gapMs));
  }
  const results = await Promise.all(runs);
  // Every viewer stayed in the swarm until all were done: its final counts (what it uploaded
  // after its own end included).
  for (const r of results) {
    r.swarm = await r.page.evaluate(() => window.riptide.p2p());
    delete r.page;
  }
  const after = await served();
  const cpu = browserCpu();
  const film = results[0].length;
  const servedPerViewer = (after - before) / viewers;
  const fromPeers = results.reduce((a, r) => a + (r.swarm ? r.swarm.fromPeers : 0), 0);
  const report = {
    viewers, engines: results.map((r) => r.engine), p2p, corrupt, rate, film,
    servedBytes: after - before, servedPerViewer: Math.round(servedPerViewer),
    servedPerFilm: +(servedPerViewer / film).toFixed(3),
    peerShare: +(fromPeers / (fromPeers + (after - before))).toFixed(3),
    ceiling: +((viewers - 1) / viewers).toFixed(3),
    stalls: results.reduce((a, r) => a + r.stalls.length, 0),
    stallsOnPeers: results.reduce((a, r) => a + r.stalls.filter((x) => x.asking > 0).length, 0),
    cpu, load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    results,
  };
  console.log(JSON.stringify(report));

  const fail = [];
  const mb2 = 2 * 1000 * 1000;
  results.forEach((r, k) => {
    const n = `viewer ${k + 1} (${r.engine})`;
    if (r.errors.length) fail.push(`${n} had page errors: ${r.errors.join('; ')}`);
    if (r.problem) fail.push(`${n} showed an error: ${r.problem}`);
    if (!r.ended) fail.push(`${n} did not play to the end (stopped at ${r.currentTime} s of ${r.duration} s)`);
    // Stalls happen with P2P off too on a loaded machine (the bench compares both); what
    // must never happen is a stall while the player waits on a peer.
    const ours = r.stalls.filter((x) => x.asking > 0);
    if (ours.length) fail.push(`${n} stalled waiting on peers at ${ours.map((x) => x.at).join(', ')} s`);
    if (!r.first) fail.push(`${n} never showed a frame`);
    else {
      if (r.first.peerBytes > 0) fail.push(`${n} took ${r.first.peerBytes} startup bytes from peers`);
      if (r.first.bytes > mb2) fail.push(`${n} needed ${r.first.bytes} bytes before its first frame`);
    }
    if (r.seek) {
      if (r.seek.ms === null) fail.push(`${n} never played again after its seek`);
      if (r.seek.peerBytes > 0) fail.push(`${n} took ${r.seek.peerBytes} bytes from peers while seeking`);
    }
    if (p2p && !r.swarm) fail.push(`${n} never joined the swarm`);
    if (!p2p && r.swarm) fail.push(`${n} joined the swarm with P2P off`);
  });
  if (p2p) {
    const good = results.filter((r, k) => k > 0 && k + 1 !== corrupt);
    if (good.length && !good.some((r) => r.swarm && r.swarm.fromPeers > 0)) {
      fail.push('no later viewer got any film bytes from peers');
    }
    if (corrupt && !results.some((r, k) => k + 1 !== corrupt && r.swarm && r.swarm.badPieces > 0 && r.swarm.droppedPeers > 0)) {
      fail.push('no viewer detected and dropped the corrupt one');
    }
  }
  // The server's count is what the players say they took from it: all they received but
  // what peers gave (the page may also read a little outside the player; allow 5 % and 2 MB).
  const browserServer = results.reduce((a, r) => a + r.received - (r.swarm ? r.swarm.fromPeers : 0), 0);
  if (after - before < 0.5 * browserServer || after - before > 1.05 * browserServer + mb2) {
    fail.push(`the server counted ${after - before} bytes sent, the players ${browserServer} received`);
  }
  if (fail.length) { console.error(fail.join('\n')); process.exitCode = 1; }
} finally {
  for (const b of browsers.values()) await b.close();
}

/**
 * What viewer `page` was doing when it stalled, and its main thread's load: for each stall,
 * the player's requests open at that moment (route: through peers or the server and why; ms
 * open so far; seconds buffered when asked), the long tasks and the worst event-loop lag in
 * the 3 s before; for the whole run, long tasks (count, ms) and the lag's 99th percentile.
 * With P2P off the requests come from resource timing (no route, no buffer at request).
 */
async function explain(page, stalls) {
  const d = await page.evaluate(() => ({
    trace: window.riptide.p2pTrace ? window.riptide.p2pTrace() : null,
    res: performance.getEntriesByType('resource').filter((e) => /\/files\/\d+$/.test(e.name))
      .map((e) => ({ at: e.startTime, done: e.responseEnd })),
    long: window.__long, samples: window.__samples,
  }));
  const reqs = d.trace || d.res.map((r) => ({ ...r, route: 'http' }));
  const lags = d.samples.map((x) => x[1]).sort((a, b) => a - b);
  const near = (ms) => d.samples.filter((x) => x[0] <= ms && x[0] > ms - 3000);
  return {
    longTasks: d.long.length, longMs: d.long.reduce((a, x) => a + x[1], 0),
    longMax: d.long.reduce((a, x) => Math.max(a, x[1]), 0),
    lagP99: lags.length ? lags[Math.floor(0.99 * (lags.length - 1))] : 0,
    long: d.long,
    reqs: reqs.map((r) => [Math.round(r.at), r.done === null ? null : Math.round(r.done), r.route.split(' ').pop()]),
    routes: reqs.reduce((a, r) => { const k = r.route.split(' ').pop(); a[k] = (a[k] || 0) + 1; return a; }, {}),
    stalls: stalls.map((st) => ({
      at: st.at,
      open: reqs.filter((r) => r.at <= st.ms && (r.done === null || r.done > st.ms)).map((r) => ({
        route: r.route, openMs: Math.round(st.ms - r.at), aheadAtAsk: r.ahead !== undefined ? Math.round(r.ahead * 10) / 10 : null,
        peerMs: r.peerMs !== undefined ? Math.round(r.peerMs) : undefined, failed: r.failed,
      })),
      // The last request finished before the stall: how long before, and its route.
      lastDone: (() => {
        const r = reqs.filter((x) => x.done !== null && x.done <= st.ms).pop();
        return r ? { route: r.route, agoMs: Math.round(st.ms - r.done), tookMs: Math.round(r.done - r.at) } : null;
      })(),
      longMs: d.long.filter((x) => x[0] <= st.ms && x[0] > st.ms - 3000).reduce((a, x) => a + x[1], 0),
      lagMax: Math.max(0, ...near(st.ms).map((x) => x[1])),
      aheadBefore: near(st.ms).map((x) => x[2]).filter((_, k, all) => k % 5 === 0 || k === all.length - 1),
    })),
  };
}

/** Plays the film in `page` to its end; returns what viewer `v` saw. */
async function watch(page, v, engine, errors) {
  await page.goto(page0);
  const deadline = Date.now() + timeoutMs;

  let seek = null;
  let s = null;
  while (Date.now() < deadline) {
    s = await page.evaluate(({ rate }) => {
      const r = window.riptide;
      const video = document.querySelector('video');
      if (!r || !video) return null;
      // Faster than real time only once 2 s have played at 1x (a start at 2x would stall on
      // its own, P2P or not; the rate only makes the test shorter).
      if (video.currentTime >= 2 && video.playbackRate !== rate) video.playbackRate = rate;
      const st = r.player ? r.player.status() : null;
      return {
        t: performance.now(), currentTime: video.currentTime, duration: video.duration,
        ended: video.ended, first: r.firstFrame, seeks: r.seeks, problem: r.error,
        received: st ? Number(st.received) : 0, length: r.file ? r.file.length : 0,
      };
    }, { rate });
    if (s && s.problem) break;
    // A seek beyond what is buffered (at most `high` s ahead): the player must fetch it anew.
    if (v === seekViewer && s && s.first && !seek && s.currentTime > 0.2 * s.duration) {
      const to = Math.min(0.85 * s.duration, s.currentTime + high + 4);
      seek = { to: Math.round(to * 10) / 10 };
      await page.evaluate((to) => { document.querySelector('video').currentTime = to; }, to);
    }
    if (s && s.ended) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const seen = await page.evaluate(() => ({ stalls: window.__stalls, seeks: window.__seeks, first: window.__first }));
  const stalls = seen.stalls;
  const why = await explain(page, stalls);
  // First frame: ms after navigation, film bytes the player had received then, and how many
  // of them came from peers (must be none). The seek: ms until it played again, bytes
  // received meanwhile, of them from peers.
  const first = seen.first && { ms: seen.first.ms, bytes: seen.first.received, peerBytes: seen.first.peers };
  const sk = seen.seeks[seen.seeks.length - 1];
  if (seek) {
    Object.assign(seek, sk && sk.played
      ? { ms: sk.played.ms - sk.at.ms, bytes: sk.played.received - sk.at.received,
        peerBytes: sk.played.peers - sk.at.peers }
      : { ms: null });
  }
  // Stay in the swarm (page open) until every viewer is done: the caller closes the browsers.
  return {
    page, engine, first, seek, stalls, why, errors, ended: !!s?.ended, currentTime: s?.currentTime,
    duration: s?.duration, problem: s?.problem || null, received: s?.received || 0,
    length: s?.length || 0,
  };
}
