// @ts-check
// Viewers of the same torrent share whole, verified pieces with each other over WebRTC data
// channels. The player's range requests go through `Swarm.fetch` (same contract as `fetch`,
// installed with `Player.set_fetch_hook`): startup, seeks and anything while the buffer is
// short go to the server; a request that continues the previous one (the fetch-ahead) takes
// the pieces it covers from peers that have them, checks each against the torrent's SHA-1
// piece hash, and fetches from the server whatever a peer did not deliver in time, refused, or
// got wrong (that peer is dropped). "In time" follows the buffer: a peer gets only what leaves
// the server time to fill in before the playhead needs the bytes, and each piece a peer fails
// to deliver is asked of the server at once. A viewer uploads only while its own buffer is
// healthy. Peers find each other through the server's signalling
// socket, `GET /api/torrents/{id}/swarm` (the WebTorrent tracker's announce messages; see
// docs/DESIGN.md "Viewers share pieces").
//
// On the data channel: text frames are JSON `{t:"have", p:[piece...]}`, `{t:"req", i}`,
// `{t:"rej", i}`, `{t:"cancel", i}` (a piece asked for is no longer wanted); binary frames are one chunk of a piece: u32 piece index, u32 offset (big
// endian), then up to CHUNK bytes.

/** Bytes of piece data per binary frame (well under every browser's message size limit). */
export const CHUNK = 16 * 1024;

/** Requests kept in `Swarm.trace`. */
const TRACE_MAX = 400;

/**
 * One request of the player, as `Swarm.fetch` saw it (ms are `performance.now()`).
 * @typedef {object} Trace
 * @property {number} at  when the player asked
 * @property {number} start  file bytes start..end
 * @property {number} end
 * @property {number} ahead  seconds buffered ahead of the playhead then
 * @property {string} route  `server` (and why: jump, warmup, short, alone) or `peers`
 * @property {number} [peerMs]  how long the slowest piece from a peer took (peers route)
 * @property {number} [fromPeers]  pieces that came from peers
 * @property {number} [failed]  pieces asked of peers that did not come (late, refused, bad)
 * @property {number | null} done  when the whole answer was ready (null: not yet)
 */

/** Defaults; each can be overridden in `new Swarm(..., options)`. */
export const DEFAULTS = {
  /** Peers to hold at once (each viewer accepts offers until it holds this many, so with
   * fewer, later viewers of a busy film find every earlier one full). */
  maxPeers: 8,
  /** Upload cap, bytes per second, all peers together. */
  uploadBytesPerSec: 4 * 1024 * 1024,
  /** A peer's piece must arrive within this, or the server is asked instead; less when the
   * buffer is short (see `reserveSecs`). */
  deadlineMs: 2000,
  /** Playing time kept for the server to fill in what peers fail to deliver: a peer's
   * deadline is at most the playing time buffered minus this (s). */
  reserveSecs: 2,
  /** Bytes fetched from the server after a start or seek before peers are asked. */
  warmupBytes: 2 * 1024 * 1024,
  /** Peers are asked only while at least this much playing time is buffered: seconds of
   * media ahead of the playhead ÷ the playback rate (so 8 s of film at 2×). */
  minAheadSecs: 4,
  /** Uploads wait while this viewer has less playing time buffered than this (s): its own
   * playback comes first, and a peer waiting on it falls back to the server at its deadline. */
  uploadMinAheadSecs: 2,
  /** Pieces kept for other viewers (oldest dropped first). */
  maxHeldBytes: 96 * 1024 * 1024,
  /** Re-announce while short of peers (ms); twice as long after each announce that brought
   * no new peer (every offer costs a peer connection and its ICE gathering), up to
   * `announceMaxMs`, and back to this when the tracker reports a new viewer. */
  announceMs: 4000,
  announceMaxMs: 32000,
  /** ICE servers: none, host candidates only (a LAN or loopback), unless the server has
   * `--ice-servers` (STUN/TURN are a deployment's choice: docs/DEPLOY.md). */
  iceServers: /** @type {RTCIceServer[]} */ ([]),
  /** For tests only: flip a byte in every piece this viewer sends (a misbehaving peer). */
  corrupt: false,
};

