// @ts-check
// The wasm engine, loaded once per page and shared by every player on it (the page's or the
// widget's): `pkg/` next to www/.
import { errorText, riptideError } from './errors.js';
import { joinSwarm, P2P_DEFAULT } from './p2p.js';

/** @typedef {typeof import('../pkg/remux_wasm.js')} Engine */
/** @typedef {import('../pkg/remux_wasm.js').Player} Player */
/** @typedef {import('../pkg/remux_wasm.js').PlayerStatus} PlayerStatus */
/** @typedef {import('../pkg/remux_wasm.js').PlayerTrack} PlayerTrack */

/** The engine's module, next to this file's folder. */
export const ENGINE_URL = new URL('../pkg/remux_wasm.js', import.meta.url).href;

/** @type {Promise<Engine> | null} */
let loading = null;

/**
 * The engine, initialised (one download and compile per page; a failure is retried on the
 * next call). `failed(url, why)` words the error.
 * @param {(url: string, why: string) => string} failed
 * @returns {Promise<Engine>}
 */
export function loadEngine(failed) {
  if (!loading) {
    loading = import(ENGINE_URL)
      .then(async (/** @type {Engine} */ m) => {
        await m.default();
        return m;
      })
      .catch((e) => {
        loading = null;
        throw riptideError('network', failed(ENGINE_URL, errorText(e)));
      });
  }
  return loading;
}

/**
 * A Player for `file` of `torrent` at `url`, playing into `video`, reporting its status to
 * `onStatus`.
 * @param {Engine} engine
 * @param {HTMLVideoElement} video
 * @param {string} url
 * @param {{ length: number }} file
 * @param {{ piece_length: number }} torrent
 * @param {(status: PlayerStatus) => void} onStatus
 * @param {boolean} [share]  join the torrent's swarm and share pieces with other viewers
 *   (p2p.js; the page's `?p2p=`, the widget's `p2p` attribute; default P2P_DEFAULT)
 * @returns {Player}
 */
export function createPlayer(engine, video, url, file, torrent, onStatus, share = P2P_DEFAULT) {
  const player = new engine.Player(video, url, file.length, torrent.piece_length >>> 0);
  player.on_status(onStatus);
  if (share) {
    // Page tests may set swarm options (e.g. `corrupt`, a misbehaving viewer) before loading.
    joinSwarm(player, video, url, /** @type {any} */ (globalThis).riptideSwarmOptions || {})
      .then((s) => { if (s && disposed.has(player)) s.close(); else if (s) swarms.set(player, s); })
      .catch(() => { /* the player keeps fetching from the server */ });
  }
  return player;
}

/**
 * What the player's swarm has done so far (`Swarm.stats`: bytes from peers and from the
 * server, bad pieces, dropped peers…), or null when it shares no pieces.
 * @param {Player | null} player
 */
export function swarmStats(player) {
  const s = player && swarms.get(player);
  return s ? { ...s.stats, serverWhy: { ...s.stats.serverWhy } } : null;
}

/**
 * The player's latest requests as its swarm saw them (`Swarm.trace`), or null when it shares
 * no pieces.
 * @param {Player | null} player
 */
export function swarmTrace(player) {
  const s = player && swarms.get(player);
  return s ? s.trace.map((t) => ({ ...t })) : null;
}

/** The swarm each player joined, closed with it. @type {WeakMap<object, import('./p2p.js').Swarm>} */
const swarms = new WeakMap();
/** Players already disposed (a swarm joined after that is closed at once). @type {WeakSet<object>} */
const disposed = new WeakSet();

/**
 * Stops a player: its fetches are aborted, the video detached, its wasm memory freed.
 * @param {Player | null} player
 */
export function disposePlayer(player) {
  if (!player) return;
  disposed.add(player);
  swarms.get(player)?.close();
  swarms.delete(player);
  try { player.destroy(); } catch (_) { /* already gone */ }
  try { player.free(); } catch (_) { /* already freed */ }
}
