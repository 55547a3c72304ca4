"""How long a candidate waits for a case to open in Voilà, against a trivial notebook on the same server setup.

For each notebook, a fresh ``voila`` server on 127.0.0.1 and a headless Debian chromium (Playwright): the time from
starting the server until it accepts connections, and from asking for the page until the app is on screen (the
notebook executed in a fresh kernel: casekit imported, the world generated, every panel rendered). The trivial
notebook (one ipywidgets button) is the plain alternative: what Voilà itself costs on this machine. Median of
``--repeat`` page loads on one server each.

    python benchmarks/bench_voila.py [--repeat 3] [--org bank-cards]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "T1": ROOT / "notebooks" / "candidate" / "t1_recruitment.ipynb",
    "T2": ROOT / "notebooks" / "candidate" / "t2_training.ipynb",
    "T3": ROOT / "notebooks" / "candidate" / "t3_performance.ipynb",
    "T4": ROOT / "notebooks" / "candidate" / "t4_incentives.ipynb",
    "T5": ROOT / "notebooks" / "candidate" / "t5_compliance.ipynb",
}
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TRIVIAL = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "trivial",
            "metadata": {},
            "outputs": [],
            "source": "import ipywidgets as w\nb = w.Button(description='ok')\nb.add_class('ck-app')\nb",
        }
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(notebook: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int, float]:
    port = _port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("voila")), str(notebook), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port, time.perf_counter() - started
        if proc.poll() is not None or time.perf_counter() - started > 120:
            raise RuntimeError(f"voila did not start; see {log}")
        time.sleep(0.05)


def _page_loads(port: int, repeat: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for _ in range(repeat):
                page = browser.new_page()
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded", timeout=120_000)
                page.locator(".ck-app").first.wait_for(state="visible", timeout=120_000)
                times.append(time.perf_counter() - t0)
                page.close()
        finally:
            browser.close()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--org", default="bank-cards")
    ap.add_argument("--cases", default=",".join(CASES), help="the case kinds to open, comma-separated")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="casekit-bench-voila-"))
    trivial = work / "trivial.ipynb"
    trivial.write_text(json.dumps(TRIVIAL), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEKIT_")}
    env.update(CASEKIT_ORG=args.org, CASEKIT_SEED="7", CASEKIT_CANDIDATE="bench", CASEKIT_LANG="zh-TW",
               CASEKIT_ANSWER=str(work / "answer.json"))  # fmt: skip
    runs = [("trivial notebook (plain Voilà)", trivial)]
    runs += [(f"{kind} case ({args.org})", CASES[kind]) for kind in args.cases.split(",")]
    for name, notebook in runs:
        env["CASEKIT_ANSWER"] = str(work / f"answer-{notebook.stem}.json")
        proc, port, ready = _serve(notebook, env, work / f"{notebook.stem}.log")
        try:
            loads = _page_loads(port, args.repeat)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        print(
            f"{name}: server ready {ready:.2f} s; page to app on screen median {statistics.median(loads):.2f} s "
            f"(min {min(loads):.2f}, max {max(loads):.2f}, n={len(loads)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
