"""Benchmark the interactive page: file size and time to first paint in headless Chromium.

Target (issue 4): 2 x 70,000 points with every image for hover in under 40 MB,
first paint under 5 s on this machine. Run from the repo root (uses the cache,
so the embedding is computed once):

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_html.py [--method umap] [--repeat 3]

"First paint" is the time from asking Chromium to open the file until a
screenshot shows every panel's points: screenshots are taken one after
another (each takes 40-100 ms here, so the time is at most that late), and a
panel counts as painted when at least 1% of its pixels are not white. A page
whose canvas exists but is blank does not count.
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


def chromium(window: str = "1400,900") -> Any:
    """A headless Chromium driver, 1400 x 900 as every page benchmark uses unless it says otherwise."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--window-size={window}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or ""), options=options)


#: Where each points panel is on the screen: [left, top, width, height] in CSS pixels (null before the plot is).
PANELS = """
    var g = document.getElementById('fmnist-viz-plot'), L = g && g._fullLayout;
    if (!L || !g._fullData) { return null; }
    var box = g.getBoundingClientRect();
    return g._fullData.filter(function (t) { return t.meta && t.meta.role === 'points'; }).map(function (t) {
        var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
        return [box.left + xa._offset, box.top + ya._offset, xa._length, ya._length];
    });
"""


def screen(driver: Any) -> Any:
    """The page on the screen now, as an (h, w, 3) array of 0-255."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})["data"]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(shot))).convert("RGB"))


def ink(shot: Any, panels: list[list[float]]) -> list[float]:
    """The share of each panel's pixels that are not white."""
    return [float((shot[int(y):int(y + h), int(x):int(x + w)].min(axis=2) < 230).mean()) for x, y, w, h in panels]


def first_paint(page: Path) -> float:
    """Seconds from opening the page until a screenshot shows every panel's points (see the module's text)."""
    driver = chromium()
    try:
        driver.get("about:blank")
        start = time.perf_counter()
        driver.get(page.as_uri())
        deadline = start + 120
        while time.perf_counter() < deadline:
            panels = driver.execute_script(PANELS)
            if panels and min(ink(screen(driver), panels)) > 0.01:
                return time.perf_counter() - start
            time.sleep(0.01)
        raise RuntimeError(f"{page.name}: its panels were not all painted within 120 s")
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
