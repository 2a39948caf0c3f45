// @ts-check
// The server's JSON API: fetch + JSON, with the server's `{"error": ...}` as the message of a
// failure (code `server-refused`) and an unreachable server as code `network`.
import { errorText, riptideError } from './errors.js';

/**
 * @param {string | URL} url
 * @param {RequestInit} [options]
 * @param {(why: string) => string} [unreachable] The message when the server cannot be
 *   reached (`why`: the browser's words).
 * @returns {Promise<any>} The answer's JSON (null if it has none).
 */
export async function api(url, options, unreachable = (why) => `could not reach the Riptide server (${why})`) {
  let resp;
  try {
    resp = await fetch(url, options);
  } catch (e) {
    // A cancelled request is no failure: the caller drops it.
    if (e && /** @type {Error} */ (e).name === 'AbortError') throw e;
    throw riptideError('network', unreachable(errorText(e)));
  }
  let body = null;
  try {
    body = await resp.json();
  } catch (_) {
    // Not JSON: the status says enough.
  }
  if (!resp.ok) {
    const err = riptideError('server-refused',
      body && body.error ? body.error : `the server answered ${resp.status}`, { status: resp.status });
    // A refusal that the owner's click on the page would lift (routes/consent.rs).
    err.needsConfirmation = resp.headers.get('x-riptide-confirm') === '1';
    throw err;
  }
  return body;
}
