// A test double of Safari's ManagedMediaSource, for Chromium (no Safari runs here): installed
// as `window.ManagedMediaSource` before the player starts, it behaves as the browser does in
// the three ways the player must handle (W3C Media Source Extensions 2, "ManagedMediaSource"):
// - it is a MediaSource whose `streaming` flag the browser sets: true (event `startstreaming`)
//   while less than `low` seconds are buffered ahead of the playhead, false (`endstreaming`)
//   once `high` seconds are (checked every 100 ms and after each append or removal);
// - Safari opens it only for a video with `disableRemotePlayback` (or an AirPlay source):
//   recorded as `remotePlaybackAllowed` if the video lacks it at `sourceopen`;
// - the browser evicts buffered media on its own: once, when the playhead passes `evictAt`
//   seconds while not streaming, everything from `keep` seconds ahead of the playhead to the
//   end is removed (with `SourceBuffer.remove`, the only way a page can; Safari does it inside
//   the engine), and `bufferedchange` fires on each buffer.
// Everything it sees goes to `window.__mms`: appends (and those made while not streaming),
// streaming events, evictions.
(function install(opts) {
  const low = opts.low, high = opts.high, evictAt = opts.evictAt, keep = opts.keep;
  const log = (window.__mms = {
    created: 0, appends: 0, appendsNotStreaming: 0, appendsAfterEviction: 0,
    startstreaming: 0, endstreaming: 0, evictions: [], remotePlaybackAllowed: false,
  });
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = function (o) {
    const url = createObjectURL.call(URL, o);
    if (o instanceof ManagedMediaSource) o.__url = url;
    return url;
  };
  const aheadOf = (ranges, t) => {
    for (let i = 0; i < ranges.length; i++) {
      if (ranges.start(i) <= t + 0.5 && ranges.end(i) > t) return ranges.end(i) - t;
    }
    return 0;
  };
  class ManagedMediaSource extends MediaSource {
    constructor() {
      super();
      log.created++;
      this.__streaming = false;
      this.addEventListener('sourceopen', () => this.__open(), { once: true });
    }
    get streaming() { return this.__streaming; }
    addSourceBuffer(type) {
      const sb = super.addSourceBuffer(type);
      const append = sb.appendBuffer;
      sb.appendBuffer = (data) => {
        log.appends++;
        if (!this.__streaming) log.appendsNotStreaming++;
        if (log.evictions.length) log.appendsAfterEviction++;
        return append.call(sb, data);
      };
      // Like the browser, it looks again whenever a buffer changes, not only on its timer.
      sb.addEventListener('updateend', () => this.__streamingCheck());
      return sb;
    }
    __video() {
      return Array.from(document.querySelectorAll('video')).find((v) => v.src === this.__url);
    }
    __set(streaming) {
      this.__streaming = streaming;
      const name = streaming ? 'startstreaming' : 'endstreaming';
      log[name]++;
      this.dispatchEvent(new Event(name));
    }
    __streamingCheck() {
      const video = this.__video();
      if (!video || this.readyState === 'closed') return;
      const ahead = aheadOf(video.buffered, video.currentTime);
      if (!this.__streaming && ahead < low) this.__set(true);
      else if (this.__streaming && ahead >= high) this.__set(false);
    }
    __open() {
      const video = this.__video();
      if (!video || !video.disableRemotePlayback) log.remotePlaybackAllowed = true;
      const timer = setInterval(() => {
        if (this.readyState === 'closed' || !video) { clearInterval(timer); return; }
        this.__streamingCheck();
        const t = video.currentTime;
        const buffers = Array.from(this.sourceBuffers);
        if (!log.evictions.length && !this.__streaming && t >= evictAt && buffers.length
            && buffers.every((sb) => !sb.updating)) {
          const from = t + keep;
          const end = video.buffered.length ? video.buffered.end(video.buffered.length - 1) : from;
          if (end <= from) return;
          log.evictions.push({ at: t, from, to: end });
          for (const sb of buffers) {
            sb.addEventListener('updateend', () => sb.dispatchEvent(new Event('bufferedchange')), { once: true });
            sb.remove(from, Infinity);
          }
        }
      }, 100);
    }
  }
  window.ManagedMediaSource = ManagedMediaSource;
})
