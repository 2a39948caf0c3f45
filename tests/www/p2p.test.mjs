// Unit tests of www/lib/p2p.js in Node: the .torrent's piece hashes, SHA-1 checks, which
// pieces a range covers, and the request path of Swarm.fetch with stand-in peers (data
// channels replaced by objects that answer requests; the real WebRTC path is driven in
// Chromium by tests/e2e/p2p.mjs, run by benches/browser/p2p.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bdecode, parseRange, pieceMap, Swarm, verifyPiece, wholePieces } from '../../www/lib/p2p.js';

const enc = new TextEncoder();
/** Bencodes numbers, strings, Uint8Arrays, arrays and objects (keys sorted). */
function benc(v) {
  if (typeof v === 'number') return enc.encode(`i${v}e`);
  if (typeof v === 'string') v = enc.encode(v);
  if (v instanceof Uint8Array) return Buffer.concat([enc.encode(`${v.length}:`), v]);
  if (Array.isArray(v)) return Buffer.concat([enc.encode('l'), ...v.map(benc), enc.encode('e')]);
  const keys = Object.keys(v).sort();
  return Buffer.concat([enc.encode('d'), ...keys.flatMap((k) => [benc(k), benc(v[k])]), enc.encode('e')]);
}

const PIECE = 1000;
/** A two-file torrent: 2500 bytes of a.txt, then 7300 of film.mkv (pieces of 1000). */
const a = Buffer.alloc(2500, 7);
const film = Buffer.from(Array.from({ length: 7300 }, (_, i) => (i * 31 + 5) & 255));
const all = Buffer.concat([a, film]);
const hashes = [];
for (let o = 0; o < all.length; o += PIECE) hashes.push(createHash('sha1').update(all.subarray(o, o + PIECE)).digest());
const torrent = benc({
  announce: 'http://example.invalid/',
  info: { name: 'x', 'piece length': PIECE, pieces: Buffer.concat(hashes),
    files: [{ length: 2500, path: ['a.txt'] }, { length: 7300, path: ['film.mkv'] }] },
});

test('the piece hashes and the file\'s place among the pieces come from the .torrent', () => {
  const m = pieceMap(torrent, 1);
  assert.equal(m.pieceLength, PIECE);
  assert.equal(m.fileOffset, 2500);
  assert.equal(m.fileLength, 7300);
  assert.equal(m.totalLength, 9800);
  assert.equal(m.hashes.length, 20 * 10);
  assert.throws(() => pieceMap(torrent, 2), /no file 2/);
  assert.throws(() => pieceMap(enc.encode('d4:infod6:pieces3:abcee'), 0), /no valid piece hashes/);
  assert.throws(() => bdecode(enc.encode('x')), /not bencoded/);
  assert.throws(() => bdecode(enc.encode('9:abc')), /longer than the file/);
});

