// Opens a Riptide page in headless Chromium or Firefox (tests/e2e/browser.mjs) and reports, as one JSON line on stdout,
// what a viewer would see: when the first frame played, how many film bytes the browser had
// received by then, how far playback got, and any error shown.
//
// usage: node tests/e2e/play.mjs URL [--play-seconds 3] [--timeout-ms 60000] [--click SELECTOR]
//        [--switch-audio-at SECONDS] [--browser chromium|firefox]
// With --click, the page is opened and the element is clicked (as a viewer would) once visible.
// With --switch-audio-at, once playback passes SECONDS the audio menu is set to the next
// playable audio track (as a viewer would), and playback must then reach --play-seconds.
// The report always holds `tracks`: the page's notices, audio tracks and text tracks (with
// their cues), `playerStatus` (the player's own status), `watch` (how the page follows the
// torrent: 'events' or 'polling', its piece map figures, the stats line) and `api` (the
// requests the page made to the torrent API: event streams, polls, adds with their token).
// --host-map NAME: the browser resolves NAME to 127.0.0.1 (open the page as http://NAME:PORT/,
//   a name that is neither an IP literal nor localhost: the server treats it as another site).
// --share: once playing, open the page's "Share or embed" panel and report what it offers
//   (`share`: link, script, iframe) and, with "Start at" ticked, `shareAt` (the same at the
//   current second).
// --no-confirm: do not act as the owner. By default, when the page asks to confirm a torrent
//   the server does not have yet, the harness presses "Download and play" (as the owner would)
//   and lists what the page showed in `confirmations`; with --no-confirm it never does, and the
//   report's `confirm` says whether the page was asking.
// --tokens T1,T2,...: each time the page shows its add-token form, type the next token and
//   submit (as a viewer would); `tokenPrompts` lists what the form said each time.
// --seek-to F: once playback has reached --play-seconds, jump to F of the duration (as a viewer
//   dragging the bar) and play on --after-seek seconds (default 2); `seek` reports where to,
//   the ms until the video played again past that point, and the frames shown meanwhile.
// --rate R: play at R× once the first frame is shown (`video.playbackRate`).
// --memory: every 500 ms once playing, sample the private memory of the tab's renderer
//   process(es) (Chromium: Private_Clean + Private_Dirty + Swap of every descendant with
//   --type=renderer, as benches/browser/playback.mjs), the JS heap and the player's wasm memory.
// --memory-dump: with --memory in Chromium, every 5 s also a memory-infra dump of the renderer
//   (tests/e2e/memory-dump.mjs): its size by allocator (`samples[i].allocators`).
// The report always holds `media`: frames shown and dropped (getVideoPlaybackQuality), the
// bytes through the audio and video decoders (Chromium) or whether the pipeline holds an audio
// stream (Firefox: mozHasAudio), and the duration.
// --also URL (repeatable): after URL, the same browser opens each of these in turn, in a page
//   of its own, with the same options (one browser launch for several films); their reports
//   are in `also`, in order.
import { engineFromArgs, launch } from './browser.mjs';
import { confirmAdds } from './owner.mjs';
import { rendererAllocators } from './memory-dump.mjs';
import { rendererPrivate } from './renderer-memory.mjs';

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
const strOpt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
const hostMap = strOpt('--host-map');
const tokens = (strOpt('--tokens') || '').split(',').filter(Boolean);
const share = args.includes('--share');
const noConfirm = args.includes('--no-confirm');
const seekTo = opt('--seek-to', null);
const afterSeek = opt('--after-seek', 2);
const rate = opt('--rate', 1);
const memory = args.includes('--memory');
const memoryDump = args.includes('--memory-dump');
if (!url) {
  console.error('usage: node tests/e2e/play.mjs URL [--play-seconds N] [--timeout-ms N]');
  process.exit(2);
}

const engine = engineFromArgs(args);
const also = args.flatMap((a, i) => (a === '--also' ? [args[i + 1]] : []));
const browser = await launch(engine, { hostMap });
let report;
try {
  report = await playOne(url);
  if (also.length) report.also = [];
  for (const u of also) report.also.push(await playOne(u));
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));

