// Opens a host page that embeds Riptide players (<riptide-player> elements, in the page or in
// iframes) in headless Chromium or Firefox (tests/e2e/browser.mjs; --browser NAME), and reports as one JSON line on stdout what a viewer
// would see: each player's currentTime, state and error, the events it fired, and the
// network requests that named its torrent.
//
// usage: node tests/e2e/embed.mjs URL [--play-seconds 2] [--timeout-ms 60000]
//          [--expect-error] [--remove ID] [--watch-ms 4000] [--no-cors-post URL MAGNET]
//          [--then-magnet ID MAGNET] [--preload-check SHOWN NONE LAZY] [--churn N MAGNET]
//          [--press-play]
//
// --expect-error     wait until every player reports an error instead of playback.
// --remove ID        once all play, remove the element with that id, then for --watch-ms
//                    count the requests naming its torrent and how far the others played.
// --then-magnet      at the end, set the magnet attribute of player ID to MAGNET and wait
//                    until it plays another torrent for 1 s.
// --preload-check    players that nobody started: wait until SHOWN (preload="metadata") shows
//                    its first frame, then --watch-ms more; report what each fetched
//                    ("idle"); scroll LAZY (loading="lazy", below the fold) into view and wait
//                    for its first frame ("scrolled"); then press NONE's play button
//                    (preload="none") and call play() on SHOWN, and wait until both played
//                    --play-seconds ("played"). Requests are counted per torrent.
// --press-play      call play() on every player (in every frame) once it is defined, as a
//                    viewer pressing play would (players without autoplay wait for it).
// --churn N MAGNET   N times: add a <riptide-player magnet=MAGNET autoplay muted>, wait until
//                    it played --play-seconds, remove it; report the wasm engine's memory
//                    and the page's players and event streams after each removal.
// --no-cors-post     first send a "simple" cross-origin POST (text/plain body MAGNET, no
//                    preflight, answer unreadable) to URL from the page, as a hostile page would.
import { engineFromArgs, launch } from './browser.mjs';

const args = process.argv.slice(2);
const url = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const playSeconds = Number(opt('--play-seconds', 2));
const timeoutMs = Number(opt('--timeout-ms', 60000));
const watchMs = Number(opt('--watch-ms', 4000));
const removeId = opt('--remove', null);
const expectError = args.includes('--expect-error');
const pressPlay = args.includes('--press-play');
const postIdx = args.indexOf('--no-cors-post');
const thenIdx = args.indexOf('--then-magnet');
const thenMagnet = thenIdx >= 0 ? { id: args[thenIdx + 1], magnet: args[thenIdx + 2] } : null;
const noCorsPost = postIdx >= 0 ? { url: args[postIdx + 1], body: args[postIdx + 2] } : null;
const preIdx = args.indexOf('--preload-check');
const preloadCheck = preIdx >= 0
  ? { shown: args[preIdx + 1], none: args[preIdx + 2], lazy: args[preIdx + 3] } : null;
