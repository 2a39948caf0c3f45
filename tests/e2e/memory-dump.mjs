// Where a Chromium renderer's memory is, by allocator: one memory-infra dump (the data behind
// chrome://tracing's memory view) taken through the browser's DevTools session. The totals
// split what /proc says the renderer holds (tests/e2e/renderer-memory.mjs) into malloc
// (media frames and codecs live there), partition_alloc (ArrayBuffer backing stores among
// them), v8 (the JS heap and wasm memory), blink_gc and the rest, so a memory figure can be
// explained rather than guessed. Used by play.mjs --memory-dump (Chromium only).

/**
 * Takes one detailed memory dump and returns, for each renderer process, the size of every
 * allocator at the first two levels of its name (e.g. `malloc`, `partition_alloc/partitions`,
 * `v8/main`) in bytes, with `private_footprint` from the process totals.
 * @param {any} cdp a browser-level CDP session (playwright's `newBrowserCDPSession()`)
 */
export async function rendererAllocators(cdp) {
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: {
      includedCategories: ['disabled-by-default-memory-infra'],
      excludedCategories: ['*'],
      memoryDumpConfig: { triggers: [] },
    },
  });
  const dump = await cdp.send('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' });
  await cdp.send('Tracing.end');
  const { stream } = await done;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(text);
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents || [];
  const names = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'process_name') names.set(e.pid, e.args && e.args.name);
  }
  const out = [];
  for (const e of events) {
    if (e.ph !== 'v' || !e.args || !e.args.dumps) continue;
    if (!/renderer/i.test(names.get(e.pid) || '')) continue;
    const d = e.args.dumps;
    const sizes = {};
    for (const [name, a] of Object.entries(d.allocators || {})) {
      const parts = name.split('/');
      if (parts.length > 2) continue;
      const size = a.attrs && a.attrs.size ? parseInt(a.attrs.size.value, 16) : null;
      if (size !== null) sizes[name] = size;
    }
    const totals = d.process_totals || {};
    const hex = (v) => (v === undefined ? null : parseInt(v, 16));
    out.push({ pid: e.pid, ok: dump.success, privateFootprint: hex(totals.private_footprint_bytes), allocators: sizes });
  }
  return out;
}
