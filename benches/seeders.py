#!/usr/bin/python3
"""Seeders of every kind: piece-server downloading one film from Transmission, qBittorrent,
libtorrent and aria2 (each alone, over loopback), beside libtorrent downloading from the same
seeder in the same run (the reference).

usage: /usr/bin/python3 benches/seeders.py OUT_JSON   (Debian's python3: it has python3-libtorrent)

For each seeder, each run, each downloader: a fresh seeder (see main: Transmission takes every
later downloader on 127.0.0.1 for a seed once one has finished), then a fresh piece-server
(empty data directory, DHT and trackers off)
is given the magnet with the seeder's address as `x.pe`, and a fresh libtorrent session
(TCP only, like librqbit, DHT off) is given the same magnet and the same address; the order of
the two alternates between runs. Figures, each from the moment of the add:
- metadata: piece-server's `POST /api/torrents` answering 201 (it waits for the info
  dictionary); libtorrent's torrent status saying it has the metadata (polled every 5 ms);
- first 2 MB: the first 2 MB of the file read through piece-server's Range endpoint (one
  streaming GET of the whole file); libtorrent's first 8 pieces verified (sequential mode);
- sustained MB/s: the rest of the file over the time it took after the first 2 MB.
The bytes piece-server returns are compared with the film (a mismatch fails the step).

The film is random bytes (the seeders do not care what it holds), made once into a torrent
with 256 KiB pieces by libtorrent; every seeder loads that .torrent over the film's folder.
Encryption settings are each client's defaults ("prefer encrypted" for Transmission and
qBittorrent, "enabled" for libtorrent, aria2 plain unless required): all of them accept a
plain-text incoming connection, which is all librqbit can open.

Environment (set by `scripts/bench.sh`): `PIECE_SERVER_BIN` (default target/debug/piece-server),
`RIPTIDE_BENCH_RUNS` (runs per seeder, median reported; default 3), `RIPTIDE_BENCH_SMOKE=1`
(an 8 MB film, 1 run), `RIPTIDE_BENCH_PS_ARGS` (extra piece-server flags, to compare settings),
`RIPTIDE_SEEDERS` (comma-separated subset of
transmission,qbittorrent,libtorrent,aria2), `RIPTIDE_BENCH_FILM_MB` (default 64).
"""
import contextlib
import hashlib
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import libtorrent as lt

PIECE = 256 << 10
FIRST = 2 << 20
TIMEOUT = 300


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout=60, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = check()
        if v:
            return v
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(step)


