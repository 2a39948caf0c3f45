#!/usr/bin/env python3
"""One seek's timeline, page and server merged (an experiment's reading aid, not a step of
scripts/bench.sh). Input: the JSON of `benches/page.rs` run with RIPTIDE_BENCH_SEEK_TRACE=LOG
(seek.mjs --trace) and that LOG. Prints, per seek, every event in ms from the assignment
`video.currentTime = X`: the page's (video events, range requests, appends, the player's
steps) and the server's (a request opened / first bytes / last bytes, librqbit reserving
and verifying pieces), with the piece index of byte offsets (1 MiB pieces unless --piece).

usage: python3 benches/seek_timeline.py SEEK.json SERVER.log [--piece BYTES] [--mode riptide]
"""
import datetime
import json
import re
import sys

args = sys.argv[1:]
piece = int(args[args.index('--piece') + 1]) if '--piece' in args else 1 << 20
only_mode = args[args.index('--mode') + 1] if '--mode' in args else None
seeks = json.load(open(args[0]))
log = open(args[1]).read().splitlines()

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
