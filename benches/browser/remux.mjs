// In-browser remux throughput, runner: serves the bench page, the bench wasm package, npm
// mediabunny's bundle and the fixtures on 127.0.0.1, drives Debian's headless Chromium, and
// prints one JSON document: for each film and engine, the cold first run and the warm runs.
//
// usage: node benches/browser/remux.mjs FIXTURES_DIR PKG_DIR [--warm-runs 5] [--formats mkv,mp4,avi]
// Each (film, engine) gets a fresh browser context (fresh renderer, cold JIT).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../tests/e2e/chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const args = process.argv.slice(2);
const [fixtures, pkg] = args;
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const warmRuns = Number(opt('--warm-runs', 5));
const formats = opt('--formats', 'mkv,mp4,avi').split(',');
if (!fixtures || !pkg) {
  console.error('usage: node benches/browser/remux.mjs FIXTURES_DIR PKG_DIR [--warm-runs N]');
  process.exit(2);
}

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.mkv': 'video/x-matroska', '.mp4': 'video/mp4', '.avi': 'video/x-msvideo' };
const routes = (url) => {
  if (url === '/' ) return path.join(here, 'remux.html');
  if (url === '/remux-page.js') return path.join(here, 'remux-page.js');
  if (url === '/mediabunny.mjs') return path.join(repo, 'node_modules/mediabunny/dist/bundles/mediabunny.min.mjs');
  if (url.startsWith('/pkg/')) return path.join(pkg, path.basename(url));
  if (url.startsWith('/film/')) return path.join(fixtures, path.basename(url));
  return null;
};
const server = http.createServer((req, res) => {
  const file = routes(req.url.split('?')[0]);
  if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream',
    'Content-Length': fs.statSync(file).size, 'Cache-Control': 'no-store' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await launchChromium(['--enable-precise-memory-info', '--js-flags=--expose-gc']);
const results = [];
let failed = false;
try {
  for (const ext of formats) {
    for (const engine of ['riptide', 'mediabunny']) {
      const row = { format: ext, engine, cold: null, warm: [], error: null };
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${base}/`);
        await page.waitForFunction(() => window.benchReady === true);
        await page.evaluate((u) => window.bench.load(u), `/film/film.${ext}`);
        row.cold = await page.evaluate((e) => window.bench.run(e), engine);
        for (let i = 0; i < warmRuns; i++) row.warm.push(await page.evaluate((e) => window.bench.run(e), engine));
      } catch (e) {
        row.error = String(e && e.message || e).split('\n')[0];
      }
      await context.close();
      // A format an engine does not read is a result; any other error is a broken step.
      if (row.error && !/not supported|unsupported/i.test(row.error)) failed = true;
      console.error(`remux-browser: ${ext} ${engine}: ${row.error ? `error: ${row.error}`
        : `cold ${row.cold.ms.toFixed(0)} ms, warm ${row.warm.map((w) => w.ms.toFixed(0)).join('/')} ms`}`);
      results.push(row);
    }
  }
} catch (e) {
  failed = true;
  console.error(String(e && e.stack || e));
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify({ warmRuns, results }, null, 1));
process.exit(failed ? 1 : 0);
