#!/usr/bin/env python3
"""One seek's timeline, page and server merged (an experiment's reading aid, not a step of
scripts/bench.sh). Input: the JSON of `benches/page.rs` run with RIPTIDE_BENCH_SEEK_TRACE=LOG
(seek.mjs --trace) and that LOG. Prints, per seek, every event in ms from the assignment
`video.currentTime = X`: the page's (video events, range requests, appends, the player's
steps) and the server's (a request opened / first bytes / last bytes, librqbit reserving
and verifying pieces), with the piece index of byte offsets (1 MiB pieces unless --piece).

usage: python3 benches/seek_timeline.py SEEK.json... SERVER.log... [--piece BYTES] [--mode riptide]
                                        [--stages]
--stages: instead of the events, the time of each stage of every seek and, per film, player
and seek position, the median over the runs given (pairs of SEEK.json and SERVER.log).
"""
import datetime
import json
import re
import statistics
import sys

args = sys.argv[1:]
piece = int(args[args.index('--piece') + 1]) if '--piece' in args else 1 << 20
only_mode = args[args.index('--mode') + 1] if '--mode' in args else None
files = [a for i, a in enumerate(args) if not a.startswith('--') and (i == 0 or args[i - 1] not in ('--piece', '--mode'))]
jsons = [f for f in files if f.endswith('.json')]
logs = [f for f in files if not f.endswith('.json')]
seeks = {'rows': [r for f in jsons for r in json.load(open(f))['rows']]}
log = [line for f in logs for line in open(f).read().splitlines()]

server = []  # (epoch ms, text)
for line in log:
    m = re.match(r'(\S+Z)\s+\w+\s+(.*)', line)
    if not m:
        continue
    ts = datetime.datetime.fromisoformat(m.group(1).replace('Z', '+00:00')).timestamp() * 1000
    text = m.group(2)
    if 'piece_server::stream' in text:
        mm = re.search(r'stream: (.*?) at_ms=\S+ (.*)', text)
        server.append((ts, f'server {mm.group(1)}: {mm.group(2)}' if mm else text))
    elif 'manage_peer' in text and ('reserved piece' in text or 'successfully downloaded' in text):
        p = re.search(r'piece[= ](\d+)', text).group(1)
        server.append((ts, ('swarm reserved piece ' if 'reserved' in text else 'swarm verified piece ') + p))

def pieces(text):
    def rng(m):
        a, b = int(m.group(1)), int(m.group(2))
        return f'{m.group(0)} [pieces {a // piece}-{(b - 1) // piece}]'
    return re.sub(r'(\d+)-(\d+)', rng, text, count=1)

STAGES = [
    ('seeking event', lambda e: e.startswith('video seeking')),
    ('player takes the seek', lambda e: e.startswith('player seek taken')),
    ('pipeline at the key frame', lambda e: e.startswith('player sought')),
    ('first request sent', lambda e: e.startswith('fetch sent')),
    ('server opened the stream', lambda e: e.startswith('server opening')),
    ('server has its first bytes', lambda e: e.startswith('server first bytes')),
    ('first fragment made (key frame to target + 0.05 s)', lambda e: e.startswith('player segment')),
    ('first fragment appended', lambda e: e.startswith('append end')),
    ('seeked', lambda e: e.startswith('video seeked')),
    ('currentTime advanced 0.04 s', None),
]


def stages(events, done):
    """ms at which each stage was first reached (after the previous one), or None."""
    out, at, i = [], -10.0, 0
    for name, match in STAGES:
        if match is None:
            out.append(done)
            continue
        t = next((t for t, e in events if t >= at and match(e)), None)
        out.append(t)
        if t is not None:
            at = t
    return out


if '--stages' in args:
    table = {}
    for row in seeks['rows']:
        for s in row['seeks']:
            tr = s.get('trace')
            if not tr or s['ms_playing'] is None:
                continue
            o = tr['origin']
            ev = [(e['t'], e['what'] + ' ' + str(e.get('detail', ''))) for e in tr['events']]
            ev += [(t - o, txt) for t, txt in server if o - 5 <= t <= o + s['ms_playing'] + 50]
            ev.sort()
            table.setdefault((row['format'], row['mode'], row['fraction']), []).append(stages(ev, s['ms_playing']))
    for (fmt, mode, frac), runs in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[0][2])):
        print(f'\n{fmt} {mode} {frac * 100:.0f} %: {len(runs)} runs; ms from the assignment (median), [each run]')
        for k, (name, _) in enumerate(STAGES):
            vals = [r[k] for r in runs if r[k] is not None]
            if not vals:
                continue
            med = statistics.median(vals)
            print(f'  {name:<52} {med:7.0f}   {[round(v) for v in vals]}')
    sys.exit(0)

for row in seeks['rows']:
    if only_mode and row['mode'] != only_mode:
        continue
    for s in row['seeks']:
        tr = s.get('trace')
        if not tr:
            continue
        o = tr['origin']
        end = s['ms_playing'] or 5000
        print(f"\n=== {row['format']} {row['mode']} seek to {s['target']:.2f} s "
              f"({row['fraction'] * 100:.0f} %): playing after {end:.0f} ms, landed {s['landed']}")
        ev = [(e['t'], e['what'] + ' ' + ' '.join(f'{k}={v}' for k, v in e.items() if k not in ('t', 'what')))
              for e in tr['events']]
        ev += [(t - o, txt) for t, txt in server if o - 5 <= t <= o + end + 50]
        for t, txt in sorted(ev):
            if 'timeupdate' in txt and t > end + 50:
                continue
            print(f'{t:8.1f}  {pieces(txt)}')