// ---------------------------------------------------------------- .torrent parsing

/**
 * Decodes one bencoded value of `b` at `at`: numbers, byte strings (Uint8Array), lists, and
 * dictionaries (plain objects with latin1 keys).
 * @param {Uint8Array} b
 * @param {number} at
 * @returns {[any, number]} the value and the offset after it
 */
export function bdecode(b, at = 0) {
  const c = b[at];
  if (c === 0x69) { // i<n>e
    const end = b.indexOf(0x65, at);
    if (end < 0) throw new Error('the .torrent has an unterminated number');
    return [Number(latin1(b.subarray(at + 1, end))), end + 1];
  }
  if (c === 0x6c || c === 0x64) { // l...e  d...e
    const list = [];
    at += 1;
    while (b[at] !== 0x65) {
      if (at >= b.length) throw new Error('the .torrent ends inside a list or dictionary');
      const [v, next] = bdecode(b, at);
      list.push(v);
      at = next;
    }
    if (c === 0x6c) return [list, at + 1];
    /** @type {Record<string, any>} */
    const dict = {};
    for (let i = 0; i + 1 < list.length; i += 2) dict[latin1(list[i])] = list[i + 1];
    return [dict, at + 1];
  }
  if (c >= 0x30 && c <= 0x39) { // <len>:<bytes>
    const colon = b.indexOf(0x3a, at);
    const len = Number(latin1(b.subarray(at, colon)));
    if (colon < 0 || !(len >= 0) || colon + 1 + len > b.length) {
      throw new Error('the .torrent has a byte string longer than the file');
    }
    return [b.subarray(colon + 1, colon + 1 + len), colon + 1 + len];
  }
  throw new Error(`the .torrent is not bencoded (byte ${c} at ${at})`);
}

