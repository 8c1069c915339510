"""Load test of the country-profile JSON endpoint: ``migdev serve`` started for real, ``wrk`` against loopback.

    python bench/load_bench.py [--db PATH] [--seconds 60] [--workers 2] [--connections 8] [--short]

Starts ``migdev serve`` (uvicorn, httptools, uvloop) on a free port, asks every country's profile once per worker
(so the timed run measures the served path, not the first build of a profile), then runs ``wrk`` with a Lua script
that cycles through every country's ``/api/v1/profiles/{iso3}`` for ``--seconds``, offering ``--rate`` requests/s
(default 1000, twice the target; ``--rate 0`` measures saturation throughput), and prints its latency report,
a Markdown row for bench/README.md, and the figures as JSON in bench/results/load.json. Targets (issue 9):
>= 500 requests/s, p99 <= 20 ms, zero errors over 60 s. ``--short`` runs 10 s.

Why wrk and not a Python client: wrk is a C load generator that uses a fraction of a core for thousands of
requests a second, so on a 2-core machine shared with the server it is not what limits the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TARGET_RPS, TARGET_P99_MS = 500, 20.0
RESULTS = Path(__file__).with_name("results")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db: Path, port: int, workers: int) -> subprocess.Popen:
    migdev = shutil.which("migdev") or sys.exit("migdev is not installed in this environment")
    return subprocess.Popen([migdev, "serve", "--db", str(db), "--port", str(port), "--workers", str(workers)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_ready(base: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"migdev serve exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(f"{base}/api/v1/sources?limit=1", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit("the server did not answer in time")


def profile_paths(base: str, workers: int) -> list[str]:
    """Every country with a profile, each asked ``2 * workers`` times so that every worker has built it."""
    rows = httpx.get(f"{base}/api/v1/countries", params={"limit": 1000}, timeout=60).json()["rows"]
    paths = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for iso3 in (r["iso3"] for r in rows):
            path = f"/api/v1/profiles/{iso3}"
            codes = {client.get(path, headers={"Connection": "close"}).status_code for _ in range(2 * workers)}
            if codes == {200}:
                paths.append(path)
    return paths


LUA = """paths = {%s}
pause = %s
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
if pause > 0 then
  delay = function() return pause end
end
"""


def run_wrk(base: str, paths: list[str], seconds: int, connections: int, threads: int, rate: float = 0) -> str:
    """wrk's report; ``rate`` > 0 paces each connection (wrk's ``delay()``: ``connections / rate`` between its
    requests, latency not counted) so the server gets about ``rate`` requests/s; 0: as fast as it answers."""
    pause = int(connections * 1000 / rate) if rate else 0
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % (", ".join(json.dumps(p) for p in paths), pause))
    try:
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", f.name,
                              base], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    return out


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not m:
        raise ValueError(f"cannot read wrk's latency {text!r}")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def parse(report: str) -> dict[str, float | int]:
    """Requests/s, latency percentiles (ms), requests, and every kind of error wrk counts."""
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", report, re.M)}
    total = re.search(r"(\d+) requests in", report)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1)),
            "p50_ms": pct["50"], "p90_ms": pct["90"], "p99_ms": pct["99"], "requests": int(total.group(1)),
            "errors": (sum(map(int, socket_errors.groups())) if socket_errors else 0)
            + (int(non2xx.group(1)) if non2xx else 0)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("MIGDEV_DB", "migdev.duckdb")))
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--short", action="store_true", help="10 s instead of --seconds")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--rate", type=float, default=1000, help="requests/s offered (paced connections); 0: as many "
                                                             "as the server answers (saturation: latency is queueing)")
    args = ap.parse_args()
    seconds = 10 if args.short else args.seconds
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(args.db.resolve(), port, args.workers)
    try:
        wait_ready(base, proc)
        paths = profile_paths(base, args.workers)
        run_wrk(base, paths, 5, args.connections, args.threads)  # warm: connections, caches, branch predictors
        load_before = os.getloadavg()
        report = run_wrk(base, paths, seconds, args.connections, args.threads, args.rate)
        load_after = os.getloadavg()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    figures = parse(report)
    figures.update(offered_rps=args.rate or "saturation",
                   seconds=seconds, workers=args.workers, connections=args.connections, profiles=len(paths),
                   load_before=round(load_before[0], 2), load_after_1min=round(load_after[0], 2),
                   cores=os.cpu_count(), date=time.strftime("%Y-%m-%d %H:%M"))
    print(report)
    ok = figures["rps"] >= TARGET_RPS and figures["p99_ms"] <= TARGET_P99_MS and figures["errors"] == 0
    print(f"| profile JSON | {figures['cores']} cores | {seconds} s | {args.workers} workers, {args.connections} "
          f"connections, offered {args.rate or 'max'} req/s "
          f"| {figures['rps']:,.0f} req/s | p50 {figures['p50_ms']:.2f} ms | p99 {figures['p99_ms']:.2f}"
          f" ms | errors {figures['errors']} | load {figures['load_before']} -> {figures['load_after_1min']} | "
          f"{'meets' if ok else 'MISSES'} >= {TARGET_RPS} req/s, p99 <= {TARGET_P99_MS:g} ms |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(figures, indent=1) + "\n")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
