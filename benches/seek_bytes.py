#!/usr/bin/env python3
"""Where a seek's bytes end, per file layout (an experiment's reading aid, not a step of
scripts/bench.sh): for the page bench's jumps (25/50/75/90 %, at the key frame and 1 s into
the GOP), how far into each file a player must read from the target's key frame to hold the
video frames AND the audio presented up to target + X, for several X, as "piece(fraction
of it)" with 1 MiB pieces. Reads the packets with ffprobe.

usage: python3 benches/seek_bytes.py FILM... [--gop 2] [--piece BYTES]
e.g.   python3 benches/seek_bytes.py film.mkv film.mp4   (the bench fixtures)

The frames needed are every video frame from the key frame presented up to target + X (a
frame decoded after them but presented later comes along: in a file the bytes run in decode
order) and every audio frame presented between the key frame and target + X.
"""
import csv
import io
import subprocess
import sys

args = sys.argv[1:]
gop = float(args[args.index('--gop') + 1]) if '--gop' in args else 2.0
piece = int(args[args.index('--piece') + 1]) if '--piece' in args else 1 << 20
films = [a for i, a in enumerate(args) if not a.startswith('--') and (i == 0 or args[i - 1] not in ('--gop', '--piece'))]
PAST = (0.0, 0.05, 0.1, 0.2, 0.25, 0.35, 0.45)


def packets(film):
    """(video, audio): lists of (pts, duration, size, pos, key) in file order."""
    out = subprocess.run(
        ['ffprobe', '-v', 'error', '-show_entries', 'packet=stream_index,pts_time,duration_time,size,pos,flags',
         '-show_entries', 'format=duration', '-of', 'csv=p=0', film],
        check=True, capture_output=True, text=True).stdout
    video, audio, duration = [], [], None
    for row in csv.reader(io.StringIO(out)):
        if len(row) == 1:
            duration = float(row[0])
            continue
        # ffprobe's own order: stream_index, pts_time, duration_time, size, pos, flags.
        stream, pts, dur, size, pos, flags = row[:6]
        if pts == 'N/A' or pos == 'N/A':
            continue
        rec = (float(pts), float(dur), int(size), int(pos), 'K' in flags)
        (video if stream == '0' else audio).append(rec)
    return video, audio, duration


for film in films:
    video, audio, duration = packets(film)
    print(f'{film}: bytes from the key frame\'s position to hold video and audio to target + X')
    print('jump'.ljust(10) + 'key frame piece  ' + '  '.join(f'+{x:.2f} s'.ljust(11) for x in PAST))
    for fraction in (0.25, 0.5, 0.75, 0.9):
        key = int(fraction * duration / gop) * gop
        for at in ('key', 'mid'):
            target = key if at == 'key' else key + gop / 2
            kf = [v for v in video if v[4] and v[0] <= target + 1e-6][-1]
            start = kf[3]
            cells = []
            for x in PAST:
                to = target + x
                v_end = max(v[3] + v[2] for v in video if v[3] >= start and v[0] <= to + 1e-6)
                a_end = max(a[3] + a[2] for a in audio if a[0] <= to and a[0] + a[1] > kf[0])
                last = max(v_end, a_end) - 1
                cells.append(f'{last // piece}({last % piece / piece:.2f})'.ljust(11))
            print(f'{int(fraction * 100)} % {at}'.ljust(10) + f'{start // piece}'.ljust(17) + '  '.join(cells))