/** @param {Uint8Array} b */
function latin1(b) {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

/**
 * @typedef {object} PieceMap
 * @property {number} pieceLength
 * @property {number} totalLength  bytes of the whole torrent
 * @property {Uint8Array} hashes  20 bytes per piece
 * @property {number} fileOffset  where the file starts in the torrent's bytes
 * @property {number} fileLength
 */

/**
 * The piece hashes of a .torrent and where file `index` lies among the pieces.
 * @param {Uint8Array} torrent
 * @param {number} index
 * @returns {PieceMap}
 */
export function pieceMap(torrent, index) {
  const [meta] = bdecode(torrent);
  const info = meta?.info;
  if (!info || !(info.pieces instanceof Uint8Array) || info.pieces.length % 20) {
    throw new Error('the .torrent has no valid piece hashes');
  }
  const lengths = Array.isArray(info.files)
    ? info.files.map((/** @type {any} */ f) => Number(f.length))
    : [Number(info.length)];
  if (!(index >= 0 && index < lengths.length)) throw new Error(`the torrent has no file ${index}`);
  const fileOffset = lengths.slice(0, index).reduce((a, b) => a + b, 0);
  return {
    pieceLength: Number(info['piece length']),
    totalLength: lengths.reduce((a, b) => a + b, 0),
    hashes: info.pieces,
    fileOffset,
    fileLength: lengths[index],
  };
}

/**
 * True if `data` is piece `i` (its SHA-1 equals the torrent's hash).
 * @param {PieceMap} map
 * @param {number} i
 * @param {Uint8Array} data
 */
export async function verifyPiece(map, i, data) {
  if (data.length !== pieceSize(map, i)) return false;
  const d = new Uint8Array(await crypto.subtle.digest('SHA-1', /** @type {BufferSource} */ (data)));
  const want = map.hashes.subarray(i * 20, i * 20 + 20);
  return d.every((x, k) => x === want[k]);
}

/** @param {PieceMap} map @param {number} i */
export function pieceSize(map, i) {
  return Math.min(map.pieceLength, map.totalLength - i * map.pieceLength);
}

/**
 * Pieces lying wholly inside file bytes `start..end` (end exclusive): the only ones a request
 * can take from peers (a piece shared with a neighbouring file cannot be verified from this
 * file's bytes alone).
 * @param {PieceMap} map
 * @param {number} start
 * @param {number} end
 * @returns {number[]}
 */
export function wholePieces(map, start, end) {
  const a = map.fileOffset + start;
  const b = map.fileOffset + end;
  const out = [];
  for (let i = Math.ceil(a / map.pieceLength); i * map.pieceLength < b; i++) {
    if (i * map.pieceLength + pieceSize(map, i) <= b) out.push(i);
  }
  return out;
}

/** @param {string | null} h @returns {[number, number] | null} `bytes=a-b` as [a, b+1] */
export function parseRange(h) {
  const m = /^bytes=(\d+)-(\d+)$/.exec(h || '');
  return m ? [Number(m[1]), Number(m[2]) + 1] : null;
}

// ---------------------------------------------------------------- the swarm

/**
 * @typedef {object} Peer
 * @property {string} id
 * @property {RTCPeerConnection} pc
 * @property {RTCDataChannel} dc
 * @property {Set<number>} have
 * @property {Map<number, {buf: Uint8Array, got: number, resolve: (b: Uint8Array | null) => void}>} wanted
 */

export class Swarm {
  /**
   * @param {string} swarmUrl  ws(s)://…/api/torrents/{id}/swarm
   * @param {PieceMap} map
   * @param {Partial<typeof DEFAULTS> & { fetch?: typeof fetch, bufferedAhead?: () => number, later?: boolean }} options
   *   `bufferedAhead`: playing time buffered (s): 0 while the picture has not played since the
   *   last start or seek, Infinity while paused or ended; `later`: join the swarm (signalling,
   *   peer connections) only once `bufferedAhead()` reaches `minAheadSecs`
   */
  constructor(swarmUrl, map, options = {}) {
    this.opt = { ...DEFAULTS, ...options };
    this.map = map;
    this.swarmUrl = swarmUrl;
    this.netFetch = options.fetch || fetch.bind(globalThis);
    this.bufferedAhead = options.bufferedAhead || (() => Infinity);
    this.peerId = Array.from(crypto.getRandomValues(new Uint8Array(10)),
      (x) => x.toString(16).padStart(2, '0')).join('');
    /** Verified pieces held for others, in the order they came (eviction order). */
    /** @type {Map<number, Uint8Array>} */
    this.held = new Map();
    this.heldBytes = 0;
    /** @type {Map<string, Peer>} */
    this.peers = new Map();
    /** Offers sent and not answered yet, by offer_id. @type {Map<string, RTCPeerConnection>} */
    this.offers = new Map();
    /** @type {Set<string>} */
    this.banned = new Set();
    /** Viewers in the swarm, us included, as the tracker last said (unknown at first). */
    /** @type {number | undefined} */
    this.swarmSize = undefined;
    this.stats = {
      fromPeers: 0, fromServer: 0, uploaded: 0, badPieces: 0, droppedPeers: 0,
      lateOrRefused: 0, peers: 0,
      /** Bytes the player asked of the server directly, by reason: a start or seek (`jump`),
       * the bytes after it (`warmup`), less than `minAheadSecs` buffered (`short`), no peer
       * connected (`alone`). */
      serverWhy: { jump: 0, warmup: 0, short: 0, alone: 0 },
      /** Player requests now being served through peers, server fallback included (a stall
       * while this is above 0 is one P2P added). */
      asking: 0,
    };
    /** The player's latest requests (at most `TRACE_MAX`), oldest first, for finding which
     * were late when playback stalled: see `Trace`. @type {Trace[]} */
    this.trace = [];
    /** End of the previous request (file bytes) and bytes fetched since the last jump. */
    this.lastEnd = -1;
    this.sinceJump = 0;
    /** Upload queue and budget (token bucket). @type {{peer: Peer, i: number, frame: Uint8Array}[]} */
    this.sendQueue = [];
    this.tokens = this.opt.uploadBytesPerSec / 4;
    this.lastRefill = performance.now();
    this.closed = false;
    /** The hook for `Player.set_fetch_hook`. */
    this.fetch = this.fetch.bind(this);
    this.pump = setInterval(() => this.drain(), 50);
    /** The wait before the next announce, and the peers held at the last one. */
    this.announceWait = this.opt.announceMs;
    this.peersAtAnnounce = 0;
    /** Joining waits for a healthy buffer (`later`): see `drain`. */
    this.joinLater = !!options.later;
    if (!this.joinLater) this.connect();
  }

  // -------------------------------------------------------------- signalling

  connect() {
    if (this.closed) return;
    const ws = new WebSocket(this.swarmUrl);
    this.ws = ws;
    ws.onopen = () => { this.announce().catch(() => {}); };
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(String(e.data)); } catch (_) { return; }
      this.onSignal(m).catch(() => {});
    };
    ws.onclose = () => {
      clearTimeout(this.announcer);
      if (!this.closed) setTimeout(() => this.connect(), 2000);
    };
    const again = () => {
      this.announcer = setTimeout(() => {
        if (this.peers.size < this.opt.maxPeers) {
          this.announceWait = this.peers.size > this.peersAtAnnounce ? this.opt.announceMs
            : Math.min(2 * this.announceWait, this.opt.announceMaxMs);
          this.announce().catch(() => {});
        }
        again();
      }, this.announceWait);
    };
    clearTimeout(this.announcer);
    again();
  }

  /** @param {object} m */
  send(m) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(m));
  }

  async announce() {
    this.peersAtAnnounce = this.peers.size;
    for (const pc of this.offers.values()) pc.close();
    this.offers.clear();
    // Offers only for viewers that exist: each costs a peer connection and its ICE gathering,
    // which a viewer alone in the swarm would otherwise make every few seconds for nothing
    // (a newcomer's own offers reach it). Until the tracker has said how many there are, an
    // announce without offers asks (its answer comes back at once and calls this again).
    const others = this.swarmSize === undefined ? 0 : this.swarmSize - 1;
    const n = Math.max(0, Math.min(this.opt.maxPeers, others) - this.peers.size);
    const made = [];
    for (let k = 0; k < n; k++) {
      const pc = this.newConnection();
      const dc = pc.createDataChannel('riptide-pieces');
      const offerId = Math.random().toString(36).slice(2);
      this.offers.set(offerId, pc);
      /** @type {any} */ (pc).riptideChannel = dc;
      made.push({ offerId, pc });
    }
    // All offers gather their candidates at once (one after the other, a slow machine took
    // seconds before the first viewer heard of the second).
    const offers = await Promise.all(made.map(async ({ offerId, pc }) => {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      return { offer_id: offerId, offer: { type: 'offer', sdp: pc.localDescription?.sdp } };
    }));
    this.send({ action: 'announce', peer_id: this.peerId, numwant: n, offers });
  }

  newConnection() {
    return new RTCPeerConnection({ iceServers: this.opt.iceServers });
  }

  /** @param {any} m */
  async onSignal(m) {
    // The server's ICE servers (`--ice-servers`), in its reply to our first announce, which
    // makes no offer: every connection after it uses them.
    if (Array.isArray(m.ice_servers)) this.opt.iceServers = m.ice_servers;
    // The tracker's answer to our announce: viewers in the swarm, us included. The first one
    // (or one saying others came) is followed at once by offers for them.
    if (Number.isInteger(m.incomplete)) {
      const first = this.swarmSize === undefined;
      if (!first && m.incomplete > (this.swarmSize || 0)) this.announceWait = this.opt.announceMs;
      this.swarmSize = m.incomplete;
      if ((first || this.offers.size === 0) && m.incomplete - 1 > this.peers.size
        && this.peers.size < this.opt.maxPeers) {
        this.announce().catch(() => {});
      }
      return;
    }
    const from = m.peer_id;
    if (typeof from !== 'string' || from === this.peerId || this.banned.has(from)) return;
    if (m.offer && !this.peers.has(from) && this.peers.size < this.opt.maxPeers) {
      const pc = this.newConnection();
      pc.ondatachannel = (e) => this.adopt(from, pc, e.channel);
      await pc.setRemoteDescription(m.offer);
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      this.send({
        action: 'announce', peer_id: this.peerId, to_peer_id: from, offer_id: m.offer_id,
        answer: { type: 'answer', sdp: pc.localDescription?.sdp },
      });
    } else if (m.answer) {
      const pc = this.offers.get(m.offer_id);
      if (!pc || this.peers.has(from)) return;
      this.offers.delete(m.offer_id);
      await pc.setRemoteDescription(m.answer);
      this.adopt(from, pc, /** @type {any} */ (pc).riptideChannel);
    }
  }

  /**
   * @param {string} id
   * @param {RTCPeerConnection} pc
   * @param {RTCDataChannel} dc
   */
  adopt(id, pc, dc) {
    dc.binaryType = 'arraybuffer';
    /** @type {Peer} */
    const peer = { id, pc, dc, have: new Set(), wanted: new Map() };
    const open = () => {
      if (this.peers.has(id) || this.banned.has(id) || this.closed) { pc.close(); return; }
      this.peers.set(id, peer);
      this.stats.peers = this.peers.size;
      dc.send(JSON.stringify({ t: 'have', p: [...this.held.keys()] }));
    };
    if (dc.readyState === 'open') open(); else dc.onopen = open;
    dc.onclose = () => this.drop(peer, false);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.drop(peer, false);
    };
    dc.onmessage = (e) => {
      if (typeof e.data === 'string') this.onText(peer, e.data);
      else this.onChunk(peer, new Uint8Array(e.data));
    };
  }

  /** @param {Peer} peer @param {boolean} ban */
  drop(peer, ban) {
    if (ban && !this.banned.has(peer.id)) {
      this.banned.add(peer.id);
      this.stats.droppedPeers += 1;
    }
    if (this.peers.get(peer.id) === peer) this.peers.delete(peer.id);
    this.stats.peers = this.peers.size;
    for (const w of peer.wanted.values()) w.resolve(null);
    peer.wanted.clear();
    this.sendQueue = this.sendQueue.filter((q) => q.peer !== peer);
    try { peer.pc.close(); } catch (_) { /* closed */ }
  }

  // -------------------------------------------------------------- the data channel

  /** @param {Peer} peer @param {string} text */
  onText(peer, text) {
    let m;
    try { m = JSON.parse(text); } catch (_) { return; }
    if (m.t === 'have' && Array.isArray(m.p)) {
      for (const i of m.p) if (Number.isInteger(i)) peer.have.add(i);
    } else if (m.t === 'req' && Number.isInteger(m.i)) {
      const data = this.held.get(m.i);
      if (!data) { peer.dc.send(JSON.stringify({ t: 'rej', i: m.i })); return; }
      for (let off = 0; off < data.length; off += CHUNK) {
        const part = data.subarray(off, Math.min(off + CHUNK, data.length));
        const frame = new Uint8Array(8 + part.length);
        const v = new DataView(frame.buffer);
        v.setUint32(0, m.i);
        v.setUint32(4, off);
        frame.set(part, 8);
        if (this.opt.corrupt && off === 0) frame[8] ^= 0xff;
        this.sendQueue.push({ peer, i: m.i, frame });
      }
      this.drain();
    } else if (m.t === 'cancel' && Number.isInteger(m.i)) {
      this.sendQueue = this.sendQueue.filter((q) => q.peer !== peer || q.i !== m.i);
    } else if (m.t === 'rej' && Number.isInteger(m.i)) {
      peer.have.delete(m.i);
      peer.wanted.get(m.i)?.resolve(null);
    }
  }

  /** @param {Peer} peer @param {Uint8Array} frame */
  onChunk(peer, frame) {
    if (frame.length < 8) return;
    const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const i = v.getUint32(0);
    const off = v.getUint32(4);
    const w = peer.wanted.get(i);
    if (!w || off + frame.length - 8 > w.buf.length) return;
    w.buf.set(frame.subarray(8), off);
    w.got += frame.length - 8;
    if (w.got >= w.buf.length) w.resolve(w.buf);
  }

  /** Sends queued chunks while the upload budget and the channels' buffers allow (and joins
   * the swarm once the buffer allows, for a swarm made `later`). */
  drain() {
    // Peer connections (ICE gathering, DTLS handshakes) take CPU: not while a start or a seek
    // builds its buffer (the bench's stalls were all there), and peers would not be asked
    // before this much is buffered anyway.
    if (this.joinLater && this.bufferedAhead() >= this.opt.minAheadSecs) {
      this.joinLater = false;
      this.connect();
    }
    const now = performance.now();
    const rate = this.opt.uploadBytesPerSec;
    this.tokens = Math.min(rate / 4, this.tokens + (now - this.lastRefill) * rate / 1000);
    this.lastRefill = now;
    if (!this.sendQueue.length || this.bufferedAhead() < this.opt.uploadMinAheadSecs) return;
    while (this.sendQueue.length && this.tokens > 0) {
      const q = this.sendQueue[0];
      if (q.peer.dc.readyState !== 'open') { this.sendQueue.shift(); continue; }
      if (q.peer.dc.bufferedAmount > 1024 * 1024) break;
      this.sendQueue.shift();
      q.peer.dc.send(/** @type {ArrayBuffer} */ (q.frame.buffer));
      this.tokens -= q.frame.length;
      this.stats.uploaded += q.frame.length - 8;
    }
  }

  /**
   * Piece `i` from a peer that has it, verified; null if none has it, it refused, it was
   * later than `deadlineMs` (then it is told to stop sending), or the bytes were wrong (then
   * that peer is dropped).
   * @param {number} i
   * @param {number} deadlineMs
   */
  async fromPeer(i, deadlineMs) {
    let best = /** @type {Peer | null} */ (null);
    for (const p of this.peers.values()) {
      if (p.have.has(i) && p.dc.readyState === 'open' && (!best || p.wanted.size < best.wanted.size)) best = p;
    }
    if (!best || best.wanted.has(i)) return null;
    const peer = best;
    let late = false;
    const data = await new Promise((resolve) => {
      const timer = setTimeout(() => { late = true; resolve(null); }, deadlineMs);
      peer.wanted.set(i, {
        buf: new Uint8Array(pieceSize(this.map, i)), got: 0,
        resolve: (b) => { clearTimeout(timer); resolve(b); },
      });
      peer.dc.send(JSON.stringify({ t: 'req', i }));
    });
    peer.wanted.delete(i);
    if (late && peer.dc.readyState === 'open') peer.dc.send(JSON.stringify({ t: 'cancel', i }));
    if (!data) { this.stats.lateOrRefused += 1; return null; }
    if (!(await verifyPiece(this.map, i, data))) {
      this.stats.badPieces += 1;
      this.drop(peer, true);
      return null;
    }
    return data;
  }

  /**
   * Keeps the whole pieces inside file bytes `start..` of `bytes` (verified) for other viewers
   * and tells the peers.
   * @param {number} start
   * @param {Uint8Array} bytes
   */
  async keep(start, bytes) {
    const fresh = [];
    for (const i of wholePieces(this.map, start, start + bytes.length)) {
      if (this.held.has(i)) continue;
      const at = i * this.map.pieceLength - this.map.fileOffset - start;
      const piece = bytes.slice(at, at + pieceSize(this.map, i));
      if (!(await verifyPiece(this.map, i, piece))) continue;
      this.held.set(i, piece);
      this.heldBytes += piece.length;
      fresh.push(i);
    }
    for (const [i, p] of this.held) {
      if (this.heldBytes <= this.opt.maxHeldBytes) break;
      this.held.delete(i);
      this.heldBytes -= p.length;
    }
    if (fresh.length) {
      const msg = JSON.stringify({ t: 'have', p: fresh });
      for (const p of this.peers.values()) if (p.dc.readyState === 'open') p.dc.send(msg);
    }
  }

  /**
   * The hook: `fetch(url, init)` for one `Range: bytes=a-b` request of the player.
   * @param {string} url
   * @param {RequestInit} [init]
   * @returns {Promise<Response>}
   */
  async fetch(url, init = {}) {
    const range = parseRange(new Headers(init.headers).get('Range'));
    if (!range) return this.netFetch(url, init);
    const [start, end] = range;
    const jump = start !== this.lastEnd;
    this.lastEnd = end;
    if (jump) this.sinceJump = 0;
    const warm = this.sinceJump >= this.opt.warmupBytes;
    const aheadSecs = this.bufferedAhead();
    const buffered = aheadSecs >= this.opt.minAheadSecs;
    const ahead = !jump && warm && buffered && this.peers.size > 0;
    // A peer may take what leaves the server `reserveSecs` to fill in before the playhead
    // reaches these bytes (they start at the end of what is buffered, or later).
    const deadline = Math.min(this.opt.deadlineMs, (aheadSecs - this.opt.reserveSecs) * 1000);
    this.sinceJump += end - start;
    /** @type {Trace} */
    const t = { at: performance.now(), start, end, ahead: aheadSecs, route: 'peers', done: null };
    this.trace.push(t);
    if (this.trace.length > TRACE_MAX) this.trace.shift();
    if (!ahead) {
      // Why this request went to the server, in bytes (the first reason that applies).
      const why = jump ? 'jump' : !warm ? 'warmup' : !buffered ? 'short' : 'alone';
      t.route = `server ${why}`;
      this.stats.serverWhy[why] += end - start;
      const resp = await this.netFetch(url, init);
      if (resp.status !== 206 || !resp.body) { t.done = performance.now(); return resp; }
      // The player reads one branch as it streams in (its stall detection sees progress);
      // the other is kept for peers once whole.
      const [mine, theirs] = resp.body.tee();
      new Response(theirs).arrayBuffer().then((b) => {
        t.done = performance.now();
        this.stats.fromServer += b.byteLength;
        return this.keep(start, new Uint8Array(b));
      }).catch(() => {});
      return new Response(mine, { status: 206, headers: resp.headers });
    }
    this.stats.asking += 1;
    try {
      return await this.fromPeers(url, init, start, end, t, deadline);
    } finally {
      this.stats.asking -= 1;
      t.done = performance.now();
    }
  }

  /**
   * File bytes `start..end` for the player: pieces held or from peers, the rest from the
   * server at once, and each piece a peer fails to deliver within `deadlineMs` from the
   * server as soon as it fails (in parallel, not after the other pieces).
   * @param {string} url
   * @param {RequestInit} init
   * @param {number} start
   * @param {number} end
   * @param {Trace} t  this request's trace
   * @param {number} deadlineMs  how long a peer may take
   * @returns {Promise<Response>}
   */
  async fromPeers(url, init, start, end, t, deadlineMs) {
    const out = new Uint8Array(end - start);
    t.peerMs = 0;
    t.fromPeers = 0;
    t.failed = 0;
    /** @type {Response | null} */
    let last = null;
    /** File bytes `a..b` from the server into `out`; a response other than 206 is returned. */
    const server = async (/** @type {number} */ a, /** @type {number} */ b) => {
      if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError');
      const headers = new Headers(init.headers);
      headers.set('Range', `bytes=${a}-${b - 1}`);
      const resp = await this.netFetch(url, { ...init, headers });
      if (resp.status !== 206) return resp;
      const bytes = new Uint8Array(await resp.arrayBuffer());
      out.set(bytes.subarray(0, b - a), a - start);
      this.stats.fromServer += bytes.length;
      last = resp;
      return null;
    };
    /** @type {Promise<Response | null>[]} */
    const jobs = [];
    let at = start;
    for (const i of wholePieces(this.map, start, end)) {
      const ps = i * this.map.pieceLength - this.map.fileOffset;
      const size = pieceSize(this.map, i);
      if (ps > at) jobs.push(server(at, ps));
      at = ps + size;
      jobs.push((async () => {
        const mine = this.held.get(i);
        if (mine) { out.set(mine, ps - start); return null; }
        const t0 = performance.now();
        const data = await this.fromPeer(i, deadlineMs);
        t.peerMs = Math.max(t.peerMs || 0, performance.now() - t0);
        if (!data) {
          t.failed = (t.failed || 0) + 1;
          return server(ps, ps + size);
        }
        t.fromPeers = (t.fromPeers || 0) + 1;
        out.set(data, ps - start);
        this.stats.fromPeers += data.length;
        return null;
      })());
    }
    if (at < end) jobs.push(server(at, end));
    const refused = (await Promise.all(jobs)).find((r) => r);
    if (refused) return refused;
    this.keep(start, out).catch(() => {});
    return partial(out, start, last);
  }

  close() {
    this.closed = true;
    clearInterval(this.pump);
    clearTimeout(this.announcer);
    this.ws?.close();
    for (const p of [...this.peers.values()]) this.drop(p, false);
    for (const pc of this.offers.values()) pc.close();
  }
}

