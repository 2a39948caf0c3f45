// @ts-check
// While a magnet's metadata (the torrent's description) is awaited, the page says where peers
// are being looked for, instead of a bare "Fetching metadata…": how many peers the server's
// search found so far and how many of the link's trackers sent any (`GET /api/adding`), the
// server's DHT (and how many nodes it knows), the peer addresses the link carries, and how long
// it has been.

import { api } from './api.js';

/**
 * What a magnet link carries to find peers with.
 * @param {string} magnet
 * @returns {{ trackers: number, peers: number }}
 */
export function magnetSources(magnet) {
  const query = magnet.split('?')[1] || '';
  let trackers = 0;
  let peers = 0;
  for (const kv of query.split('&')) {
    const key = kv.split('=')[0];
    if (key === 'tr' || /^tr\.\d+$/.test(key)) trackers++;
    if (key === 'x.pe') peers++;
  }
  return { trackers, peers };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The magnet's info hash as 40 lower-case hex digits (from hex or base32 `btih`), or ''.
 * @param {string} magnet
 */
export function magnetHash(magnet) {
  const m = /xt=urn:btih:([0-9a-z]+)/i.exec(magnet);
  if (!m) return '';
  const v = m[1];
  if (/^[0-9a-f]{40}$/i.test(v)) return v.toLowerCase();
  if (v.length !== 32) return '';
  let bits = '';
  for (const c of v.toUpperCase()) {
    const i = BASE32.indexOf(c);
    if (i < 0) return '';
    bits += i.toString(2).padStart(5, '0');
  }
  return (bits.match(/.{4}/g) || []).map((b) => parseInt(b, 2).toString(16)).join('');
}

/**
 * @typedef {{ id: string, peers_found: number, trackers: number, trackers_with_peers: number,
 *   dht: boolean, seconds: number }} Adding One entry of `GET /api/adding`.
 */

/**
 * The status line while the metadata is awaited.
 * @param {string} magnet
 * @param {{ dht_nodes?: number | null, trackers?: boolean } | null} status `GET /api/status`, if known
 * @param {number} elapsedMs
 * @param {Adding | null} [search] What the server's search found so far, if it says.
 */
export function waitingText(magnet, status, elapsedMs, search = null) {
  const { trackers, peers } = magnetSources(magnet);
  const secs = Math.floor(elapsedMs / 1000);
  const parts = [];
  if (search) {
    const n = search.peers_found;
    parts.push(`${n} peer${n === 1 ? '' : 's'} found`);
    if (search.trackers) {
      parts.push(`${search.trackers_with_peers} of ${search.trackers} tracker${search.trackers === 1 ? '' : 's'} sent peers`);
    }
  }
  if (status) {
    if (status.dht_nodes === null || status.dht_nodes === undefined) parts.push('DHT off on this server');
    else parts.push(`DHT: ${status.dht_nodes} node${status.dht_nodes === 1 ? '' : 's'} known`);
    if (status.trackers === false) parts.push('trackers off on this server');
    else if (!search || !search.trackers) {
      parts.push(trackers ? `${trackers} tracker${trackers === 1 ? '' : 's'} in the link` : 'no trackers in the link');
    }
  } else if (trackers && !(search && search.trackers)) {
    parts.push(`${trackers} tracker${trackers === 1 ? '' : 's'} in the link`);
  }
  if (peers) parts.push(`${peers} peer address${peers === 1 ? '' : 'es'} in the link`);
  let text = `Asking peers for the film's description${secs >= 1 ? ` (${secs} s)` : ''}…`;
  if (parts.length) text += ` ${parts.join(' · ')}.`;
  const noWay = status && (status.dht_nodes === null || status.dht_nodes === 0) &&
    (status.trackers === false || trackers === 0) && peers === 0;
  if (noWay && !(search && search.peers_found) && secs >= 10) text += ' Nothing to find peers with yet: the DHT knows no nodes and the link has no trackers.';
  return text;
}

/**
 * Updates the status line every second until the returned function is called.
 * @param {string} magnet
 * @param {(text: string) => void} show
 * @param {() => Record<string, string>} [ownerHeaders] Sent with `GET /api/adding` (owner-only).
 * @returns {() => void}
 */
export function watchMetadataWait(magnet, show, ownerHeaders = () => ({})) {
  const started = Date.now();
  const id = magnetHash(magnet);
  /** @type {{ dht_nodes?: number | null, trackers?: boolean } | null} */
  let status = null;
  /** @type {Adding | null} */
  let search = null;
  let stopped = false;
  const tick = async () => {
    const [st, adding] = await Promise.allSettled([
      api('/api/status'),
      api('/api/adding', { headers: ownerHeaders() }),
    ]);
    // Either may fail (an old server, not the owner): the line shows what is known.
    if (st.status === 'fulfilled') status = st.value;
    if (adding.status === 'fulfilled' && Array.isArray(adding.value)) {
      search = adding.value.find((/** @type {Adding} */ a) => a.id === id) || search;
    }
    if (!stopped) show(waitingText(magnet, status, Date.now() - started, search));
  };
  show(waitingText(magnet, null, 0));
  tick();
  const timer = setInterval(tick, 1000);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
