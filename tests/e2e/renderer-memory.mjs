// The private memory of a browser's renderer processes, read from /proc (Linux): what the tab
// itself holds (Private_Clean + Private_Dirty + Swap of each renderer, shared libraries
// excluded), as Chromium's task manager counts a process's footprint; Firefox's content
// processes (`-contentproc`) count as its renderers. Shared by the page tests
// (tests/e2e/play.mjs, tests/e2e/matrix.mjs) and the memory bench (benches/browser/playback.mjs).
import fs from 'node:fs';

/** Bytes held privately by the renderer processes below `rootPid` (default: this process). */
export function rendererPrivate(rootPid = process.pid) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch (_) { /* gone */ }
  }
  let total = 0;
  const walk = (pid) => {
    for (const k of kids.get(pid) || []) {
      try {
        const cmd = fs.readFileSync(`/proc/${k}/cmdline`, 'utf8');
        const renderer = cmd.includes('--type=renderer') && !cmd.includes('--extension-process');
        if (renderer || cmd.includes('-contentproc')) {
          const roll = fs.readFileSync(`/proc/${k}/smaps_rollup`, 'utf8');
          for (const f of ['Private_Clean', 'Private_Dirty', 'Swap']) {
            const m = new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(roll);
            if (m) total += Number(m[1]) * 1024;
          }
        }
      } catch (_) { /* gone */ }
      walk(k);
    }
  };
  walk(rootPid);
  return total;
}