test('only pieces wholly inside the film are shareable, and SHA-1 decides what is good', async () => {
  const m = pieceMap(torrent, 1);
  // Film bytes 0..7300 are torrent bytes 2500..9800: piece 2 straddles a.txt, 3..9 are inside.
  assert.deepEqual(wholePieces(m, 0, 7300), [3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(wholePieces(m, 500, 2500), [3, 4]);
  assert.deepEqual(wholePieces(m, 501, 2500), [4]);
  assert.deepEqual(wholePieces(m, 501, 2499), []);
  assert.ok(await verifyPiece(m, 9, all.subarray(9000, 9800)), 'the short last piece');
  assert.ok(await verifyPiece(m, 4, all.subarray(4000, 5000)));
  const bad = Buffer.from(all.subarray(4000, 5000));
  bad[10] ^= 1;
  assert.equal(await verifyPiece(m, 4, bad), false);
  assert.equal(await verifyPiece(m, 4, all.subarray(4000, 4999)), false, 'wrong length');
  assert.deepEqual(parseRange('bytes=10-19'), [10, 20]);
  assert.equal(parseRange('bytes=10-'), null);
});

/** A Swarm whose signalling socket never opens, whose server is `film` sliced, and whose
 * peers are stand-ins that hold `film` (optionally corrupt, or silent). */
function harness(peerKinds) {
  globalThis.WebSocket = class { close() {} };
  const serverRanges = [];
  const fetchFn = async (_url, init) => {
    const [s, e] = parseRange(new Headers(init.headers).get('Range'));
    serverRanges.push([s, e]);
    return new Response(film.subarray(s, e), { status: 206, headers: { 'Content-Range': `bytes ${s}-${e - 1}/7300` } });
  };
  const swarm = new Swarm('ws://unused', pieceMap(torrent, 1), {
    fetch: fetchFn, warmupBytes: 1000, minAheadSecs: 0, deadlineMs: 200,
  });
  const peers = peerKinds.map((kind, n) => {
    const peer = { id: `p${n}`, pc: { close() {} }, have: new Set([3, 4, 5, 6, 7, 8, 9]), wanted: new Map() };
    peer.dc = {
      readyState: 'open', bufferedAmount: 0,
      send(text) {
        const m = JSON.parse(text);
        if (m.t !== 'req' || kind === 'silent') return;
        const piece = Buffer.from(all.subarray(m.i * PIECE, m.i * PIECE + PIECE));
        if (kind === 'corrupt') piece[0] ^= 0xff;
        const frame = Buffer.alloc(8 + piece.length);
        frame.writeUInt32BE(m.i, 0);
        frame.writeUInt32BE(0, 4);
        piece.copy(frame, 8);
        queueMicrotask(() => swarm.onChunk(peer, new Uint8Array(frame)));
      },
    };
    swarm.peers.set(peer.id, peer);
    return peer;
  });
  return { swarm, serverRanges, peers };
}

const get = async (swarm, s, e) => {
  const r = await swarm.fetch('http://x/f', { headers: { Range: `bytes=${s}-${e - 1}` } });
  assert.equal(r.status, 206);
  return Buffer.from(await r.arrayBuffer());
};

test('start and seeks come from the server; the fetch-ahead comes from peers', async () => {
  const { swarm, serverRanges } = harness(['good']);
  assert.deepEqual(await get(swarm, 0, 1500), film.subarray(0, 1500));
  assert.deepEqual(serverRanges, [[0, 1500]], 'startup asks the server even with a peer');
  // Continues the previous request after the warm-up: pieces 4..6 (film 1500..4500) from the peer.
  assert.deepEqual(await get(swarm, 1500, 4800), film.subarray(1500, 4800));
  assert.deepEqual(serverRanges.slice(1), [[4500, 4800]], 'only the partial tail from the server');
  assert.equal(swarm.stats.fromPeers, 3000);
  // A seek (not contiguous) goes to the server again.
  await get(swarm, 6500, 7300);
  assert.deepEqual(serverRanges.at(-1), [6500, 7300]);
  swarm.close();
});

test('a peer sending a corrupt piece is dropped and the bytes come from the server', async () => {
  const { swarm, serverRanges } = harness(['corrupt']);
  await get(swarm, 0, 1500);
  assert.deepEqual(await get(swarm, 1500, 4500), film.subarray(1500, 4500), 'the player gets good bytes');
  assert.equal(swarm.stats.badPieces >= 1, true);
  assert.equal(swarm.stats.droppedPeers, 1);
  assert.equal(swarm.peers.size, 0);
  assert.equal(swarm.stats.fromPeers, 0);
  assert.ok(serverRanges.length >= 2);
  swarm.close();
});

test('a silent peer misses the deadline and the server fills in', async () => {
  const { swarm } = harness(['silent']);
  await get(swarm, 0, 1500);
  const t = Date.now();
  assert.deepEqual(await get(swarm, 1500, 4500), film.subarray(1500, 4500));
  assert.ok(Date.now() - t < 1500, 'within the deadline plus the server');
  assert.equal(swarm.stats.lateOrRefused, 3);
  assert.equal(swarm.stats.fromPeers, 0);
  swarm.close();
});

test('pieces held are served to peers under the upload cap', async () => {
  const { swarm, peers } = harness([]);
  await get(swarm, 0, 7300);
  for (let k = 0; k < 100 && swarm.held.size < 7; k++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual([...swarm.held.keys()].sort(), [3, 4, 5, 6, 7, 8, 9], 'whole verified pieces only');
  swarm.opt.uploadBytesPerSec = 2000;
  const sent = [];
  const peer = { id: 'q', pc: { close() {} }, have: new Set(), wanted: new Map(),
    dc: { readyState: 'open', bufferedAmount: 0, send: (f) => sent.push(f) } };
  swarm.tokens = 0;
  swarm.lastRefill = performance.now();
  for (const i of [3, 4, 5, 6, 2]) swarm.onText(peer, JSON.stringify({ t: 'req', i }));
  const texts = sent.filter((f) => typeof f === 'string').map((f) => JSON.parse(f));
  assert.deepEqual(texts, [{ t: 'rej', i: 2 }], 'a piece not held is refused');
  const bytes = () => sent.reduce((n, f) => n + (typeof f === 'string' ? 0 : f.byteLength - 8), 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(bytes() <= 2000, `${bytes()} bytes in 300 ms at 2000 B/s`);
  for (let k = 0; k < 150 && bytes() < 4000; k++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(bytes(), 4000, 'every requested piece goes out in the end');
  assert.ok(swarm.stats.uploaded === 4000);
  assert.equal(peers.length, 0);
  swarm.close();
});

test('a peer gets only the time the buffer leaves beyond the server\'s reserve', async () => {
  const { swarm, serverRanges } = harness(['silent']);
  swarm.opt.deadlineMs = 2000;
  swarm.opt.reserveSecs = 2;
  swarm.bufferedAhead = () => 2.3; // 0.3 s for the peer, then the server
  await get(swarm, 0, 1500);
  const t = performance.now();
  assert.deepEqual(await get(swarm, 1500, 4500), film.subarray(1500, 4500));
  const ms = performance.now() - t;
  assert.ok(ms >= 250 && ms < 1000, `served after ${ms} ms, not at the 2000 ms deadline`);
  assert.equal(swarm.stats.lateOrRefused, 3);
  assert.deepEqual(serverRanges.slice(1).sort((x, y) => x[0] - y[0]), [[1500, 2500], [2500, 3500], [3500, 4500]]);
  swarm.close();
});

test('a piece a peer refuses is asked of the server at once, not after the other pieces', async () => {
  const { swarm, serverRanges } = harness(['good']);
  swarm.opt.deadlineMs = 2000;
  const peer = [...swarm.peers.values()][0];
  const send = peer.dc.send;
  // Piece 4 is refused at once; the others come after 300 ms.
  peer.dc.send = (text) => {
    const m = JSON.parse(text);
    if (m.t === 'req' && m.i === 4) queueMicrotask(() => swarm.onText(peer, JSON.stringify({ t: 'rej', i: 4 })));
    else setTimeout(() => send(text), 300);
  };
  await get(swarm, 0, 1500);
  const asked = [];
  const fetchFn = swarm.netFetch;
  const t = performance.now();
  swarm.netFetch = (url, init) => { asked.push(performance.now() - t); return fetchFn(url, init); };
  assert.deepEqual(await get(swarm, 1500, 4500), film.subarray(1500, 4500));
  assert.deepEqual(serverRanges.at(-1), [1500, 2500], 'piece 4 from the server');
  assert.equal(asked.length, 1);
  assert.ok(asked[0] < 150, `the server was asked ${asked[0]} ms in, before the other pieces came`);
  assert.equal(swarm.stats.fromPeers, 2000);
  swarm.close();
});

test('uploads wait while the viewer\'s own buffer is short, and a cancelled piece is not sent', async () => {
  const { swarm } = harness([]);
  await get(swarm, 0, 7300);
  for (let k = 0; k < 100 && swarm.held.size < 7; k++) await new Promise((r) => setTimeout(r, 20));
  const sent = [];
  const peer = { id: 'q', pc: { close() {} }, have: new Set(), wanted: new Map(),
    dc: { readyState: 'open', bufferedAmount: 0, send: (f) => sent.push(f) } };
  let ahead = 1;
  swarm.bufferedAhead = () => ahead;
  swarm.opt.uploadMinAheadSecs = 2;
  swarm.onText(peer, JSON.stringify({ t: 'req', i: 3 }));
  swarm.onText(peer, JSON.stringify({ t: 'req', i: 4 }));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(sent.length, 0, 'nothing sent with 1 s buffered');
  swarm.onText(peer, JSON.stringify({ t: 'cancel', i: 3 }));
  ahead = 5;
  for (let k = 0; k < 50 && sent.length < 1; k++) await new Promise((r) => setTimeout(r, 20));
  const pieces = sent.map((f) => new DataView(f).getUint32(0));
  assert.deepEqual(pieces, [4], 'piece 3 was cancelled, piece 4 goes out');
  swarm.close();
});

test('announces back off while they bring no peer', async () => {
  globalThis.WebSocket = class { constructor() { this.readyState = 1; } send() {} close() {} };
  const swarm = new Swarm('ws://unused', pieceMap(torrent, 1), { announceMs: 20, announceMaxMs: 1000 });
  let offers = 0;
  swarm.newConnection = () => ({
    createDataChannel: () => ({}), createOffer: async () => ({ type: 'offer', sdp: '' }),
    setLocalDescription: async () => {}, iceGatheringState: 'complete', localDescription: { sdp: '' },
    close() {},
  });
  swarm.swarmSize = 3;
  const announce = swarm.announce.bind(swarm);
  swarm.announce = () => { offers += 1; return announce(); };
  await new Promise((r) => setTimeout(r, 700));
  // 20, 40, 80, 160, 320 ms: 4 or 5 announces in 700 ms (every 20 ms would be 35).
  assert.ok(offers >= 3 && offers <= 6, `${offers} announces in 700 ms`);
  swarm.close();
});

test('the page joins the swarm only once the picture plays with 4 s of playing time buffered', async () => {
  let sockets = 0;
  globalThis.WebSocket = class { constructor() { sockets += 1; } send() {} close() {} };
  globalThis.location = { href: 'http://x/' };
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () => new Response(torrent);
  // A video whose buffer runs to `end` (s).
  let end = 0;
  const video = new EventTarget();
  Object.assign(video, { paused: false, ended: false, currentTime: 0, playbackRate: 2,
    buffered: { get length() { return end > 0 ? 1 : 0; }, start: () => 0, end: () => end } });
  let hook = null;
  const { joinSwarm } = await import('../../www/lib/p2p.js');
  const swarm = await joinSwarm({ set_fetch_hook: (h) => { hook = h; } },
    /** @type {any} */ (video), 'http://x/api/torrents/0123456789abcdef0123456789abcdef01234567/files/1');
  globalThis.fetch = realFetch;
  const tick = () => new Promise((r) => setTimeout(r, 120));
  assert.ok(swarm && hook, 'the hook is installed at once');
  end = 10;
  await tick();
  assert.equal(sockets, 0, 'no signalling before the first frame');
  end = 0.5;
  video.dispatchEvent(new Event('playing'));
  await tick();
  assert.equal(sockets, 0, 'nor while the start builds its buffer (0.25 s of playing time at 2x)');
  end = 7;
  await tick();
  assert.equal(sockets, 0, '3.5 s of playing time at 2x');
  end = 9;
  await tick();
  assert.equal(sockets, 1, 'joined with 4.5 s of playing time');
  video.dispatchEvent(new Event('seeking'));
  video.dispatchEvent(new Event('playing'));
  await tick();
  assert.equal(sockets, 1, 'joined once');
  swarm.close();
});

test('ICE servers the tracker names are used for every peer connection after its reply', async () => {
  globalThis.WebSocket = class { constructor() { this.readyState = 1; } send() {} close() {} };
  const swarm = new Swarm('ws://unused', pieceMap(torrent, 1), { later: true });
  assert.deepEqual(swarm.opt.iceServers, [], 'host candidates only by default');
  const ice = [{ urls: 'stun:stun.example.org:3478' }];
  await swarm.onSignal({ action: 'announce', incomplete: 1, ice_servers: ice });
  assert.deepEqual(swarm.opt.iceServers, ice);
  let config = null;
  globalThis.RTCPeerConnection = class { constructor(c) { config = c; } };
  swarm.newConnection();
  assert.deepEqual(config, { iceServers: ice });
  delete globalThis.RTCPeerConnection;
  swarm.close();
});