/**
 * A 206 response holding `bytes` (file bytes from `start`).
 * @param {Uint8Array} bytes
 * @param {number} start
 * @param {Response | null} like  a server response whose total length to repeat
 */
function partial(bytes, start, like) {
  const total = like?.headers.get('Content-Range')?.split('/')[1] || '*';
  return new Response(/** @type {BodyInit} */ (/** @type {unknown} */ (bytes)), {
    status: 206,
    headers: { 'Content-Range': `bytes ${start}-${start + bytes.length - 1}/${total}` },
  });
}

/**
 * Resolves once `pc` has gathered its ICE candidates (the offer and answer carry them all, as
 * WebTorrent's do: the tracker relays one message each way), or after 3 s.
 * @param {RTCPeerConnection} pc
 */
function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 3000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(undefined); }
    });
  });
}

/** Whether a player shares pieces when its page or widget does not say (docs/DESIGN.md). */
export const P2P_DEFAULT = false;

/**
 * Whether the page should share pieces: `?p2p=0` or `?p2p=1` in the page's address wins;
 * otherwise the default (see docs/DESIGN.md for where it is on).
 * @param {string} search  location.search
 * @param {boolean} fallback
 */
export function p2pWanted(search, fallback) {
  const v = new URLSearchParams(search).get('p2p');
  if (v === '0') return false;
  if (v === '1') return true;
  return fallback;
}

