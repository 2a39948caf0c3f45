// @ts-check
// Errors as the page and the widget hand them on: `{ code, fatal, message, codec }` (the
// engine's `PlayerError`, docs/API.md "Errors"), so a page branches on `code`, not on words.

/**
 * The engine's codes (see `ErrorCode` in crates/remux-wasm/src/error.rs), and the page's own:
 * `server-refused` (the server answered an API request with an error), `bad-input` (a magnet
 * link or file number that cannot be used).
 * @typedef {import('../pkg/remux_wasm.js').PlayerError['code'] | 'server-refused' | 'bad-input'} ErrorCode
 */

/**
 * @typedef {object} RiptideProblem
 * @property {ErrorCode} code
 * @property {boolean} fatal Playback stopped (an error), or goes on (a notice).
 * @property {string} message In plain words.
 * @property {string | null} codec The codec to blame, as people name it, or null.
 */

/**
 * An `Error` carrying a code (what `api()` and the checks of a magnet link throw).
 * @typedef {Error & { code?: ErrorCode, fatal?: boolean, codec?: string | null, status?: number,
 *   needsConfirmation?: boolean }} RiptideError
 */

/**
 * An Error with `code` (fatal unless said otherwise).
 * @param {ErrorCode} code
 * @param {string} message
 * @param {{ status?: number, fatal?: boolean }} [extra]
 * @returns {RiptideError}
 */
export function riptideError(code, message, extra = {}) {
  /** @type {RiptideError} */
  const err = new Error(message);
  err.code = code;
  err.fatal = extra.fatal ?? true;
  if (extra.status !== undefined) err.status = extra.status;
  return err;
}

/**
 * Anything thrown, in plain words.
 * @param {unknown} err
 * @returns {string}
 */
export function errorText(err) {
  if (!err) return 'something went wrong';
  if (typeof err === 'string') return err;
  const m = /** @type {{ message?: unknown }} */ (err).message;
  return typeof m === 'string' && m ? m : String(err);
}

/**
 * Anything thrown (the engine's rejections carry `code`, `fatal` and `codec`), as a problem;
 * `code` when it has none.
 * @param {unknown} err
 * @param {ErrorCode} [code]
 * @returns {RiptideProblem}
 */
export function toProblem(err, code = 'internal') {
  const e = /** @type {Partial<RiptideProblem> | null} */ (typeof err === 'object' ? err : null);
  return {
    code: (e && e.code) || code,
    fatal: e && typeof e.fatal === 'boolean' ? e.fatal : true,
    message: errorText(err),
    codec: (e && e.codec) || null,
  };
}
