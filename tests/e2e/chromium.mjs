// How every page test and browser benchmark starts its browser: Debian's Chromium at
// /usr/bin/chromium (or $CHROMIUM), never one a tool downloads, headless, with autoplay
// allowed (the players start muted or unmuted without a click) and no background traffic
// (tests talk only to 127.0.0.1).
import { chromium } from 'playwright-core';

/// The flags every run uses: no sandbox (containers), no GPU, autoplay without a gesture,
/// /tmp instead of a small /dev/shm, and none of Chromium's own network chatter.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required',
  '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'];

/// Launches Chromium with CHROMIUM_ARGS and `extraArgs` (e.g. host mapping, memory flags).
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/// Acts as the server's owner on the Riptide page: whenever the page asks to confirm a torrent
/// the server does not have yet (`#confirm-add`, enabled once the page has been shown for a
/// moment), clicks it, and records the time and what the page showed. Returns a function that
/// stops watching. A link to a film the server lacks adds nothing without this click
/// (docs/API.md, "Security model").
export function confirmAdds(page, log = []) {
  let stopped = false;
  const tick = async () => {
    if (stopped || page.isClosed()) return;
    try {
      const shown = await page.evaluate(() => {
        const b = document.querySelector('#confirm-add');
        const box = document.querySelector('#confirm');
        if (!b || !box || box.hidden || b.disabled) return null;
        return { name: document.querySelector('#confirm-name').textContent,
          magnet: document.querySelector('#confirm-magnet').textContent };
      });
      if (shown) {
        log.push({ ...shown, at: Date.now() });
        await page.click('#confirm-add');
      }
    } catch (_) { /* the page is navigating or closed */ }
    // unref: this watcher never keeps node alive once the run is over.
    if (!stopped) setTimeout(tick, 100).unref();
  };
  tick();
  return () => { stopped = true; };
}