/// Opens `url` in a new page and plays it as the options say; the report of that page.
async function playOne(url) {
  const result = { url, engine, errors: [], console: [], tokenPrompts: [], confirmations: [] };
  const api = { events: 0, piecesPolls: 0, statsPolls: 0, adds: [] };
  let page = null;
  try {
    page = await browser.newPage();
    page.on('pageerror', (e) => result.errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') result.console.push(m.text()); });
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.searchParams.has('by')) return; // this harness's own requests
      const path = u.pathname;
      if (/^\/api\/torrents\/[^/]+\/events$/.test(path)) api.events++;
      else if (/^\/api\/torrents\/[^/]+\/pieces$/.test(path)) api.piecesPolls++;
      else if (/^\/api\/torrents\/[^/]+$/.test(path) && r.method() === 'GET') api.statsPolls++;
      else if (path === '/api/torrents' && r.method() === 'POST') {
        const h = r.headers();
        api.adds.push({ authorization: h.authorization || null, token: h['x-riptide-token'] || null,
          consent: !!h['x-riptide-consent'] });
      }
    });

    // Film bytes the server sent, counted by the page from the finished responses of the file
    // endpoint (Resource Timing, which both engines keep; an observer sees every entry even
    // when the timing buffer is full).
    let fileBytes = 0;
    let fileBytesAtFirstFrame = null;
    await page.initScript(() => {
      window.__fileBytes = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (/\/api\/torrents\/[^/]+\/files\//.test(e.name)) window.__fileBytes += e.encodedBodySize;
        }
      }).observe({ type: 'resource', buffered: true });
    });

    // Record the moment of the first 'playing' event (media events do not bubble, but a capturing
    // listener on the document sees them), with the player's own byte count and torrent stats.
    // Times the video stalled for want of data after its first frame ('waiting').
    await page.initScript(() => {
      window.__waiting = 0;
      document.addEventListener('waiting', () => { if (window.__firstFrame) window.__waiting += 1; }, true);
    });
    // The first 'canplay' (the first fragment is in): a video that waits long after it for
    // 'playing' was not asked to play (tests compare the two).
    await page.initScript(() => {
      document.addEventListener('canplay', () => { if (!window.__canplayMs) window.__canplayMs = performance.now(); }, true);
    });
    await page.initScript(() => {
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
        const v = document.querySelector('video');
        window.__firstFrame = { ms: performance.now(), canplayMs: window.__canplayMs || null,
          playerBytes: bytes, playerReceived: received,
          currentTime: v ? v.currentTime : null };
        if (r.torrentId) {
          fetch(`/api/torrents/${r.torrentId}?by=harness`).then((x) => x.json())
            .then((j) => { window.__firstFrame.torrent = j; }).catch(() => {});
        }
      }, true);
    });

    await page.goto(url);
    if (!noConfirm) confirmAdds(page, result.confirmations);
    if (clickSelector) await page.click(clickSelector, { timeout: timeoutMs });
    const deadline = Date.now() + timeoutMs;
    let last = null;
    let switched = null;
    let seek = null;
    let rateSet = false;
    const samples = [];
    let lastSample = 0;
    let lastDump = 0;
    const cdp = memoryDump && browser.cdp ? await browser.cdp() : null;
    if (memory) result.idleRendererPrivate = rendererPrivate();
    if (cdp) result.idleAllocators = await rendererAllocators(cdp);
    while (Date.now() < deadline) {
      last = await page.evaluate(() => {
        const v = document.querySelector('video');
        const s = document.querySelector('#status');
        const r = window.riptide || {};
        const st = r.status || null;
        return {
          fileBytes: window.__fileBytes || 0,
          currentTime: v ? v.currentTime : null,
          videoError: v && v.error ? `${v.error.code} ${v.error.message}` : null,
          status: s ? s.textContent : null,
          statusIsError: !!(s && s.classList.contains('error')),
          problem: r.problem || null,
          firstFrame: window.__firstFrame || null,
          seek: window.__seek || null,
          media: v ? {
            quality: v.getVideoPlaybackQuality ? (({ totalVideoFrames, droppedVideoFrames }) =>
              ({ totalVideoFrames, droppedVideoFrames }))(v.getVideoPlaybackQuality()) : null,
            audioDecoded: v.webkitAudioDecodedByteCount ?? null,
            videoDecoded: v.webkitVideoDecodedByteCount ?? null,
            hasAudio: v.mozHasAudio ?? null,
            duration: v.duration,
            rate: v.playbackRate,
            waiting: window.__waiting || 0,
            heap: performance.memory ? performance.memory.usedJSHeapSize : null,
            wasm: (() => { try { return r.player && r.sample ? r.sample().wasmMemory : null; } catch (_) { return null; } })(),
          } : null,
          playerStatus: st ? JSON.parse(JSON.stringify(st)) : null,
          watch: {
            mode: r.watchMode || null,
            pieces: r.pieces || null,
            statsText: (document.querySelector('#stats') || {}).textContent || '',
          },
          tokenForm: (() => {
            const f = document.querySelector('#token-form');
            return f && !f.hidden ? document.querySelector('#token-why').textContent : null;
          })(),
          confirm: (() => {
            const box = document.querySelector('#confirm');
            return box && !box.hidden ? { name: document.querySelector('#confirm-name').textContent,
              magnet: document.querySelector('#confirm-magnet').textContent } : null;
          })(),
          storedToken: (() => { try { return localStorage.getItem('riptide.addToken'); } catch (_) { return null; } })(),
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
      fileBytes = last.fileBytes;
      delete last.fileBytes;
      if (last.firstFrame && fileBytesAtFirstFrame === null) fileBytesAtFirstFrame = fileBytes;
      if (last.tokenForm !== null && result.tokenPrompts.length < tokens.length) {
        result.tokenPrompts.push({ why: last.tokenForm, status: last.status });
        await page.fill('#token', tokens[result.tokenPrompts.length - 1]);
        await page.click('#token-submit');
        continue;
      }
      // --no-confirm: the page asks the owner; watch 3 s more (nothing may be added meanwhile).
      if (noConfirm && last.confirm) {
        if (!result.confirmShownAt) result.confirmShownAt = Date.now();
        else if (Date.now() - result.confirmShownAt > 3000) break;
      }
      // (An error with the token form up waits for the form's retry while tokens are left.)
      if (last.videoError || (last.statusIsError && result.tokenPrompts.length >= tokens.length)) break; // the page gave up: report it now
      if (switchAudioAt !== null && !switched && last.currentTime >= switchAudioAt) {
        const from = last.tracks.audio.find((t) => t.selected);
        const to = last.tracks.audio.find((t) => t.playable && !t.selected);
        if (to) {
          await page.select('#audio-track', String(to.id));
          switched = { at: last.currentTime, from: from ? from.id : null, to: to.id };
        }
      }
      if (rate !== 1 && !rateSet && last.firstFrame) {
        await page.evaluate((r) => { document.querySelector('video').playbackRate = r; }, rate);
        rateSet = true;
      }
      if (memory && last.firstFrame && Date.now() - lastSample >= 500) {
        lastSample = Date.now();
        const ps = last.playerStatus || {};
        const sample = { wall: Date.now(), t: last.currentTime, rendererPrivate: rendererPrivate(), heap: last.media && last.media.heap,
          wasm: last.media && last.media.wasm, quality: last.media && last.media.quality,
          buffered: ps.buffered, framesInFlight: ps.frames_in_flight };
        if (cdp && Date.now() - lastDump >= 5000) {
          lastDump = Date.now();
          sample.allocators = await rendererAllocators(cdp);
        }
        samples.push(sample);
      }
      const switchDone = switchAudioAt === null || switched;
      const reached = last.currentTime !== null && last.currentTime >= playSeconds && switchDone
          && last.firstFrame && last.firstFrame.torrent;
      if (reached && seekTo !== null && !seek) {
        // Jump as a viewer would, then time (in the page, per media event) until the video
        // plays again past the new point.
        seek = await page.evaluate((f) => {
          const v = document.querySelector('video');
          const q0 = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : null;
          const to = v.duration * f;
          const s = { from: v.currentTime, to, framesBefore: q0, playingMs: null, seekedMs: null };
          window.__seek = s;
          const t0 = performance.now();
          v.addEventListener('seeked', () => { if (s.seekedMs === null) s.seekedMs = performance.now() - t0; }, { once: true });
          const onTime = () => {
            if (!v.seeking && v.currentTime > to + 0.1 && s.playingMs === null) {
              s.playingMs = performance.now() - t0;
              v.removeEventListener('timeupdate', onTime);
            }
          };
          v.addEventListener('timeupdate', onTime);
          v.currentTime = to;
          return s;
        }, seekTo);
        continue;
      }
      if (reached && seekTo === null) break;
      if (seek && last.seek && last.seek.playingMs !== null && last.currentTime >= last.seek.to + afterSeek) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Let the byte counter see the responses still in flight.
    await new Promise((r) => setTimeout(r, 300));
    fileBytes = await page.evaluate(() => window.__fileBytes || 0).catch(() => fileBytes);
    if (share) {
      const read = () => page.evaluate(() => ({
        shown: !document.querySelector('#share').hidden,
        link: document.querySelector('#share-link').value,
        script: document.querySelector('#share-script').value,
        iframe: document.querySelector('#share-iframe').value,
      }));
      await page.click('#share summary');
      result.share = await read();
      await page.check('#share-start');
      result.shareAt = { ...(await read()), currentTime: await page.evaluate(() => document.querySelector('video').currentTime) };
    }
    Object.assign(result, last, { fileBytesSeen: fileBytes, fileBytesAtFirstFrame, switched, api });
    if (memory) result.samples = samples;
  } catch (e) {
    result.errors.push(String(e && e.stack || e));
  } finally {
    // The next film gets a page of its own (and the player of this one stops).
    if (page && also.length) await page.close().catch(() => {});
  }
  return result;
}