/**
 * Joins the swarm of the torrent whose file `url` (`…/api/torrents/{id}/files/{index}`) the
 * player reads, and routes the player's requests through it. Resolves to the Swarm, or null
 * if the URL is not a piece-server file or the .torrent cannot be read (then the player keeps
 * fetching from the server alone).
 * @param {{ set_fetch_hook(hook: Function | null): void }} player
 * @param {HTMLVideoElement} video
 * @param {string} url
 * @param {Partial<typeof DEFAULTS>} [options]
 */
export async function joinSwarm(player, video, url, options = {}) {
  // Peers only after the first frame, and after a seek only once it plays again: until then
  // every byte comes from the server (a browser may hold frames back before 'playing', e.g.
  // Firefox, and a late peer must not delay the picture). Listened to before anything is
  // awaited, so a first frame that comes quickly is not missed.
  let shown = false;
  video.addEventListener('playing', () => { shown = true; });
  video.addEventListener('seeking', () => { shown = false; });
  const u = new URL(url, location.href);
  const m = /^(.*\/api\/torrents\/([0-9a-fA-F]{40}))\/files\/(\d+)$/.exec(u.pathname);
  if (!m) return null;
  const resp = await fetch(new URL(`${m[1]}/torrent`, u).href).catch(() => null);
  if (!resp || !resp.ok) return null;
  const map = pieceMap(new Uint8Array(await resp.arrayBuffer()), Number(m[3]));
  const ws = new URL(`${m[1]}/swarm`, u);
  ws.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  // Playing time buffered: media seconds ahead of the playhead at the current rate (a paused
  // or ended video cannot stall).
  const bufferedAhead = () => {
    if (!shown) return 0;
    if (video.paused || video.ended) return Infinity;
    const b = video.buffered;
    for (let k = 0; k < b.length; k++) {
      if (b.start(k) <= video.currentTime + 0.1 && video.currentTime < b.end(k)) {
        return (b.end(k) - video.currentTime) / Math.max(video.playbackRate, 0.1);
      }
    }
    return 0;
  };
  // Joined once 4 s of playing time are buffered (`later`, `minAheadSecs`): see `drain`.
  const swarm = new Swarm(ws.href, map, { ...options, bufferedAhead, later: true });
  player.set_fetch_hook(swarm.fetch);
  return swarm;
}
