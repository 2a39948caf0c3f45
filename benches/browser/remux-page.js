// In-browser remux throughput, page side (driven by benches/browser/remux.mjs).
//
// bench.load(url) fetches the whole film into an ArrayBuffer once (not timed: "from memory,
// no network"). bench.run(engine) remuxes it to fragmented MP4 and returns the time, the
// output size and memory:
//   riptide:    remux-wasm's Pipeline through target/bench-pkg (benches/wasm): JS feeds the
//               ranges it asks for (1 MiB at least, as the player fetches) and takes every
//               fragment as a Uint8Array view of wasm memory, valid until the next call (the
//               player passes the same kind of view to appendBuffer, which copies it at once).
//   mediabunny: npm mediabunny's Conversion (no re-encoding) from a BufferSource to an
//               Mp4OutputFormat({fastStart: 'fragmented'}) StreamTarget whose chunks are dropped.
// The first run of an engine in a fresh page is "cold": it includes loading and compiling the
// engine's module (wasm instantiate / JS parse) and runs with an unwarmed JIT.
// Memory: peak performance.memory.usedJSHeapSize above the level before the run (Chromium
// runs with --enable-precise-memory-info; sampled at every output chunk and every 5 ms), plus
// the wasm linear memory size after the run (it never shrinks, so that is its peak). The
// input ArrayBuffer is outside the JS heap for both engines and is not counted.

let film = null;
let riptideMod = null;
let riptideMemory = null;
let mediabunny = null;

const heap = () => performance.memory.usedJSHeapSize;

async function load(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
  film = await r.arrayBuffer();
  return film.byteLength;
}

async function riptideRun(sample) {
  if (!riptideMod) {
    riptideMod = await import('/pkg/riptide_bench_wasm.js');
    const exports = await riptideMod.default();
    riptideMemory = exports.memory;
  }
  const size = film.byteLength;
  const r = new riptideMod.BenchRemux(size);
  let outBytes = 0;
  let n = 0;
  for (;;) {
    const out = r.next();
    if (out === null) break;
    if (out === undefined) {
      const off = r.need_offset();
      const len = Math.min(r.need_len(), size - off);
      r.feed(off, new Uint8Array(film, off, Math.max(0, len)));
      continue;
    }
    outBytes += out.length;
    if ((++n & 3) === 0) sample();
  }
  const packets = r.packets();
  r.free();
  return { outBytes, packets, wasmBytes: riptideMemory.buffer.byteLength };
}

async function mediabunnyRun(sample) {
  if (!mediabunny) mediabunny = await import('/mediabunny.mjs');
  const mb = mediabunny;
  let outBytes = 0;
  const input = new mb.Input({ formats: mb.ALL_FORMATS, source: new mb.BufferSource(film) });
  const output = new mb.Output({
    format: new mb.Mp4OutputFormat({ fastStart: 'fragmented' }),
    target: new mb.StreamTarget(new WritableStream({
      write(chunk) { outBytes += chunk.data.length; sample(); },
    })),
  });
  const conversion = await mb.Conversion.init({ input, output });
  if (!conversion.isValid) {
    const why = conversion.discardedTracks.map((t) => t.reason).join(', ');
    throw new Error(`mediabunny cannot convert this file (${why || 'no usable track'})`);
  }
  const reencoded = conversion.utilizedTracks.length; // tracks kept
  await conversion.execute();
  return { outBytes, packets: null, wasmBytes: 0, tracks: reencoded };
}

async function run(engine) {
  if (!film) throw new Error('call bench.load first');
  if (window.gc) window.gc();
  const base = heap();
  let peak = base;
  const sample = () => { const h = heap(); if (h > peak) peak = h; };
  const timer = setInterval(sample, 5);
  const t0 = performance.now();
  try {
    const res = engine === 'riptide' ? await riptideRun(sample) : await mediabunnyRun(sample);
    const ms = performance.now() - t0;
    sample();
    return { ms, inBytes: film.byteLength, ...res, heapPeakBytes: peak - base };
  } finally {
    clearInterval(timer);
  }
}

window.bench = { load, run };
window.benchReady = true;
