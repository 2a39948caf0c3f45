// @ts-check
// "Share or embed" on the Riptide page: once a film plays, the viewer can copy a link to it,
// the two-line `<riptide-player>` snippet and the `<iframe>` snippet for another site, each
// optionally starting at the current time (as a video site's share box does). The snippets
// point at this server as the page reached it (`location.origin`).

import { formatTime } from './lib/format.js';

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/// HTML attribute value: `&` and `"` escaped (a magnet holds `&`).
function attr(s) {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/// The three snippets for `magnet`/`fileIndex` on the server at `origin`, starting at `start`
/// whole seconds (0: from the beginning).
export function shareSnippets(origin, magnet, fileIndex, start) {
  const base = new URL('/', origin);
  const q = new URLSearchParams({ magnet, file: String(fileIndex) });
  if (start > 0) q.set('t', String(start));
  const link = `${base.href}?${q}`;
  const startAttr = start > 0 ? ` start="${start}"` : '';
  const script =
    `<script type="module" src="${new URL('embed.js', base).href}"></script>\n` +
    `<riptide-player magnet="${attr(magnet)}" file="${fileIndex}"${startAttr} controls></riptide-player>`;
  const iframe =
    `<iframe src="${attr(`${new URL('embed', base).href}?${q}`)}" allow="autoplay; fullscreen" ` +
    'allowfullscreen\n        style="width:100%;aspect-ratio:16/9;border:0"></iframe>';
  return { link, script, iframe };
}

/// Wires the panel (`#share` in index.html). `current()` gives `{magnet, fileIndex}` of what
/// plays (or null); `video` is the page's video. Returns `update()`, to call when the film
/// changes; the snippets shown are also kept in `target.share` (for tests).
/**
 * @param {HTMLVideoElement} video
 * @param {() => ({ magnet: string, fileIndex: number } | null)} current
 * @param {{ share?: object }} target
 */
export function setUpShare(video, current, target) {
  /**
   * @template {HTMLElement} [T=HTMLElement]
   * @param {string} id
   * @returns {T}
   */
  const $ = (id) => /** @type {T} */ (document.getElementById(id));
  const box = $('share');
  const startBox = /** @type {HTMLInputElement} */ ($('share-start'));
  const startLabel = $('share-start-time');
  /** @type {Record<'link' | 'script' | 'iframe', HTMLInputElement | HTMLTextAreaElement>} */
  const fields = { link: $('share-link'), script: $('share-script'), iframe: $('share-iframe') };

  const update = () => {
    const film = current();
    box.hidden = !film;
    if (!film) return;
    const start = startBox.checked ? Math.floor(video.currentTime) : 0;
    startLabel.textContent = formatTime(Math.floor(video.currentTime));
    const snippets = shareSnippets(location.origin, film.magnet, film.fileIndex, start);
    for (const [key, el] of Object.entries(fields)) el.value = snippets[key];
    target.share = { ...snippets, start };
  };

  $('share-loopback').hidden = !LOOPBACK_HOSTS.includes(location.hostname);
  startBox.addEventListener('change', update);
  box.addEventListener('toggle', update); // opening the panel takes the current time
  for (const [key, el] of Object.entries(fields)) {
    $(`share-copy-${key}`).addEventListener('click', async (e) => {
      update();
      const button = /** @type {HTMLButtonElement} */ (e.currentTarget);
      try {
        await navigator.clipboard.writeText(el.value);
        button.textContent = 'Copied';
      } catch (_) {
        // No clipboard permission (an insecure origin): select it for Ctrl+C.
        el.focus();
        el.select();
        button.textContent = 'Press Ctrl+C';
      }
      setTimeout(() => { button.textContent = 'Copy'; }, 2000);
    });
  }
  return update;
}
