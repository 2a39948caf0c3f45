// @ts-check
// While a magnet's metadata (the torrent's description) is awaited, the page says where peers
// are being looked for, instead of a bare "Fetching metadata…": the server's DHT (and how many
// nodes it knows), the trackers and peer addresses the link carries, and how long it has been.

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

/**
 * The status line while the metadata is awaited.
 * @param {string} magnet
 * @param {{ dht_nodes?: number | null, trackers?: boolean } | null} status `GET /api/status`, if known
 * @param {number} elapsedMs
 */
export function waitingText(magnet, status, elapsedMs) {
  const { trackers, peers } = magnetSources(magnet);
  const secs = Math.floor(elapsedMs / 1000);
  const parts = [];
  if (status) {
    if (status.dht_nodes === null || status.dht_nodes === undefined) parts.push('DHT off on this server');
    else parts.push(`DHT: ${status.dht_nodes} node${status.dht_nodes === 1 ? '' : 's'} known`);
    if (status.trackers === false) parts.push('trackers off on this server');
    else parts.push(trackers ? `${trackers} tracker${trackers === 1 ? '' : 's'} in the link` : 'no trackers in the link');
  } else if (trackers) {
    parts.push(`${trackers} tracker${trackers === 1 ? '' : 's'} in the link`);
  }
  if (peers) parts.push(`${peers} peer address${peers === 1 ? '' : 'es'} in the link`);
  let text = `Asking peers for the film's description${secs >= 1 ? ` (${secs} s)` : ''}…`;
  if (parts.length) text += ` ${parts.join(' · ')}.`;
  const noWay = status && (status.dht_nodes === null || status.dht_nodes === 0) &&
    (status.trackers === false || trackers === 0) && peers === 0;
  if (noWay && secs >= 10) text += ' Nothing to find peers with yet: the DHT knows no nodes and the link has no trackers.';
  return text;
}

/**
 * Updates the status line every second until the returned function is called.
 * @param {string} magnet
 * @param {(text: string) => void} show
 * @returns {() => void}
 */
export function watchMetadataWait(magnet, show) {
  const started = Date.now();
  /** @type {{ dht_nodes?: number | null, trackers?: boolean } | null} */
  let status = null;
  let stopped = false;
  const tick = async () => {
    try {
      status = await api('/api/status');
    } catch (_) {
      // The line still shows the time and what the link carries.
    }
    if (!stopped) show(waitingText(magnet, status, Date.now() - started));
  };
  show(waitingText(magnet, null, 0));
  tick();
  const timer = setInterval(tick, 1000);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
