// N headless Chromium viewers of one seeded file, started `--gap-ms` apart, each reading the
// file front to back through www/lib/p2p.js's Swarm.fetch (the hook the player calls) at a
// steady pace, the way the player's fetch-ahead does; the real signalling socket of the
// server, real RTCDataChannels, host ICE candidates only. Prints one JSON line: per viewer the
// bytes from the server and from peers, pieces found bad, peers dropped, and whether the bytes
// it assembled equal the server's file (SHA-256).
//
//   node tests/e2e/p2p.mjs --base http://127.0.0.1:PORT --hash INFOHASH [--viewers 3]
//     [--gap-ms 2500] [--chunk 1048576] [--pace-ms 150] [--corrupt 0] [--p2p 1]
// `--corrupt K` makes viewer K (1-based) flip a byte in every piece it sends.
import { launchChromium } from './chromium.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const base = arg('base');
const hash = arg('hash');
const viewers = Number(arg('viewers', 3));
const gapMs = Number(arg('gap-ms', 2500));
const chunk = Number(arg('chunk', 1 << 20));
const paceMs = Number(arg('pace-ms', 150));
const corrupt = Number(arg('corrupt', 0));
const p2p = arg('p2p', '1') === '1';

// mDNS names instead of host addresses would need a resolver on the machine; the test wants
// plain host candidates.
const browser = await launchChromium(['--disable-features=WebRtcHideLocalIpsWithMdns']);
try {
  const runs = [];
  for (let v = 1; v <= viewers; v++) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/api/status`);
    runs.push(page.evaluate(async ({ hash, chunk, paceMs, bad, p2p }) => {
      const m = await import('/lib/p2p.js');
      const torrent = new Uint8Array(await (await fetch(`/api/torrents/${hash}/torrent`)).arrayBuffer());
      const map = m.pieceMap(torrent, 0);
      const url = `/api/torrents/${hash}/files/0`;
      const swarm = p2p
        ? new m.Swarm(`ws://${location.host}/api/torrents/${hash}/swarm`, map,
          { warmupBytes: 2 * chunk, minAheadSecs: 0, corrupt: bad })
        : null;
      const get = swarm ? swarm.fetch : fetch;
      let fromServerPlain = 0;
      // Give the signalling a moment, as a player's startup would.
      await new Promise((r) => setTimeout(r, 1500));
      const parts = [];
      const t0 = performance.now();
      let late = 0;
      for (let s = 0; s < map.fileLength; s += chunk) {
        const e = Math.min(map.fileLength, s + chunk);
        const t = performance.now();
        const r = await get(url, { headers: { Range: `bytes=${s}-${e - 1}` } });
        const b = new Uint8Array(await r.arrayBuffer());
        if (!swarm) fromServerPlain += b.length;
        parts.push(b);
        // A "stall": a chunk that took longer than the pace the playback needs.
        if (performance.now() - t > 4 * paceMs + 1000) late += 1;
        await new Promise((r) => setTimeout(r, paceMs));
      }
      const all = new Uint8Array(map.fileLength);
      let at = 0;
      for (const p of parts) { all.set(p, at); at += p.length; }
      const direct = new Uint8Array(await (await fetch(url)).arrayBuffer());
      const hex = async (x) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', x)),
        (y) => y.toString(16).padStart(2, '0')).join('');
      const same = (await hex(all)) === (await hex(direct));
      // Stay in the swarm a little so later viewers can still ask.
      await new Promise((r) => setTimeout(r, 4000));
      const stats = swarm ? { ...swarm.stats } : { fromServer: fromServerPlain, fromPeers: 0 };
      swarm?.close();
      return { ...stats, same, late, ms: Math.round(performance.now() - t0), length: map.fileLength };
    }, { hash, chunk, paceMs, bad: v === corrupt, p2p }));
    await new Promise((r) => setTimeout(r, gapMs));
  }
  const results = await Promise.all(runs);
  console.log(JSON.stringify({ viewers, p2p, corrupt, results }));
  // What a user would check: every viewer got the server's bytes, none waited past the pace,
  // with P2P on every later viewer got some bytes from peers (unless a corrupt viewer was the
  // only peer), and a corrupt viewer was found out and dropped by the others.
  const fail = [];
  results.forEach((r, k) => {
    if (!r.same) fail.push(`viewer ${k + 1} assembled bytes that differ from the server's file`);
    if (r.late) fail.push(`viewer ${k + 1} waited too long for ${r.late} chunks`);
    if (p2p && !corrupt && k > 0 && !(r.fromPeers > 0)) fail.push(`viewer ${k + 1} got nothing from peers`);
  });
  if (corrupt && !results.some((r, k) => k + 1 !== corrupt && r.droppedPeers > 0 && r.badPieces > 0)) {
    fail.push('no viewer detected and dropped the corrupt one');
  }
  if (fail.length) { console.error(fail.join('\n')); process.exitCode = 1; }
} finally {
  await browser.close();
}
