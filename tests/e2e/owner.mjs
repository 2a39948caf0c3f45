// The owner's side of a page test: the server's page asks a person to confirm before it
// fetches a torrent the server does not have (docs/API.md, "Security model"); harnesses that
// play as the owner press that button, in either engine (a playwright page, a puppeteer page or
// browser.mjs's Page: each has isClosed, evaluate and click).

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
