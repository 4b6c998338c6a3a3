"""Benchmark the interactive page: file size and time to first paint in headless Chromium.

Target (issue 4): 2 x 70,000 points with every image for hover in under 40 MB,
first paint under 5 s on this machine. Run from the repo root (uses the cache,
so the embedding is computed once):

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_html.py [--method umap] [--repeat 3]

"First paint" is the time from asking Chromium to open the file until the plot
object exists and its WebGL canvas has been drawn.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def chromium() -> Any:
    """A headless Chromium driver, 1400 x 900, as every page benchmark uses."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,900"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or ""), options=options)


def first_paint(page: Path) -> float:
    driver = chromium()
    try:
        driver.get("about:blank")
        start = time.perf_counter()
        driver.get(page.as_uri())
        while not driver.execute_script(
                "var g = document.getElementById('fmnist-viz-plot');"
                "return !!(g && g._fullLayout && document.querySelector('canvas.gl-canvas-context'));"):
            time.sleep(0.02)
        return time.perf_counter() - start
    finally:
        driver.quit()


def page_arguments(description: str, parser: argparse.ArgumentParser | None = None) -> argparse.Namespace:
    """The options every page benchmark takes (--repeat, --n, --smoke), parsed, once headless Chromium is found;
    ``parser`` may bring options of its own."""
    parser = parser or argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, help="a stratified subsample of N points (default: all 70,000)")
    parser.add_argument("--smoke", action="store_true", help="--n 2000, one repeat: a quick check that it runs (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.n, args.repeat = args.n or 2000, 1
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        sys.exit("needs headless Chromium: apt-get install chromium chromium-driver")
    return args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="umap")
    args = page_arguments(__doc__.splitlines()[0], parser)
    out = Path(tempfile.mkdtemp(prefix="fmnist-viz-html-"))
    start = time.perf_counter()
    size = ["--n", str(args.n)] if args.n else []
    subprocess.run([sys.executable, "-m", "fmnist_viz", "-q", args.method, "--compare", "mnist",
                    "--format", "html", "--out", str(out), *size], check=True, stdout=subprocess.DEVNULL)
    made = time.perf_counter() - start
    (page,) = out.glob(f"{args.method}_fashion-vs-mnist*.html")
    times = [first_paint(page) for _ in range(args.repeat)]
    print("| page | size MB | written in s | first paint s (median) | worst |")
    print("|---|---|---|---|---|")
    print(f"| {page.name} | {page.stat().st_size / 1e6:.1f} | {made:.1f} | {statistics.median(times):.2f} "
          f"| {max(times):.2f} |")


if __name__ == "__main__":
    main()
