// Plays a batch of files through the real wasm Player in one headless browser (Chromium or
// Firefox, tests/e2e/browser.mjs), a few pages at a time, and prints one JSON array on
// stdout: per file, how far playback got, whether an error fired, when the first video frame
// was shown, whether audio went through the decoder (Chromium: its decoded byte counters;
// Firefox, which has none: `mozHasAudio`, its media pipeline holding an audio stream — a
// Web Audio analyser cannot tell more here, as headless Firefox without a sound device keeps
// every AudioContext suspended), and where the browser placed the start of each track
// (`videoStart`, `audioStart`: seconds, from SourceBuffer.buffered; a SourceBuffer holding
// both tracks is split per track — its recorded init and first media segments — and each half
// is appended to a scratch MediaSource, since Chromium reports only the intersection of a
// buffer's tracks).
//
// usage: node tests/e2e/matrix.mjs JOBS.json [--browser chromium|firefox]
// JOBS.json: { "base": "http://127.0.0.1:PORT", "parallel": 3, "playSeconds": 2.2,
//              "timeoutMs": 30000, "jobs": [{ "name", "url", "size", "scenario"? }] }
// With "scenario" (see definesScenario), the job then also trims and seeks.
// The server at `base` serves /blank.html, /pkg/ (the wasm package) and the job URLs with
// Range support (crates/remux-wasm/tests/matrix/browser.rs runs one in-process).
import { readFileSync } from 'node:fs';
import { engineFromArgs, launch } from './browser.mjs';
import { rendererPrivate } from './renderer-memory.mjs';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const browser = await launch(engineFromArgs(process.argv.slice(2)));

async function play(job) {
  const result = { name: job.name, errors: [] };
  const page = await browser.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  try {
    await page.initScript(recordAppends);
    await page.initScript(definesScenario);
    await page.goto(`${spec.base}/blank.html`);
    const r = await page.evaluate(async ({ job, playSeconds, timeoutMs }) => {
      const { default: init, Player } = await import('/pkg/remux_wasm.js');
      const wasm = await init();
      const video = document.createElement('video');
      video.muted = false;
      // Not autoplay: the first frame is shown paused (so its media time is exact even on a
      // loaded machine that drops frames), then playback starts.
      video.autoplay = false;
      document.body.appendChild(video);
      const out = { errorEvent: null, playerError: null, firstFrame: null, mime: null, longestBlockMs: 0 };
      // How long the page's main thread was kept from running a 50 ms timer (a tab that
      // does not answer shows here as one long gap).
      let tick = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        out.longestBlockMs = Math.max(out.longestBlockMs, now - tick - 50);
        tick = now;
      }, 50);
      video.addEventListener('error', () => {
        out.errorEvent = video.error ? `${video.error.code} ${video.error.message}` : 'error';
      });
      // The media time of the first frame shown (requestVideoFrameCallback: exact per frame).
      // When it came (ms after the player was made) and the file bytes fetched by then.
      if (video.requestVideoFrameCallback) {
        video.requestVideoFrameCallback((_now, meta) => {
          out.firstFrame = meta.mediaTime;
          out.firstFrameMs = performance.now() - t0;
          out.bytesAtFirstFrame = player.bytes_fetched;
        });
      }
      const t0 = performance.now();
      const player = new Player(video, job.url, job.size, 0);
      if (job.scenario) {
        player.set_back_buffer(job.scenario.backBuffer);
        player.set_high_watermark(job.scenario.highWatermark);
        if (job.scenario.budget) player.set_media_budget_bytes(job.scenario.budget);
      }
      player.start().catch((e) => { out.playerError = String(e && e.message || e); });
      // How far the buffered media reaches, every 250 ms ([ms since start, seconds]): how fast
      // the player turns the file into media (for a transcoded film, its decode + encode speed).
      const fill = [];
      const filler = setInterval(() => {
        let end = 0;
        for (const b of window.__buffers) {
          const r = b.sb.buffered;
          if (r.length) end = Math.max(end, r.end(r.length - 1));
        }
        fill.push([Math.round(performance.now() - t0), end]);
      }, 250);
      let haveData = null;
      let haveMedia = null;
      let playCalled = false;
      while (performance.now() - t0 < timeoutMs) {
        if (video.readyState >= 2 && haveData === null) haveData = performance.now();
        // Media is buffered but the element never says it can show a frame (Firefox, with a
        // hole before the first media of every track): press play, as a person would.
        const buffered = window.__buffers.some((b) => b.sb.buffered.length > 0);
        if (buffered && haveMedia === null) haveMedia = performance.now();
        if (haveData === null && haveMedia !== null && performance.now() - haveMedia > 3000) {
          haveData = performance.now() - 2000;
        }
        if (haveData !== null && (out.firstFrame !== null || performance.now() - haveData > 2000)) {
          if (!playCalled || video.paused) video.play().catch(() => {});
          playCalled = true;
        }
        if (out.errorEvent || out.playerError) break;
        if (video.currentTime > playSeconds) break;
        if (video.ended) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      // A scenario keeps measuring (each audio switch reports its own longest block).
      if (!job.scenario) clearInterval(ticker);
      const s = player.status();
      out.mime = s.mime;
      out.notices = Array.from(s.notices || []);
      out.currentTime = video.currentTime;
      out.ended = video.ended;
      // Chromium's counters of bytes through the decoders (0 when a track never decoded);
      // Firefox has none, but says whether its decoder pipeline holds an audio stream.
      out.audioDecoded = video.webkitAudioDecodedByteCount ?? null;
      out.videoDecoded = video.webkitVideoDecodedByteCount ?? null;
      out.hasAudio = video.mozHasAudio ?? null;
      // Frames shown and dropped (a still picture would show as a currentTime that moves with
      // no frames behind it).
      out.quality = video.getVideoPlaybackQuality ? (({ totalVideoFrames, droppedVideoFrames }) =>
        ({ totalVideoFrames, droppedVideoFrames }))(video.getVideoPlaybackQuality()) : null;
      out.playMs = performance.now() - t0;
      try {
        Object.assign(out, await trackStarts(video.currentTime));
      } catch (e) {
        out.startsError = String(e && e.message || e);
      }
      if (job.scenario && !out.errorEvent && !out.playerError) {
        try {
          out.scenario = await scenario(video, player, job.scenario, out);
        } catch (e) {
          out.scenario = { error: String(e && e.message || e) };
        }
      }
      clearInterval(ticker);
      clearInterval(filler);
      // Memory at the end: the player's wasm linear memory and the JS heap (Chromium only).
      out.wasmMemory = wasm.memory.buffer.byteLength;
      out.jsHeap = performance.memory ? performance.memory.usedJSHeapSize : null;
      out.fill = fill;
      player.destroy();
      return out;
    }, { job, playSeconds: spec.playSeconds, timeoutMs: spec.timeoutMs });
    Object.assign(result, r);
    // The private memory of the browser's renderer processes (meaningful with one page at a
    // time: "parallel": 1).
    result.rendererPrivate = rendererPrivate(process.pid);
  } catch (e) {
    result.errors.push(String(e && e.stack || e));
  } finally {
    await page.close();
  }
  return result;
}

