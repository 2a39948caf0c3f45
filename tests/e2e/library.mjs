// The everyday page as a person uses it (tests/e2e_library.rs): opens the empty page, drops a
// season pack's .torrent on it, watches episode 1 with its sidecar subtitles, lets episode 2 be
// offered at the end and clicks it, reloads, deletes. Prints one JSON line of what it saw, and
// writes screenshots (empty, library, playing, phone) into the folder given.
//
// usage: node tests/e2e/library.mjs PAGE_URL TORRENT_FILE SCREENSHOT_DIR
import { readFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { launchChromium } from './chromium.mjs';

const [url, torrentPath, shots] = process.argv.slice(2);
if (!url || !torrentPath || !shots) {
  console.error('usage: node tests/e2e/library.mjs PAGE_URL TORRENT_FILE SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const result = { errors: [], console: [] };
const browser = await launchChromium();
const step = async (name, fn) => {
  result.step = name;
  return fn();
};
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'] });
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.console.push(m.text()); });
  page.setDefaultTimeout(30000);

  await step('empty page', async () => {
    await page.goto(url);
    await page.waitForSelector('#library-empty', { state: 'visible' });
    result.emptyFurniture = await page.evaluate(() => ['video', 'tracks', 'details', 'seekbar', 'files', 'next', 'resume', 'torrent-actions']
      .filter((id) => { const el = document.getElementById(id); return el && el.checkVisibility(); }));
    await page.screenshot({ path: join(shots, 'empty.png'), fullPage: true });
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
    await page.waitForSelector('#library-list li.torrent');
    result.listed = await page.evaluate(() => {
      const li = document.querySelector('#library-list li.torrent');
      return { name: li.querySelector('.name').textContent, state: li.querySelector('.state').textContent,
        figures: li.querySelector('.figures').textContent };
    });
  });

  await step('files grouped', async () => {
    await page.waitForSelector('#file-list li.group');
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
    await page.screenshot({ path: join(shots, 'library.png'), fullPage: true });
  });

  await step('episode 1 plays with its sidecar subtitles', async () => {
    await page.waitForFunction(() => window.riptide.textTracks.some((t) => /\.srt$/.test(t.label)));
    const value = await page.evaluate(() => String(window.riptide.textTracks.find((t) => /\.srt$/.test(t.label)).id));
    await page.selectOption('#subtitle-track', value);
    await page.waitForFunction(() => document.querySelector('video').currentTime >= 1);
    result.played = await page.evaluate(() => ({
      file: window.riptide.file.path,
      currentTime: document.querySelector('video').currentTime,
      textTracks: window.riptide.textTracks.map((t) => ({ label: t.label, mode: t.track.mode,
        cues: [...(t.track.cues || [])].map((c) => c.text) })),
    }));
    await page.screenshot({ path: join(shots, 'playing.png'), fullPage: true });
  });

  await step('keys', async () => {
    await page.click('h1'); // out of the subtitle menu, as a person clicking the page
    const state = () => page.evaluate(() => ({ muted: document.querySelector('video').muted,
      captions: window.riptide.textTracks.filter((t) => t.track.mode === 'showing').map((t) => t.label) }));
    const before = await state();
    await page.keyboard.press('m');
    await page.keyboard.press('c');
    const after = await state();
    await page.keyboard.press('c');
    result.keys = { before, after, again: await state() };
  });

  await step('episode 2 offered at the end', async () => {
    await page.waitForSelector('#next', { state: 'visible', timeout: 60000 });
    result.next = { offered: await page.evaluate(() => document.getElementById('next').dataset.next),
      text: await page.textContent('#next-text') };
    await page.click('#next-play');
    await page.waitForFunction(() => window.riptide.file && /S01E02/.test(window.riptide.file.path)
      && document.querySelector('video').currentTime >= 2.5, null, { timeout: 60000 });
    result.next.playing = await page.evaluate(() => window.riptide.file.path.split('/').pop());
  });

  await step('reload keeps the library and the position', async () => {
    await page.reload();
    await page.waitForSelector('#library-list li.torrent');
    await page.waitForSelector('#resume', { state: 'visible' });
    result.reload = await page.evaluate(() => ({
      listed: document.querySelectorAll('#library-list li.torrent').length === 1,
      resumeOffer: document.getElementById('resume-yes').textContent,
      resumeText: document.getElementById('resume-text').textContent,
      continueWatching: [...document.querySelectorAll('#continue-list button')].map((b) => b.textContent),
    }));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(shots, 'phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1000, height: 900 });
  });

  await step('copy link', async () => {
    await page.locator('#library-list li.torrent .actions button', { hasText: 'Copy link' }).click();
    result.copied = await page.evaluate(() => navigator.clipboard.readText());
  });

  await step('delete', async () => {
    const del = page.locator('#library-list li.torrent .actions button', { hasText: 'Delete' });
    await del.click();
    await page.locator('#library-list li.torrent .actions button', { hasText: 'Click again' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#library-list li.torrent').length === 0);
    result.deleted = {
      rows: await page.evaluate(() => document.querySelectorAll('#library-list li.torrent').length),
      videoShown: await page.evaluate(() => document.querySelector('video').checkVisibility()),
    };
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
