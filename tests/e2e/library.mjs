// The everyday page as a person uses it (tests/e2e_library.rs): opens the empty page, drops a
// season pack's .torrent on it, watches episode 1 with its sidecar subtitles, lets episode 2 be
// offered at the end and clicks it, reloads, deletes. Prints one JSON line of what it saw, and
// writes screenshots (empty, library, playing, phone) into the folder given.
//
// usage: node tests/e2e/library.mjs PAGE_URL TORRENT_FILE SCREENSHOT_DIR [--browser chromium|firefox]
// (Firefox: no clipboard permission to grant, so the copied link is not read back.)
import { readFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { engineFromArgs, launch } from './browser.mjs';

const [url, torrentPath, shots] = process.argv.slice(2);
if (!url || !torrentPath || !shots) {
  console.error('usage: node tests/e2e/library.mjs PAGE_URL TORRENT_FILE SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const engine = engineFromArgs(process.argv);
const result = { engine, errors: [], console: [] };
const browser = await launch(engine);
const TIMEOUT_MS = 30000;

/// Waits until `fn(arg)` is true in the page (both engines: polling evaluate).
async function waitFor(page, fn, arg = null, timeout = TIMEOUT_MS) {
  const until = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(fn, arg).catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${fn}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const visible = (sel) => { const el = document.querySelector(sel); return !!el && el.checkVisibility(); };
// An accessibility audit of the page as it is now (axe-core, WCAG 2 A and AA rules): the
// serious and critical findings, each with the elements it names. The audit runs through the
// driver (CSP does not apply there), not as a script of the page.
const AXE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
async function audit(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
const shot = (page, name) => page.raw.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
// The system's colour scheme as the page sees it (prefers-color-scheme).
const scheme = (page, value) => page.raw.emulateMedia({ colorScheme: value });
const viewport = (page, width, height) => (page.pw ? page.raw.setViewportSize({ width, height }) : page.raw.setViewport({ width, height }));

const step = async (name, fn) => {
  result.step = name;
  return fn();
};
try {
  const page = await browser.newPage();
  if (page.pw) await page.raw.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await viewport(page, 1000, 900);
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.console.push(m.text()); });

  await step('empty page', async () => {
    await page.goto(url);
    await waitFor(page, visible, '#library-empty');
    result.emptyFurniture = await page.evaluate(() => ['video', 'tracks', 'details', 'seekbar', 'files', 'next', 'resume', 'torrent-actions']
      .filter((id) => { const el = document.getElementById(id); return el && el.checkVisibility(); }));
    await shot(page, 'empty');
    result.a11y = { empty: await audit(page) };
  });

  await step('drop the .torrent', async () => {
    const b64 = readFileSync(torrentPath).toString('base64');
    await page.evaluate(([data, name]) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: 'application/x-bittorrent' }));
      const at = document.querySelector('h1');
      at.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      at.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, [b64, basename(torrentPath)]);
    await waitFor(page, visible, '#library-list li.torrent');
    result.listed = await page.evaluate(() => {
      const li = document.querySelector('#library-list li.torrent');
      return { name: li.querySelector('.name').textContent, state: li.querySelector('.state').textContent,
        figures: li.querySelector('.figures').textContent };
    });
  });

  await step('files grouped', async () => {
    await waitFor(page, visible, '#file-list li.group');
    result.files = await page.evaluate(() => {
      const out = { notPlayable: {} };
      for (const g of document.querySelectorAll('#file-list li.group')) {
        out[g.dataset.group] = [...g.querySelectorAll('.file-name')].map((n) => n.textContent);
        for (const li of g.querySelectorAll('li.not-playable')) {
          out.notPlayable[li.querySelector('.file-name').textContent] = li.querySelector('.why-not').textContent;
        }
      }
      return out;
    });
    await shot(page, 'library');
  });

  await step('episode 1 plays with its sidecar subtitles', async () => {
    await waitFor(page, () => window.riptide.textTracks.some((t) => /\.srt$/.test(t.label)));
    const value = await page.evaluate(() => String(window.riptide.textTracks.find((t) => /\.srt$/.test(t.label)).id));
    await page.select('#subtitle-track', value);
    await waitFor(page, () => document.querySelector('video').currentTime >= 1);
    result.played = await page.evaluate(() => ({
      file: window.riptide.file.path,
      currentTime: document.querySelector('video').currentTime,
      textTracks: window.riptide.textTracks.map((t) => ({ label: t.label, mode: t.track.mode,
        cues: [...(t.track.cues || [])].map((c) => c.text) })),
    }));
    await shot(page, 'playing');
    result.a11y.playing = await audit(page);
    // The dark theme (a system set to dark): audited too, its contrast is its own. Only where
    // the driver can emulate the colour scheme (Playwright; Firefox over WebDriver BiDi has no
    // such command): contrast comes from the style sheet, the same in both engines.
    if (page.pw) {
      await scheme(page, 'dark');
      result.dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      result.a11y.playingDark = await audit(page);
      await scheme(page, 'light');
    }
  });

  await step('keys', async () => {
    await page.click('h1'); // out of the subtitle menu, as a person clicking the page
    const state = () => page.evaluate(() => ({ muted: document.querySelector('video').muted,
      captions: window.riptide.textTracks.filter((t) => t.track.mode === 'showing').map((t) => t.label) }));
    const before = await state();
    await page.raw.keyboard.press('m');
    await page.raw.keyboard.press('c');
    const after = await state();
    await page.raw.keyboard.press('c');
    result.keys = { before, after, again: await state() };
  });

  await step('episode 2 offered at the end', async () => {
    await waitFor(page, visible, '#next', 60000);
    result.next = { offered: await page.evaluate(() => document.getElementById('next').dataset.next),
      text: await page.evaluate(() => document.getElementById('next-text').textContent) };
    // The row has followed the download without a reload.
    await waitFor(page, () => document.querySelector('#library-list li.torrent progress').value > 0);
    result.liveRow = await page.evaluate(() => {
      const li = document.querySelector('#library-list li.torrent');
      return { progress: li.querySelector('progress').value, state: li.querySelector('.state').textContent };
    });
    await page.click('#next-play');
    await waitFor(page, () => window.riptide.file && /S01E02/.test(window.riptide.file.path)
      && document.querySelector('video').currentTime >= 2.5, null, 60000);
    result.next.playing = await page.evaluate(() => window.riptide.file.path.split('/').pop());
  });

  await step('reload keeps the library and the position', async () => {
    await page.raw.reload();
    await waitFor(page, visible, '#library-list li.torrent');
    await waitFor(page, visible, '#resume');
    result.reload = await page.evaluate(() => ({
      listed: document.querySelectorAll('#library-list li.torrent').length === 1,
      resumeOffer: document.getElementById('resume-yes').textContent,
      resumeText: document.getElementById('resume-text').textContent,
      continueWatching: [...document.querySelectorAll('#continue-list button')].map((b) => b.textContent),
    }));
    // A subtitle file of one's own, dropped on the page while episode 2 plays (once it plays
    // again after the reload: before, the page asks to play a video first).
    await waitFor(page, () => !!window.riptide.player);
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['WEBVTT\n\n00:00.000 --> 00:09.000\nMy own subtitles\n'], 'mine.vtt', { type: 'text/vtt' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await waitFor(page, () => window.riptide.textTracks.some((t) => t.label === 'mine.vtt'));
    result.droppedSubtitles = await page.evaluate(() => window.riptide.textTracks.filter((t) => t.label === 'mine.vtt')
      .map((t) => ({ label: t.label, mode: t.track.mode, cues: [...(t.track.cues || [])].map((c) => c.text) })));
    await viewport(page, 390, 844);
    await new Promise((r) => setTimeout(r, 500));
    await shot(page, 'phone');
    await viewport(page, 1000, 900);
  });

  await step('copy link', async () => {
    if (!page.pw) return;
    await page.click('#library-list li.torrent .copy');
    result.copied = await page.evaluate(() => navigator.clipboard.readText());
  });

  await step('delete', async () => {
    await page.click('#library-list li.torrent .delete');
    result.deleted = { asked: await page.evaluate(() => document.querySelector('#library-list li.torrent .delete').textContent) };
    await page.click('#library-list li.torrent .delete');
    await waitFor(page, () => document.querySelectorAll('#library-list li.torrent').length === 0);
    Object.assign(result.deleted, {
      rows: await page.evaluate(() => document.querySelectorAll('#library-list li.torrent').length),
      videoShown: await page.evaluate(() => document.querySelector('video').checkVisibility()),
    });
    // As a program on the server's machine (no Origin): the owner's list.
    const resp = await fetch(new URL('/api/torrents', url));
    result.deleted.serverList = (await resp.json()).map((t) => t.name);
  });
  result.step = 'done';
} catch (e) {
  result.failure = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
