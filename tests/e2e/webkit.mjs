// Opens a Riptide page in WebKitGTK (Debian's webkit2gtk-driver: WebKitWebDriver driving
// MiniBrowser; WebKit's engine, as in Safari, but GStreamer decodes the media) and prints one
// JSON line with what a viewer would see: how far playback got, the page's status line, the
// video's error, the player's own status (`mediaSource` says whether it used
// ManagedMediaSource) and what this engine answers to isTypeSupported.
//
// usage: node tests/e2e/webkit.mjs URL [--play-seconds 2] [--timeout-ms 60000] [--click SELECTOR]
//
// Speaks the W3C WebDriver HTTP protocol with fetch; no browser is downloaded. WebKitGTK
// needs an X display and has no headless mode: without $DISPLAY, an Xvfb is started for the
// run (Debian package xvfb). Binaries: $WEBKIT_WEBDRIVER (default WebKitWebDriver on PATH),
// $WEBKIT_MINIBROWSER (default /usr/lib/<arch>/webkit2gtk-4.1/MiniBrowser).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

const args = process.argv.slice(2);
const url = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const playSeconds = Number(opt('--play-seconds', 2));
const timeoutMs = Number(opt('--timeout-ms', 60000));
const clickSelector = opt('--click', null);
if (!url) {
  console.error('usage: node tests/e2e/webkit.mjs URL [--play-seconds N] [--timeout-ms N] [--click SELECTOR]');
  process.exit(2);
}

const result = { url, errors: [] };
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function miniBrowser() {
  if (process.env.WEBKIT_MINIBROWSER) return process.env.WEBKIT_MINIBROWSER;
  for (const dir of readdirSync('/usr/lib')) {
    const p = `/usr/lib/${dir}/webkit2gtk-4.1/MiniBrowser`;
    if (existsSync(p)) return p;
  }
  throw new Error('MiniBrowser not found: install the Debian package webkit2gtk-driver');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// Xvfb picks a free display itself (-displayfd) and writes its number on fd 3.
function startXvfb() {
  return new Promise((resolve, reject) => {
    const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    children.push(x);
    let out = '';
    let err = '';
    x.stderr.on('data', (d) => { err += d; });
    x.on('error', (e) => reject(new Error(`Xvfb could not start (${e.message}): install the Debian package xvfb`)));
    x.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err.trim()}`)));
    x.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
  });
}

async function call(base, method, path, body) {
  const r = await fetch(base + path, {
    method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(j.value || j)}`);
  return j.value;
}

let base = null;
let session = null;
try {
  const env = { ...process.env };
  if (!env.DISPLAY) env.DISPLAY = await startXvfb();
  const port = await freePort();
  const driver = spawn(process.env.WEBKIT_WEBDRIVER || 'WebKitWebDriver', [`--port=${port}`], { env, stdio: 'ignore' });
  children.push(driver);
  driver.on('error', (e) => result.errors.push(`WebKitWebDriver could not start (${e.message}): install the Debian package webkit2gtk-driver`));
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${base}/status`).then((r) => r.ok).catch(() => false);
    if (ready) break;
    if (i > 100 || result.errors.length) throw new Error(`WebKitWebDriver did not answer on port ${port}`);
    await sleep(100);
  }
  const created = await call(base, 'POST', '/session', { capabilities: { alwaysMatch: {
    'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation'] },
  } } });
  session = `/session/${created.sessionId}`;
  result.browser = `${created.capabilities.browserName} ${created.capabilities.browserVersion}`;
  const run = (script) => call(base, 'POST', `${session}/execute/sync`, { script, args: [] });

  await call(base, 'POST', `${session}/url`, { url });
  // Page errors from here on (WebDriver classic cannot hook the page before it loads).
  await run(`window.__errors = [];
    addEventListener('error', (e) => window.__errors.push(String(e.message || e)));
    addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason)));`);
  result.engine = await run(`
    const types = ['video/mp4; codecs="avc1.64001f"', 'audio/mp4; codecs="mp4a.40.2"', 'audio/mpeg'];
    const ask = (c) => c ? Object.fromEntries(types.map((t) => [t, c.isTypeSupported(t)])) : null;
    return { userAgent: navigator.userAgent, MediaSource: ask(window.MediaSource),
      ManagedMediaSource: ask(window.ManagedMediaSource) };`);
  if (clickSelector) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const el = await call(base, 'POST', `${session}/element`, { using: 'css selector', value: clickSelector });
        await call(base, 'POST', `${session}/element/${Object.values(el)[0]}/click`, {});
        break;
      } catch (e) {
        if (Date.now() > until) throw e;
        await sleep(200);
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    last = await run(`
      const v = document.querySelector('video');
      const s = document.querySelector('#status');
      const r = window.riptide || {};
      return {
        currentTime: v ? v.currentTime : null,
        videoError: v && v.error ? v.error.code + ' ' + v.error.message : null,
        disableRemotePlayback: v ? v.disableRemotePlayback : null,
        status: s ? s.textContent : null,
        statusIsError: !!(s && s.classList.contains('error')),
        playerStatus: r.status ? JSON.parse(JSON.stringify(r.status)) : null,
        pageErrors: window.__errors || [],
      };`);
    if (last.videoError || last.statusIsError) break;
    if (last.currentTime !== null && last.currentTime >= playSeconds) break;
    await sleep(100);
  }
  Object.assign(result, last);
  result.errors.push(...(last ? last.pageErrors : []));
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  if (session) await call(base, 'DELETE', session).catch(() => {});
  for (const c of children.reverse()) c.kill();
}
console.log(JSON.stringify(result));
process.exit(0);
