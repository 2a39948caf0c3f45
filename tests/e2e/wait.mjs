// The waits a person sees (tests/e2e_library.rs, the slow swarm): pastes a magnet whose only
// source is a tracker, reads the line shown while its metadata is awaited (peers found, trackers
// that sent peers), says so on stdout ("ready for the seeder") so that the test starts the
// rate-limited seeder, then waits for the line saying the swarm is too slow to keep up.
// Prints one JSON line of what it saw last.
//
// usage: node tests/e2e/wait.mjs PAGE_URL MAGNET EXPECTED_PEERS_TEXT
import { engineFromArgs, launch } from './browser.mjs';

const [url, magnet, expected] = process.argv.slice(2);
if (!url || !magnet || !expected) {
  console.error('usage: node tests/e2e/wait.mjs PAGE_URL MAGNET EXPECTED_PEERS_TEXT');
  process.exit(2);
}
const engine = engineFromArgs(process.argv);
const result = { engine, errors: [], seen: [] };
const browser = await launch(engine);

/// Waits until the status line matches `re`, keeping every distinct text it showed.
async function waitForStatus(page, re, timeout) {
  const until = Date.now() + timeout;
  for (;;) {
    const text = await page.evaluate(() => document.getElementById('status').textContent).catch(() => '');
    if (text && result.seen[result.seen.length - 1] !== text) result.seen.push(text);
    if (re.test(text)) return text;
    if (Date.now() > until) throw new Error(`timed out waiting for the status line to match ${re}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  result.step = 'paste the magnet';
  await page.goto(url);
  await page.evaluate((m) => {
    /** @type {HTMLInputElement} */ (document.getElementById('magnet')).value = m;
    document.getElementById('play').click();
  }, magnet);
  result.step = 'peers found while the metadata is awaited';
  const escaped = expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  result.waiting = await waitForStatus(page, new RegExp(escaped), 30000);
  console.log('ready for the seeder');
  result.step = 'the swarm is too slow';
  // Once data flows (a speed above 0 measured), it is still below the film's rate.
  result.slow = await waitForStatus(page, /downloading at [1-9][^,]*, slower than the film needs.*too slow to keep up/, 60000);
  result.state = await page.evaluate(() => window.riptide.state);
  result.step = 'done';
} catch (e) {
  result.failure = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
