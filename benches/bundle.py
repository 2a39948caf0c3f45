#!/usr/bin/env python3
"""Bundle sizes: what the page downloads to play (riptide's wasm + its JS glue + the page's
own JS), gzipped at level 9, beside mediabunny's minified bundle (gzipped here, from the
installed npm package) and ffmpeg.wasm's published size (benches/published-sizes.json).

usage: python3 benches/bundle.py OUT_JSON
"""
import gzip
import json
import os
import sys

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1]


def sizes(rel):
    path = os.path.join(repo, rel)
    with open(path, "rb") as f:
        data = f.read()
    return len(data), len(gzip.compress(data, 9))


with open(os.path.join(repo, "benches/published-sizes.json")) as f:
    published = json.load(f)
rows = []
total_raw = total_gz = 0
for rel, what in [("www/pkg/remux_wasm_bg.wasm", "riptide wasm (www/pkg/remux_wasm_bg.wasm)"),
                  ("www/pkg/remux_wasm.js", "riptide wasm-bindgen glue (www/pkg/remux_wasm.js)"),
                  ("www/app.js", "riptide page script (www/app.js)")]:
    raw, gz = sizes(rel)
    total_raw += raw
    total_gz += gz
    rows.append({"what": what, "raw": raw, "gzip": gz, "source": "measured in this run"})
rows.append({"what": "**riptide total**", "raw": total_raw, "gzip": total_gz, "source": "measured in this run"})
mb = published["mediabunny"]
raw, gz = sizes("node_modules/mediabunny/dist/bundles/mediabunny.min.mjs")
rows.append({"what": f"mediabunny full minified bundle ({mb['package']}, {mb['min_bundle_file']})", "raw": raw,
             "gzip": gz, "source": f"npm package installed by the suite, gzipped in this run; {mb['source']}"})
ff = published["ffmpeg.wasm"]
rows.append({"what": f"ffmpeg.wasm core ({ff['package']}, {ff['wasm_file']})", "raw": ff["wasm_bytes"],
             "gzip": ff["wasm_gzip_bytes_estimate"], "source": f"{ff['source']}; gzipped ≈ half the tarball ({ff['tarball_note']})"})
with open(out, "w") as f:
    json.dump({"rows": rows, "riptide_total_gzip": total_gz, "mediabunny_gzip": gz,
               "ffmpeg_wasm_gzip": ff["wasm_gzip_bytes_estimate"]}, f, indent=1)
