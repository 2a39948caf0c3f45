// One way for every page test to drive a browser engine: Debian's Chromium through
// playwright-core (tests/e2e/chromium.mjs) or Debian's Firefox ESR through puppeteer-core over
// WebDriver BiDi (playwright cannot drive a stock Firefox). Neither downloads a browser.
//
// The engine comes from `RIPTIDE_BROWSER` (chromium, the default, or firefox), or from
// `--browser NAME` on a harness's command line (see engineFromArgs).
//
// Both engines get the same small page API (`Page` below), so the harnesses hold one copy of
// their launch and poll code. What only one engine offers (playwright's response sizes,
// Chromium's CDP metrics) stays out of it: harnesses measure through the page itself
// (PerformanceResourceTiming, the player's status), which both engines answer alike.
import { launchChromium } from './chromium.mjs';

export const ENGINES = ['chromium', 'firefox'];

/// The engine named by `--browser NAME` in `args`, else by $RIPTIDE_BROWSER, else chromium.
export function engineFromArgs(args) {
  const i = args.indexOf('--browser');
  const name = i >= 0 ? args[i + 1] : (process.env.RIPTIDE_BROWSER || 'chromium');
  if (!ENGINES.includes(name)) throw new Error(`unknown browser engine "${name}" (use ${ENGINES.join(' or ')})`);
  return name;
}

/// Launches `engine` headless with autoplay allowed. `hostMap`: a host name the browser
/// resolves to 127.0.0.1. `chromiumArgs`: extra Chromium flags (ignored by Firefox).
export async function launch(engine, { hostMap = null, chromiumArgs = [] } = {}) {
  if (engine === 'firefox') return launchFirefox(hostMap);
  const extra = hostMap ? [`--host-resolver-rules=MAP ${hostMap} 127.0.0.1`] : [];
  const browser = await launchChromium([...extra, ...chromiumArgs]);
  return {
    engine,
    newPage: async () => new Page(await browser.newPage(), 'chromium'),
    close: () => browser.close(),
    // A DevTools session with the browser itself (memory dumps: tests/e2e/memory-dump.mjs).
    cdp: () => browser.newBrowserCDPSession(),
  };
}

async function launchFirefox(hostMap) {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: {
      // Autoplay with sound, without a gesture (as Chromium's --autoplay-policy flag).
      'media.autoplay.default': 0,
      'media.autoplay.blocking_policy': 0,
      'media.autoplay.block-webaudio': false,
      // Loopback only: no update, telemetry or safe-browsing traffic.
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      // WebRTC between pages on this machine (viewers sharing pieces): plain host candidates,
      // as Chromium's --disable-features=WebRtcHideLocalIpsWithMdns (no mDNS responder here).
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      ...(hostMap ? { 'network.dns.localDomains': hostMap } : {}),
    },
  });
  // Pages are opened one at a time, and opening is tried again: Firefox's BiDi
  // `browsingContext.create` sometimes fails with "BrowsingContext does no longer exist" while
  // other pages are being closed (seen with the matrix's parallel pages).
  let opening = Promise.resolve();
  const open = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await browser.newPage();
      } catch (e) {
        if (attempt >= 4) throw e;
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  };
  return {
    engine: 'firefox',
    newPage: () => {
      const page = opening.then(open);
      opening = page.catch(() => {});
      return page.then((raw) => new Page(raw, 'firefox'));
    },
    close: () => browser.close(),
  };
}

/// A page of either engine: the calls the harnesses make, with the same meaning in both.
class Page {
  constructor(raw, engine) {
    this.raw = raw;
    this.engine = engine;
    this.pw = engine === 'chromium';
  }

  /// 'pageerror' (an Error), 'console' (a message with type() and text()), 'request' (url(),
  /// method(), headers()): the same events in both libraries.
  on(event, fn) { this.raw.on(event, fn); }

  /// Runs `fn(arg)` in every document before its own scripts.
  initScript(fn, arg) {
    return this.pw ? this.raw.addInitScript(fn, arg) : this.raw.evaluateOnNewDocument(fn, arg);
  }

  goto(url) { return this.raw.goto(url); }

  /// The page's frames (the page's own and its iframes'), each with evaluate(fn, arg).
  frames() { return this.raw.frames(); }

  evaluate(fn, arg) { return this.raw.evaluate(fn, arg); }

  /// Clicks `selector` once it is visible (playwright waits by itself; puppeteer is told to).
  async click(selector, { timeout = 30000 } = {}) {
    if (this.pw) return this.raw.click(selector, { timeout });
    await this.raw.waitForSelector(selector, { visible: true, timeout });
    return this.raw.click(selector);
  }

  /// Replaces the value of the input `selector` with `text`, as typed.
  async fill(selector, text) {
    if (this.pw) return this.raw.fill(selector, text);
    await this.raw.$eval(selector, (el) => { el.value = ''; });
    return this.raw.type(selector, text);
  }

  /// Ticks the checkbox `selector` (a click when it is not ticked yet).
  async check(selector) {
    if (this.pw) return this.raw.check(selector);
    if (!(await this.raw.$eval(selector, (el) => el.checked))) await this.click(selector);
  }

  /// Picks the option of value `value` in the select `selector`.
  select(selector, value) {
    return this.pw ? this.raw.selectOption(selector, value) : this.raw.select(selector, value);
  }

  isClosed() { return this.raw.isClosed(); }

  close() { return this.raw.close(); }
}