const churnIdx = args.indexOf('--churn');
const churn = churnIdx >= 0 ? { times: Number(args[churnIdx + 1]), magnet: args[churnIdx + 2] } : null;
if (!url) {
  console.error('usage: node tests/e2e/embed.mjs URL [options]');
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const browser = await launch(engineFromArgs(args));
const result = { url, errors: [], console: [] };
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.console.push(m.text()); });
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), at: Date.now() }));

  // Every frame records the players' events (they bubble out of the shadow root).
  await page.initScript(() => {
    // Every EventSource the page opens, to tell which are still open.
    const Native = window.EventSource;
    window.__sources = [];
    if (Native) {
      window.EventSource = class extends Native {
        constructor(...a) { super(...a); window.__sources.push(this); }
      };
    }
    window.__events = [];
    // The player's own events (CustomEvent) and the video's, passed on (Event).
    for (const type of ['ready', 'playing', 'error', 'notice', 'progress', 'pause', 'ended', 'timeupdate']) {
      document.addEventListener(type, (e) => {
        if (!e.target || e.target.localName !== 'riptide-player') return;
        const detail = e instanceof CustomEvent ? e.detail : null;
        window.__events.push({ type, id: e.target.id, detail, at: e.target.currentTime });
      });
    }
  });

  await page.goto(url);
  if (noCorsPost) {
    result.noCorsPost = await page.evaluate(async ({ url, body }) => {
      try {
        const r = await fetch(url, { method: 'POST', mode: 'no-cors', body,
          headers: { 'Content-Type': 'text/plain' } });
        return { type: r.type };
      } catch (e) {
        return { error: String(e) };
      }
    }, noCorsPost);
  }

  // The players of every frame, as the host page's script would see them.
  const players = async () => {
    const out = [];
    for (const frame of page.frames()) {
      const list = await frame.evaluate(() => {
        const events = window.__events || [];
        return [...document.querySelectorAll('riptide-player')].map((el) => {
          const mine = events.filter((e) => e.id === el.id);
          const r = el.getBoundingClientRect();
          const v = el.shadowRoot.querySelector('video').getBoundingClientRect();
          return {
            id: el.id,
            frame: window === window.top ? null : location.href,
            currentTime: el.currentTime,
            duration: el.duration,
            state: el.state,
            error: el.error,
            watchMode: el.watchMode,
            torrentId: el.torrent ? el.torrent.id : null,
            fileUrl: el.fileUrl,
            eventTypes: [...new Set(mine.map((e) => e.type))],
            errorEvents: mine.filter((e) => e.type === 'error').map((e) => e.detail.message),
            errorDetails: mine.filter((e) => e.type === 'error').map((e) => e.detail),
            problem: el.problem || null,
            lastProgress: (mine.filter((e) => e.type === 'progress').pop() || {}).detail || null,
            ready: (mine.find((e) => e.type === 'ready') || {}).detail || null,
            size: { width: r.width, height: r.height },
            videoSize: { width: v.width, height: v.height },
            firstPlayingAt: (mine.find((e) => e.type === 'playing') || {}).at ?? null,
            readyState: el.shadowRoot.querySelector('video').readyState,
            paused: el.paused,
            bytesFetched: el.status ? el.status.bytes_fetched : 0,
            playButton: !el.shadowRoot.querySelector('.big-play').hidden,
            // Its torrent's event streams still open (readyState 2 = closed).
            eventStreams: (window.__sources || []).filter((s) => s.readyState !== 2 && el.torrent
              && s.url.includes(el.torrent.id)).length,
            magnetHash: ((/btih:([0-9a-fA-F]{40})/.exec(el.getAttribute('magnet') || '') || [])[1] || '')
              .toLowerCase(),
            viewport: { width: innerWidth, height: innerHeight },
            fullscreenEnabled: document.fullscreenEnabled,
            documentTitle: document.title,
          };
        });
      }).catch(() => []);
      out.push(...list);
    }
    return out;
  };

  if (preloadCheck) {
    result.preload = await checkPreload(preloadCheck);
  } else if (churn) {
    result.churn = await addAndRemove(churn);
  } else {
    await playersPlay();
  }

  /// Waits until every player plays (or fails), then --remove and --then-magnet.
  async function playersPlay() {
    const deadline = Date.now() + timeoutMs;
    let list = [];
    while (Date.now() < deadline) {
      if (pressPlay) {
        for (const frame of page.frames()) {
          await frame.evaluate(() => {
            for (const el of document.querySelectorAll('riptide-player')) {
              if (el.__pressed || typeof el.play !== 'function') continue;
              el.__pressed = true;
              el.play().catch(() => {});
            }
          }).catch(() => {});
        }
      }
      list = await players();
      const done = list.length > 0 && (expectError
        ? list.every((p) => p.error)
        : list.every((p) => p.currentTime >= playSeconds && p.lastProgress && p.lastProgress.peers !== undefined));
      if (done) break;
      if (!expectError && list.some((p) => p.error)) break; // a player gave up: report it now
      await sleep(100);
    }
    result.players = list;
    // One wasm engine per page, however many players.
    result.wasmRequests = requests.filter((r) => r.url.endsWith('.wasm')).length;

    if (removeId) {
      const target = list.find((p) => p.id === removeId);
      const naming = (t) => requests.filter((r) => target && target.torrentId && r.url.includes(target.torrentId)
        && r.at >= t).length;
      const removedAt = Date.now();
      const before = Object.fromEntries(list.map((p) => [p.id, p.currentTime]));
      await page.evaluate((id) => {
        window.__removed = document.getElementById(id);
        window.__removed.remove();
      }, removeId);
      // Requests already on their way when the element went are not new traffic.
      await sleep(300);
      const watchFrom = Date.now();
      await sleep(watchMs);
      const after = await players();
      result.removal = {
        id: removeId,
        requestsBefore: naming(0) - naming(removedAt),
        requestsAfter: naming(watchFrom),
        watchedMs: Date.now() - watchFrom,
        others: after.map((p) => ({ id: p.id, before: before[p.id], after: p.currentTime, error: p.error })),
        stillInPage: after.some((p) => p.id === removeId),
        // What the removed element still holds: its wasm Player (freed → null) and its video.
        leftover: await page.evaluate((tid) => ({
          // Event streams naming the removed player's torrent that are still open.
          openEventStreams: window.__sources.filter((s) => s.readyState !== 2 && s.url.includes(tid)).length,
          player: window.__removed._player !== null,
          videoSrc: window.__removed.shadowRoot.querySelector('video').getAttribute('src'),
        }), target.torrentId),
      };
    }

    if (thenMagnet) {
      const before = (await players()).find((p) => p.id === thenMagnet.id);
      await page.evaluate(({ id, magnet }) => document.getElementById(id).setAttribute('magnet', magnet),
        thenMagnet);
      const until = Date.now() + timeoutMs;
      let now = null;
      while (Date.now() < until) {
        now = (await players()).find((p) => p.id === thenMagnet.id);
        if (now && (now.error || (now.torrentId && now.torrentId !== before.torrentId
            && now.currentTime >= 1 && now.state === 'playing'))) break;
        await sleep(100);
      }
      result.changed = { id: thenMagnet.id, before: before.torrentId, ...now };
    }
  }

  /// Waits until `pred(players)` holds (or the timeout), returns the players then.
  async function until(pred) {
    const end = Date.now() + timeoutMs;
    let list = [];
    while (Date.now() < end) {
      list = await players();
      if (pred(list) || list.some((p) => p.error)) break;
      await sleep(100);
    }
    return list;
  }

  /// Each player, with the requests that named its torrent so far.
  async function snapshot() {
    return (await players()).map((p) => ({
      ...p,
      requests: requests.filter((r) => p.magnetHash && r.url.includes(p.magnetHash)).length,
    }));
  }

  async function addAndRemove({ times, magnet }) {
    const cycles = [];
    for (let i = 0; i < times; i++) {
      const id = `churn${i}`;
      await page.evaluate(({ id, magnet }) => {
        const el = document.createElement('riptide-player');
        el.id = id;
        el.setAttribute('magnet', magnet);
        el.toggleAttribute('autoplay', true);
        el.toggleAttribute('muted', true);
        document.body.append(el);
      }, { id, magnet });
      const list = await until((ps) => ps.some((p) => p.id === id && p.currentTime >= playSeconds));
      const played = list.find((p) => p.id === id) || {};
      await page.evaluate((id) => document.getElementById(id).remove(), id);
      await sleep(300);
      cycles.push(await page.evaluate(async ({ id, played }) => {
        // The page's one wasm engine (the same module instance embed.js loaded).
        const script = document.querySelector('script[src$="embed.js"]');
        const wasm = await import(new URL('pkg/remux_wasm.js', script.src).href);
        return {
          id,
          played: played.currentTime,
          error: played.error,
          // default() returns the instance already made (wasm-bindgen initialises once).
          wasmMemory: (await wasm.default()).memory.buffer.byteLength,
          players: document.querySelectorAll('riptide-player').length,
          openEventStreams: window.__sources.filter((s) => s.readyState !== 2).length,
        };
      }, { id, played }));
    }
    return cycles;
  }

  async function checkPreload({ shown, none, lazy }) {
    const by = (list, id) => list.find((p) => p.id === id) || {};
    await until((list) => by(list, shown).readyState >= 2);
    await sleep(watchMs);
    const idle = await snapshot();
    await page.evaluate((id) => document.getElementById(id).scrollIntoView(), lazy);
    await until((list) => by(list, lazy).readyState >= 2);
    await sleep(500);
    const scrolled = await snapshot();
    // The viewer presses NONE's play button; the page's script calls SHOWN.play().
    await page.evaluate((id) => document.getElementById(id).shadowRoot.querySelector('.big-play').click(), none);
    const playResult = page.evaluate((id) => document.getElementById(id).play().then(() => 'resolved',
      (e) => `rejected: ${e.message}`), shown);
    await until((list) => [shown, none].every((id) => by(list, id).currentTime >= playSeconds));
    const played = await snapshot();
    return { idle, scrolled, played, playPromise: await playResult };
  }
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
