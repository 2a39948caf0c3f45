// @ts-check
// What a viewer and a memory profiler would see, for tests and benches: `sample()` takes one
// snapshot (playhead, buffer, state, memory: the JS heap where the browser tells, wasm linear
// memory, bytes received); `startTrace()` takes one every `intervalMs` into `state.trace`.

/** @typedef {import('./engine.js').Player} Player */
/** @typedef {import('./engine.js').PlayerStatus} PlayerStatus */

/**
 * @typedef {object} TraceState
 * @property {Player | null} player
 * @property {string} state
 * @property {any} stats
 * @property {object[]} trace
 */

/**
 * @param {HTMLVideoElement} video
 * @param {TraceState} state
 */
export function setUpTrace(video, state) {
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let traceTimer;

  function sample() {
    const s = /** @type {Partial<PlayerStatus>} */ (state.player ? state.player.status() : {});
    const mem = /** @type {any} */ (performance).memory || {};
    const ranges = [];
    for (let i = 0; i < video.buffered.length; i++) ranges.push([video.buffered.start(i), video.buffered.end(i)]);
    return {
      wall: Date.now(),
      t: performance.now(),
      currentTime: video.currentTime,
      paused: video.paused,
      rate: video.playbackRate,
      readyState: video.readyState,
      state: s.state || state.state,
      pageState: state.state,
      ahead: s.buffered_ahead || 0,
      buffered: ranges,
      jsHeap: mem.usedJSHeapSize || null,
      wasmMemory: s.wasm_memory || null,
      cacheBytes: s.cache_bytes || 0,
      bytes: s.received || 0,
      removedSecs: s.removed_secs || 0,
      // Seconds ahead at which fetching pauses and seconds kept behind, for this film (the
      // configured seconds cut by the media byte budget).
      highWatermark: s.high_watermark || 0,
      backBuffer: s.back_buffer || 0,
      stalledMs: s.stalled_ms || 0,
      peers: state.stats ? state.stats.peers : null,
      downBps: state.stats ? state.stats.download_speed_bps : null,
    };
  }

  function startTrace(intervalMs = 500) {
    stopTrace();
    state.trace = [];
    traceTimer = setInterval(() => state.trace.push(sample()), intervalMs);
  }

  function stopTrace() {
    clearInterval(traceTimer);
    traceTimer = undefined;
  }

  return { sample, startTrace, stopTrace };
}