def make_film(folder, mb):
    """Random bytes (fixed seed) and a .torrent of them with 256 KiB pieces, no trackers."""
    film = os.path.join(folder, "film.bin")
    rng = random.Random(17)
    with open(film, "wb") as f:
        for _ in range(mb):
            f.write(rng.randbytes(1 << 20))
    fs = lt.file_storage()
    lt.add_files(fs, film)
    # v1 only: libtorrent 2 makes hybrid v1+v2 torrents by default, which Transmission 3.00
    # refuses as corrupt.
    t = lt.create_torrent(fs, PIECE, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(t, folder)
    path = os.path.join(folder, "film.torrent")
    with open(path, "wb") as f:
        f.write(lt.bencode(t.generate()))
    info = lt.torrent_info(path)
    return film, path, str(info.info_hash())


def lt_settings(port, tcp_only):
    return {
        "listen_interfaces": f"127.0.0.1:{port}",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "allow_multiple_connections_per_ip": True,
        "enable_outgoing_utp": not tcp_only,
        "enable_incoming_utp": not tcp_only,
        "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
    }


# ----------------------------------------------------------------------------- seeders
# Each returns (peer port, stop function) once the seeder has the whole film and is seeding.

def seed_libtorrent(tmp, film, torrent):
    port = free_port()
    ses = lt.session(lt_settings(port, tcp_only=False))
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(torrent)
    p.save_path = os.path.dirname(film)
    p.flags |= lt.torrent_flags.seed_mode
    # Not auto-managed: an auto-managed torrent starts on the session's next 1 s tick, and until
    # then refuses connections (librqbit tries a magnet's x.pe peer once).
    p.flags &= ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    h = ses.add_torrent(p)
    listening_ok = []

    def ready():
        listening_ok.extend(a for a in ses.pop_alerts() if isinstance(a, lt.listen_succeeded_alert)
                            and a.socket_type == lt.socket_type_t.tcp)
        st = h.status()
        return listening_ok and st.is_seeding and not st.paused
    wait_for("the libtorrent seeder", ready)
    def stop_session():
        ses.remove_torrent(h)
        ses.pause()
    return port, stop_session, f"libtorrent (python3-libtorrent) {lt.__version__}"


def seed_transmission(tmp, film, torrent):
    port, rpc = free_port(), free_port()
    conf = os.path.join(tmp, "transmission")
    os.makedirs(conf)
    # Defaults except what a loopback test needs: no DHT/LPD/PEX/port mapping, RPC without
    # a password. Encryption stays at its default, 1 = prefer encrypted (accepts plain text).
    settings = {
        "peer-port": port, "peer-port-random-on-start": False, "port-forwarding-enabled": False,
        "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False,
        "rpc-port": rpc, "rpc-authentication-required": False, "rpc-whitelist": "127.0.0.1",
        "download-dir": os.path.dirname(film), "encryption": 1, "ratio-limit-enabled": False,
        "speed-limit-up-enabled": False, "message-level": 1,
    }
    with open(os.path.join(conf, "settings.json"), "w") as f:
        json.dump(settings, f)
    proc = subprocess.Popen(["transmission-daemon", "-f", "-g", conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    remote = ["transmission-remote", f"127.0.0.1:{rpc}"]
    with stopped_on_error(proc):
        wait_for("transmission-daemon's RPC", lambda: subprocess.run(
            remote + ["-l"], capture_output=True).returncode == 0)
        subprocess.run(remote + ["-a", torrent, "-w", os.path.dirname(film)], check=True, capture_output=True)
        # It checks the data it finds; seeding once the list says 100 %.
        wait_for("Transmission to check the film", lambda: "100%" in subprocess.run(
            remote + ["-l"], capture_output=True, text=True).stdout, timeout=120, step=0.2)
    version = subprocess.run(["transmission-daemon", "--version"], capture_output=True, text=True)
    return port, lambda: stop(proc), (version.stdout + version.stderr).strip().splitlines()[0]


def seed_qbittorrent(tmp, film, torrent):
    port, web = free_port(), free_port()
    profile = os.path.join(tmp, "qbittorrent")
    conf_dir = os.path.join(profile, "qBittorrent", "config")
    os.makedirs(conf_dir)
    # MultiConnectionsPerIp: every peer on loopback has the same IP; without it qBittorrent
    # refuses the second connection from 127.0.0.1. Encryption=0 is its default ("prefer").
    with open(os.path.join(conf_dir, "qBittorrent.conf"), "w") as f:
        f.write(f"""[LegalNotice]
Accepted=true

[BitTorrent]
Session\\Port={port}
Session\\DHTEnabled=false
Session\\LSDEnabled=false
Session\\PeXEnabled=false
Session\\Encryption=0
Session\\MultiConnectionsPerIp=true
Session\\GlobalMaxRatio=-1
Session\\QueueingSystemEnabled=false

[Preferences]
Connection\\UPnP=false
WebUI\\Port={web}
WebUI\\Address=127.0.0.1
WebUI\\LocalHostAuth=false
""")
    proc = subprocess.Popen(["qbittorrent-nox", f"--profile={profile}", f"--webui-port={web}",
                             f"--save-path={os.path.dirname(film)}", "--skip-hash-check", torrent],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def seeding():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{web}/api/v2/torrents/info", timeout=2) as r:
                ts = json.load(r)
            return ts and ts[0]["progress"] >= 1 and ts[0]["state"] in ("uploading", "stalledUP")
        except OSError:
            return False
    with stopped_on_error(proc):
        wait_for("qBittorrent to seed", seeding, timeout=120, step=0.2)
    version = subprocess.run(["qbittorrent-nox", "--version"], capture_output=True, text=True).stdout.strip()
    return port, lambda: stop(proc), version


def seed_aria2(tmp, film, torrent):
    port = free_port()
    log = os.path.join(tmp, "aria2.log")
    proc = subprocess.Popen(["aria2c", "--seed-ratio=0.0", "--seed-time=600", "--check-integrity=true",
                             f"--dir={os.path.dirname(film)}", f"--listen-port={port}",
                             "--enable-dht=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
                             "--bt-require-crypto=false", "--summary-interval=0", "--console-log-level=warn",
                             f"--log={log}", "--log-level=notice", torrent],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def seeding():
        try:
            log_text = open(log).read()
        except OSError:
            return False
        # It opens the peer port only after checking the file.
        return "Verification finished successfully" in log_text and "listening on TCP port" in log_text
    with stopped_on_error(proc):
        wait_for("aria2 to check the film", seeding, timeout=120, step=0.2)
    version = subprocess.run(["aria2c", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return port, lambda: stop(proc), version


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def stopped_on_error(proc):
    """Stops the seeder process if it never became ready."""
    try:
        yield
    except BaseException:
        stop(proc)
        raise


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_seeder(name, tmp, film, torrent):
    """Starts one seeder and waits until it has the film and listens on its peer port."""
    # Readiness comes from each seeder's own state, never from a probe connection: Transmission
    # and libtorrent remember a connection that closed without a handshake, and librqbit tries a
    # magnet's x.pe peer once.
    return SEEDERS[name](tmp, film, torrent)


SEEDERS = {
    "libtorrent": seed_libtorrent,
    "qbittorrent": seed_qbittorrent,
    "transmission": seed_transmission,
    "aria2": seed_aria2,
}


# ----------------------------------------------------------------------------- downloaders

def piece_server_run(bin_path, tmp, magnet, film, size, film_hash):
    http_port = free_port()
    data = tempfile.mkdtemp(dir=tmp, prefix="ps-")
    proc = subprocess.Popen([bin_path, "--listen", f"127.0.0.1:{http_port}", "--data-dir", data,
                             "--no-dht", "--no-trackers", *os.environ.get("RIPTIDE_BENCH_PS_ARGS", "").split()],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for("piece-server", lambda: listening(http_port), timeout=30)
        conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=TIMEOUT)
        t0 = time.monotonic()
        conn.request("POST", "/api/torrents", body=json.dumps({"magnet": magnet}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        body = r.read()
        if r.status != 201:
            raise RuntimeError(f"piece-server answered {r.status} to the add: {body[:300]!r}")
        t_meta = time.monotonic() - t0
        tid = json.loads(body)["id"]
        conn.request("GET", f"/api/torrents/{tid}/files/0", headers={"Range": f"bytes=0-{size - 1}"})
        r = conn.getresponse()
        if r.status != 206:
            raise RuntimeError(f"piece-server answered {r.status} to the Range request")
        h = hashlib.sha256()
        got = 0
        t_first = None
        while True:
            b = r.read(1 << 16)
            if not b:
                break
            h.update(b)
            got += len(b)
            if t_first is None and got >= FIRST:
                t_first = time.monotonic() - t0
        t_end = time.monotonic() - t0
        if got != size or h.hexdigest() != film_hash:
            raise RuntimeError(f"piece-server returned {got} bytes that differ from the film")
        return {"metadata_s": t_meta, "first_2mb_s": t_first,
                "mb_s": (size - FIRST) / 1e6 / (t_end - t_first), "total_s": t_end}
    finally:
        stop(proc)


def libtorrent_run(tmp, info_hash, seeder_port, size):
    """libtorrent in a child process (one session per run, as fresh as piece-server's)."""
    out = subprocess.run([sys.executable, __file__, "--lt-download", tmp, info_hash, str(seeder_port), str(size)],
                         capture_output=True, text=True, timeout=TIMEOUT + 30)
    if out.returncode != 0:
        raise RuntimeError(f"libtorrent download failed: {out.stderr[-500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def lt_download(tmp, info_hash, seeder_port, size):
    save = tempfile.mkdtemp(dir=tmp, prefix="lt-")
    ses = lt.session(lt_settings(0, tcp_only=True))
    t0 = time.monotonic()
    p = lt.parse_magnet_uri(f"magnet:?xt=urn:btih:{info_hash}")
    p.save_path = save
    p.flags |= lt.torrent_flags.sequential_download
    p.flags &= ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused  # start now, not on the next tick
    h = ses.add_torrent(p)
    h.connect_peer(("127.0.0.1", seeder_port))
    last_connect = 0.0
    first_pieces = FIRST // PIECE
    t_meta = t_first = None
    while time.monotonic() - t0 < TIMEOUT:
        s = h.status()
        now = time.monotonic() - t0
        if t_meta is None and s.has_metadata:
            t_meta = now
        if t_first is None and t_meta is not None and all(h.have_piece(i) for i in range(first_pieces)):
            t_first = now
        if s.is_seeding:
            print(json.dumps({"metadata_s": t_meta, "first_2mb_s": t_first,
                              "mb_s": (size - FIRST) / 1e6 / (now - t_first), "total_s": now}))
            return
        # A peer given before the torrent has started is dropped; repeat until connected.
        if not s.has_metadata and not s.num_peers and now - last_connect > 0.1:
            h.connect_peer(("127.0.0.1", seeder_port))
            last_connect = now
        time.sleep(0.005)
    sys.exit("libtorrent did not finish in time")


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    if sys.argv[1:2] == ["--lt-download"]:
        tmp, info_hash, port, size = sys.argv[2:6]
        return lt_download(tmp, info_hash, int(port), int(size))
    out = sys.argv[1]
    smoke = bool(os.environ.get("RIPTIDE_BENCH_SMOKE"))
    runs = 1 if smoke else int(os.environ.get("RIPTIDE_BENCH_RUNS", "3"))
    mb = 8 if smoke else int(os.environ.get("RIPTIDE_BENCH_FILM_MB", "64"))
    bin_path = os.environ.get("PIECE_SERVER_BIN", "target/debug/piece-server")
    names = [n for n in os.environ.get("RIPTIDE_SEEDERS", ",".join(SEEDERS)).split(",") if n]
    tmp = tempfile.mkdtemp(prefix="riptide-bench-seeders-")
    rows, failures = [], []
    try:
        film_dir = os.path.join(tmp, "film")
        os.makedirs(film_dir)
        film, torrent, info_hash = make_film(film_dir, mb)
        size = os.path.getsize(film)
        film_hash = hashlib.sha256(open(film, "rb").read()).hexdigest()
        for name in names:
            res = {"piece-server": [], "libtorrent": []}
            errors = []
            version = name
            for run in range(runs):
                order = ["piece-server", "libtorrent"] if run % 2 == 0 else ["libtorrent", "piece-server"]
                for who in order:
                    # A fresh seeder for every download: Transmission keys what it knows about a
                    # peer by IP address, and once one downloader on 127.0.0.1 finished it takes
                    # every later one for a seed and closes the connection (peer-mgr.c,
                    # shouldPeerBeClosed). In a real swarm each downloader has its own address.
                    stmp = tempfile.mkdtemp(dir=tmp, prefix=f"{name}-")
                    try:
                        port, stop_seeder, version = start_seeder(name, stmp, film, torrent)
                    except Exception as e:  # noqa: BLE001 - a seeder that cannot start is an error row
                        errors.append(f"{name} did not start: {e}")
                        continue
                    magnet = f"magnet:?xt=urn:btih:{info_hash}&x.pe=127.0.0.1:{port}"
                    try:
                        r = (piece_server_run(bin_path, stmp, magnet, film, size, film_hash)
                             if who == "piece-server" else libtorrent_run(stmp, info_hash, port, size))
                        res[who].append(r)
                        print(f"seeders: {name:<12} {who:<12} run {run + 1}: metadata {r['metadata_s']:.2f} s, "
                              f"first 2 MB {r['first_2mb_s']:.2f} s, {r['mb_s']:.1f} MB/s", file=sys.stderr)
                    except Exception as e:  # noqa: BLE001
                        errors.append(f"{who} run {run + 1}: {e}")
                        print(f"seeders: {name} {who} run {run + 1}: {e}", file=sys.stderr)
                    finally:
                        stop_seeder()
            row = {"seeder": name, "version": version, "errors": errors}
            for who, key in [("piece-server", "riptide"), ("libtorrent", "libtorrent")]:
                for fig in ["metadata_s", "first_2mb_s", "mb_s"]:
                    row[f"{key}_{fig}"] = med([r[fig] for r in res[who]])
                    row[f"{key}_{fig}_runs"] = [r[fig] for r in res[who]]
            if row["riptide_mb_s"] and row["libtorrent_mb_s"]:
                row["ratio"] = row["riptide_mb_s"] / row["libtorrent_mb_s"]
            rows.append(row)
            failures += [f"{name}: {e}" for e in errors if not e.startswith("libtorrent")]
        result = {"piece_server_args": os.environ.get("RIPTIDE_BENCH_PS_ARGS", ""),
                  "film_bytes": size, "piece_bytes": PIECE, "runs": runs, "rows": rows}
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out, "w") as f:
            json.dump(result, f, indent=1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        sys.exit("seeders benchmark: " + "; ".join(failures))


if __name__ == "__main__":
    main()
