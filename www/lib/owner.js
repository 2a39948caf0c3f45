// @ts-check
// What makes a request the owner's: the consent secret and the add token.
//
// The owner's consent: the server adds (or deletes) a torrent for this page only with the
// secret it writes into the page when the page is opened as a tab of its own (never in a
// frame). It is sent only after a click here: Play, the sample button, the confirmation
// below, Delete.
//
// The add token: a server reached from another machine (`--listen 0.0.0.0:…`) adds new
// torrents only for requests with its `--add-token` (docs/API.md, "Embedding and
// permissions"). When it answers 403, the page asks for the token, remembers it in this
// browser (localStorage) and sends it as `Authorization: Bearer <token>` with every later add.

const TOKEN_KEY = 'riptide.addToken';
/** The confirm button waits this long after the page is shown, so a click meant for another
 * window (a page that opens this one under the mouse) cannot press it. */
const CONFIRM_ARM_MS = 800;

/**
 * @typedef {object} OwnerHooks
 * @property {(magnet: string, fileIndex: number | null, confirmed: boolean) => void} retry
 *   Adds the magnet again, once confirmed or with a new token.
 * @property {(text: string, state: string) => void} setStatus
 * @property {() => void} tokenChanged The token may make this browser the owner.
 */

export function storedToken() {
  try { return localStorage.getItem(TOKEN_KEY) || ''; } catch (_) { return ''; }
}

/** @param {string} token */
function storeToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token); else localStorage.removeItem(TOKEN_KEY);
  } catch (_) { /* storage disabled: the token lasts for this attempt only */ }
}

/** @param {string} magnet */
function magnetName(magnet) {
  try {
    return new URLSearchParams(magnet.slice(magnet.indexOf('?') + 1)).get('dn') || '';
  } catch (_) {
    return '';
  }
}

/**
 * Wires the confirmation box (`confirm`, `confirm-add`, `confirm-cancel`, `confirm-name`,
 * `confirm-magnet`) and the token form (`token-form`, `token`, `token-why`).
 * @param {OwnerHooks} hooks
 */
export function setUpOwner(hooks) {
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const CONSENT = /** @type {HTMLMetaElement | null} */ (document.querySelector('meta[name="riptide-consent"]'))?.content || '';
  const confirmBox = $('confirm');
  const confirmAdd = /** @type {HTMLButtonElement} */ ($('confirm-add'));
  const tokenForm = $('token-form');
  const tokenInput = /** @type {HTMLInputElement} */ ($('token'));
  const tokenWhy = $('token-why');
  /** @type {{ magnet: string, fileIndex: number | null } | null} */
  let confirmRetry = null;
  /** @type {{ magnet: string, fileIndex: number | null } | null} */
  let tokenRetry = null;

  /**
   * JSON headers, with the consent secret when a person `confirmed` this request here.
   * @param {boolean} confirmed
   * @returns {Record<string, string>}
   */
  function headers(confirmed) {
    /** @type {Record<string, string>} */
    const h = { 'Content-Type': 'application/json' };
    if (confirmed && CONSENT) h['X-Riptide-Consent'] = CONSENT;
    return h;
  }

  /**
   * `headers(confirmed)` with the stored add token, if any.
   * @param {boolean} confirmed
   */
  function headersWithToken(confirmed) {
    const h = headers(confirmed);
    const token = storedToken();
    if (token) h.Authorization = `Bearer ${token}`;
    return h;
  }

  /**
   * @param {string} magnet
   * @param {number | null} fileIndex
   */
  function askToConfirm(magnet, fileIndex) {
    confirmRetry = { magnet, fileIndex };
    $('confirm-name').textContent = magnetName(magnet) || 'this torrent';
    $('confirm-magnet').textContent = magnet;
    confirmAdd.disabled = true;
    confirmBox.hidden = false;
    hooks.setStatus('Waiting for your confirmation.', 'confirm');
    const arm = () => setTimeout(() => { confirmAdd.disabled = false; }, CONFIRM_ARM_MS);
    if (document.visibilityState === 'visible') arm();
    else document.addEventListener('visibilitychange', arm, { once: true });
  }

  function hideConfirm() {
    confirmBox.hidden = true;
    confirmRetry = null;
  }

  confirmAdd.addEventListener('click', () => {
    const retry = confirmRetry;
    hideConfirm();
    if (retry) hooks.retry(retry.magnet, retry.fileIndex, true);
  });
  $('confirm-cancel').addEventListener('click', () => {
    hideConfirm();
    hooks.setStatus('Nothing was downloaded.', 'idle');
  });

  /**
   * @param {string} magnet
   * @param {number | null} fileIndex
   * @param {string} why
   * @param {boolean} sentOne
   */
  function askForToken(magnet, fileIndex, why, sentOne) {
    tokenRetry = { magnet, fileIndex };
    tokenWhy.textContent = sentOne
      ? `The server refused the add token (${why}). Enter the right one, or leave the field empty to forget it.`
      : `This server adds new torrents only for its owner: ${why}. If you have its add token, enter it here (it is remembered in this browser).`;
    tokenInput.value = '';
    tokenForm.hidden = false;
    tokenInput.focus();
  }

  function hideTokenForm() {
    tokenForm.hidden = true;
    tokenRetry = null;
  }

  tokenForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    storeToken(tokenInput.value.trim());
    hooks.tokenChanged();
    const retry = tokenRetry;
    hideTokenForm();
    if (retry) hooks.retry(retry.magnet, retry.fileIndex, true);
  });

  return { headers, headersWithToken, askToConfirm, hideConfirm, askForToken, hideTokenForm };
}
