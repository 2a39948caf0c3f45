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