// In the page: plays fast until the back buffer has been trimmed, then seeks far ahead,
// sampling each of the player's SourceBuffers' ranges after each step (audio apart included).
// spec: { backBuffer, highWatermark, rate, trimAt, seekTo, afterSeek, timeoutMs }, or
// { backBuffer, highWatermark, budget?, switchTo, afterSwitch, timeoutMs }: switch the audio
// track (budget: the media byte budget, Player.set_media_budget_bytes), or
// { backBuffer, highWatermark, untilEnd: true, rate?, timeoutMs }: play to the end.
function definesScenario() {
  const ranges = (sb) => {
    const r = [];
    for (let i = 0; i < sb.buffered.length; i++) r.push([sb.buffered.start(i), sb.buffered.end(i)]);
    return r;
  };
  const sample = (video, player) => ({
    t: video.currentTime,
    removedSecs: player.status().removed_secs,
    audioDecoded: video.webkitAudioDecodedByteCount ?? null,
    hasAudio: video.mozHasAudio ?? null,
    backBuffer: player.status().back_buffer,
    buffers: window.__buffers.map((b) => ({ mime: b.mime, ranges: ranges(b.sb) })),
  });
  const until = async (cond, ms, what) => {
    const t0 = performance.now();
    while (!cond()) {
      if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  window.scenario = async (video, player, spec, out) => {
    const res = {};
    if (video.paused) await video.play().catch(() => {});
    if (spec.untilEnd) {
      if (spec.rate) video.playbackRate = spec.rate;
      // Play to the end of what the file holds: does the video reach 'ended', and what does
      // the player say?
      await until(() => video.ended || out.errorEvent || out.playerError, spec.timeoutMs, "the video's end").catch((e) => { res.waitError = e.message; });
      const st = player.status();
      res.end = { ended: video.ended, t: video.currentTime, duration: video.duration, notice: st.notice, state: st.state,
        buffers: window.__buffers.map((b) => ({ mime: b.mime, ranges: ranges(b.sb) })) };
      return res;
    }
    if (spec.switchTo != null) {
      // Audio switches (Player.select_audio) while playing, one after another (switchTo: an
      // id or a list of ids), each followed by `afterSwitch` seconds of playback. Each
      // switch's sample also holds the audio decoded just before it (`decodedBefore`) and the
      // main thread's longest block since the previous one (`blockMs`).
      res.startBlockMs = out.longestBlockMs;
      res.before = sample(video, player);
      res.switches = [];
      for (const id of [].concat(spec.switchTo)) {
        out.longestBlockMs = 0;
        const decodedBefore = video.webkitAudioDecodedByteCount ?? null;
        const t0 = video.currentTime;
        player.select_audio(id);
        await until(() => video.currentTime > t0 + spec.afterSwitch || out.errorEvent || out.playerError, spec.timeoutMs, 'playback after the switch');
        const sw = sample(video, player);
        const st = player.status();
        sw.notices = Array.from(st.notices || []);
        sw.audioTrack = st.audio_track;
        sw.from = t0;
        sw.decodedBefore = decodedBefore;
        sw.blockMs = out.longestBlockMs;
        sw.types = window.__buffers.map((b) => b.types.slice());
        res.switches.push(sw);
      }
      res.switch = res.switches[0];
      return res;
    }
    video.playbackRate = spec.rate;
    await until(() => video.currentTime > spec.trimAt || out.errorEvent || out.playerError, spec.timeoutMs, `currentTime ${spec.trimAt}`);
    // Give the loop one poll to trim after the threshold.
    await until(() => player.status().removed_secs > 0 || out.errorEvent, 5000, 'a trim').catch(() => {});
    res.trim = sample(video, player);
    video.playbackRate = 1;
    video.currentTime = spec.seekTo;
    await until(() => (video.currentTime > spec.seekTo + spec.afterSeek && !video.seeking) || out.errorEvent || out.playerError, spec.timeoutMs, 'playback after the seek');
    res.seek = sample(video, player);
    res.seek.lastSeek = player.status().last_seek;
    const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
    res.seek.quality = q ? { totalVideoFrames: q.totalVideoFrames, droppedVideoFrames: q.droppedVideoFrames } : null;
    return res;
  };
}

// In the page, before any script: records every SourceBuffer (its type) and the first bytes
// appended to it, and defines trackStarts() that reads where each track starts.
function recordAppends() {
  const buffers = [];
  window.__buffers = buffers;
  const add = MediaSource.prototype.addSourceBuffer;
  MediaSource.prototype.addSourceBuffer = function (mime) {
    const sb = add.call(this, mime);
    buffers.push({ sb, mime, types: [mime], appends: [] });
    return sb;
  };
  // A switched track changes the buffer's type: `mime` is the current one, `types` all.
  const changeType = SourceBuffer.prototype.changeType;
  if (changeType) {
    SourceBuffer.prototype.changeType = function (mime) {
      changeType.call(this, mime);
      const rec = buffers.find((b) => b.sb === this);
      if (rec) { rec.mime = mime; rec.types.push(mime); }
    };
  }
  const append = SourceBuffer.prototype.appendBuffer;
  SourceBuffer.prototype.appendBuffer = function (data) {
    const rec = buffers.find((b) => b.sb === this);
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (rec && rec.appends.length < 3) rec.appends.push(bytes.slice());
    return append.call(this, data);
  };

  // --- A small ISO-BMFF splitter for Riptide's own fMP4 (one trun per traf). ---
  const u32 = (b, at) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at);
  const type = (b, at) => String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
  function children(b, from, to) {
    const out = [];
    for (let p = from; p + 8 <= to;) {
      const size = u32(b, p);
      if (size < 8 || p + size > to) break;
      out.push({ type: type(b, p), start: p, size });
      p += size;
    }
    return out;
  }
  const whole = (b, x) => b.subarray(x.start, x.start + x.size);
  function box(kind, parts) {
    const len = 8 + parts.reduce((a, x) => a + x.length, 0);
    const o = new Uint8Array(len);
    new DataView(o.buffer).setUint32(0, len);
    for (let i = 0; i < 4; i++) o[4 + i] = kind.charCodeAt(i);
    let p = 8;
    for (const x of parts) { o.set(x, p); p += x.length; }
    return o;
  }
  const inside = (b, x) => children(b, x.start + 8, x.start + x.size);
  function trakId(b, trak) {
    const tkhd = inside(b, trak).find((x) => x.type === 'tkhd');
    return u32(b, tkhd.start + 12 + (b[tkhd.start + 8] === 1 ? 16 : 8));
  }
  // The init segment with only track `id`.
  function splitInit(b, id) {
    return concat(children(b, 0, b.length).map((top) => {
      if (top.type !== 'moov') return whole(b, top);
      return box('moov', inside(b, top).flatMap((x) => {
        if (x.type === 'trak') return trakId(b, x) === id ? [whole(b, x)] : [];
        if (x.type === 'mvex') {
          return [box('mvex', inside(b, x).filter((t) => t.type !== 'trex' || u32(b, t.start + 12) === id).map((t) => whole(b, t)))];
        }
        return [whole(b, x)];
      }));
    }));
  }
  // A media segment with only track `id`'s traf and samples.
  function splitMedia(b, id) {
    const parts = [];
    for (const moof of children(b, 0, b.length).filter((x) => x.type === 'moof')) {
      const kids = inside(b, moof);
      const traf = kids.find((x) => x.type === 'traf' && u32(b, inside(b, x).find((t) => t.type === 'tfhd').start + 12) === id);
      if (!traf) continue;
      const trun = inside(b, traf).find((x) => x.type === 'trun');
      const flags = u32(b, trun.start + 8) & 0xffffff;
      const count = u32(b, trun.start + 12);
      let p = trun.start + 16;
      const dataOffset = flags & 1 ? u32(b, p) | 0 : 0;
      if (flags & 1) p += 4;
      if (flags & 4) p += 4;
      let total = 0;
      for (let i = 0; i < count; i++) {
        if (flags & 0x100) p += 4;
        if (flags & 0x200) { total += u32(b, p); p += 4; }
        if (flags & 0x400) p += 4;
        if (flags & 0x800) p += 4;
      }
      const trafCopy = whole(b, traf).slice();
      const mfhd = whole(b, kids.find((x) => x.type === 'mfhd'));
      const newMoof = box('moof', [mfhd, trafCopy]);
      // Patch the data_offset (relative to the moof) in the copy inside newMoof.
      const trunInMoof = 8 + mfhd.length + (trun.start - traf.start);
      new DataView(newMoof.buffer).setUint32(trunInMoof + 16, newMoof.length + 8);
      const data = b.subarray(moof.start + dataOffset, moof.start + dataOffset + total);
      parts.push(newMoof, box('mdat', [data]));
    }
    return concat(parts);
  }
  function concat(parts) {
    const o = new Uint8Array(parts.reduce((a, x) => a + x.length, 0));
    let p = 0;
    for (const x of parts) { o.set(x, p); p += x.length; }
    return o;
  }
  // Appends `segments` to a scratch MediaSource of type `mime`; the start of what it buffered.
  async function startIn(mime, segments) {
    const ms = new MediaSource();
    const v = document.createElement('video');
    v.src = URL.createObjectURL(ms);
    await new Promise((res) => ms.addEventListener('sourceopen', res, { once: true }));
    const sb = add.call(ms, mime); // not recorded: a scratch buffer, not the player's
    for (const s of segments) {
      if (!s.length) continue;
      await new Promise((res, rej) => {
        sb.addEventListener('updateend', res, { once: true });
        sb.addEventListener('error', () => rej(new Error(`scratch ${mime} refused a segment`)), { once: true });
        sb.appendBuffer(s);
      });
    }
    return sb.buffered.length ? sb.buffered.start(0) : null;
  }
  // {videoStart, audioStart, audioCovers}: where the browser placed each track's start, and
  // whether the audio buffered ranges hold `now`.
  window.trackStarts = async (now) => {
    const out = { videoStart: null, audioStart: null, audioCovers: null, buffers: [] };
    for (const rec of buffers.slice()) {
      const ranges = [];
      for (let i = 0; i < rec.sb.buffered.length; i++) ranges.push([rec.sb.buffered.start(i), rec.sb.buffered.end(i)]);
      out.buffers.push({ mime: rec.mime, ranges });
      const codecs = (rec.mime.match(/codecs="([^"]*)"/) || [, ''])[1].split(',').filter(Boolean);
      const covers = ranges.some(([a, b]) => a <= now && now < b);
      if (rec.mime.startsWith('audio/mpeg') || (rec.mime.startsWith('audio/') && codecs.length === 1)) {
        out.audioStart = ranges.length ? ranges[0][0] : null;
        out.audioCovers = covers;
      } else if (codecs.length === 1) {
        out.videoStart = ranges.length ? ranges[0][0] : null;
      } else if (codecs.length === 2) {
        const [init, ...media] = rec.appends;
        const half = (id, mime) => startIn(mime, [splitInit(init, id), ...media.map((m) => splitMedia(m, id))]);
        out.videoStart = await half(1, `video/mp4; codecs="${codecs[0]}"`);
        out.audioStart = await half(2, `audio/mp4; codecs="${codecs[1]}"`);
        out.audioCovers = covers;
      }
    }
    return out;
  };
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
