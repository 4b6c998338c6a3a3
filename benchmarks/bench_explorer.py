"""Benchmark the explorer page: size, first paint, and how fast selection, colour-by, find and morph respond.

Targets (issue 8): 4 methods x 2 data sets x 70,000 points with every image:
page <= 45 MB, first paint <= 6 s in headless Chromium here, a selection of
10,000 points updating all panels in <= 0.5 s, a morph at >= 15 frames per
second (or what limits it). The single-method page is measured beside it.
Run from the repo root (embeddings come from the cache after the first run):

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_explorer.py [--repeat 3]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_html import PANELS, chromium, first_paint, ink, page_arguments, screen  # noqa: E402 (a sibling script)


def mouse_selections(page: Path, repeat: int = 3, settle: float = 3.0) -> list[float]:
    """Milliseconds from releasing a real mouse drag (a box over the middle of the first panel) until the screen
    shows the selection as it finally is: screenshots of the dragged panel and another panel of that data set
    (the linked selection) are taken one after another for ``settle`` seconds after the release, and the time is
    that of the first one equal to the last (to a mean difference of 0.5 of 255; each screenshot takes 40-100 ms
    here, so the time is at most that late). Plotly shows a live selection while the box is dragged, so a
    measure of how much the panels dim would not see the page's own drawing. The first drag is made as soon as
    the page is painted; before each next one the selection is cleared and the page left a second."""
    import numpy as np
    from selenium.webdriver.common.action_chains import ActionChains

    driver = chromium()
    try:
        driver.get(page.as_uri())
        while not (driver.execute_script("var g = document.getElementById('fmnist-viz-plot');"
                                         "return !!(g && g.dataset.ready);")
                   and min(ink(screen(driver), driver.execute_script(PANELS))) > 0.01):
            time.sleep(0.05)
        panels = driver.execute_script(PANELS)
        # another panel of the data set shows the linked selection; a one-method page has only the dragged one
        linked = max(0, driver.execute_script("var p = window.fmnistViz.panels(); return p.findIndex("
                                              "function (q, i) { return i > 0 && q.dataset === p[0].dataset; });"))

        def shown() -> np.ndarray:
            shot = screen(driver).astype(np.int16)
            return np.concatenate([shot[int(y):int(y + h), int(x):int(x + w)].ravel()
                                   for x, y, w, h in (panels[0], panels[linked])])

        body = driver.find_element("tag name", "body")
        width, height = body.size["width"], body.size["height"]
        x, y, w, h = panels[0]
        times = []
        for attempt in range(repeat):
            if attempt:
                driver.execute_script("window.fmnistViz.clear()")
                time.sleep(1.0)
            chain = ActionChains(driver).move_to_element_with_offset(
                body, int(x + 0.3 * w - width / 2), int(y + 0.3 * h - height / 2)).click_and_hold()
            chain.move_by_offset(10, 10).move_to_element_with_offset(
                body, int(x + 0.7 * w - width / 2), int(y + 0.7 * h - height / 2))
            chain.perform()  # the box is drawn, the button still held
            start = time.perf_counter()
            ActionChains(driver).release().perform()
            shots = []
            while time.perf_counter() - start < settle:
                shots.append((time.perf_counter() - start, shown()))
            if not driver.execute_script("return window.fmnistViz.selection()"):
                raise RuntimeError("the drag selected nothing")
            final = shots[-1][1]
            settled = [np.abs(shot - final).mean() < 0.5 for _, shot in shots]
            if not all(settled[-max(2, len(shots) // 3):]):
                raise RuntimeError(f"the panels were still changing {settle} s after the drag")
            times.append(1000 * next(t for (t, _), same in zip(shots, settled, strict=True) if same))
        return times
    finally:
        driver.quit()


def interactions(page: Path, rows: int, repeat: int = 3) -> dict[str, float]:
    """Milliseconds for select(rows points), colorBy and find, each as the median of ``repeat`` calls, both
    until the call returns ("script") and until the frame after the one that draws the change ("drawn"), and
    the first call's "drawn" (made as soon as the page is ready); and the frame rate of a 1.5 s morph with the
    selection lit and with none."""
    driver = chromium()
    try:
        driver.get(page.as_uri())
        while not driver.execute_script("var g = document.getElementById('fmnist-viz-plot');"
                                        "return !!(g && g.dataset.ready);"):
            time.sleep(0.05)
        api = "window.fmnistViz"

        def timed(call: str, *args: object) -> tuple[float, float]:
            return tuple(driver.execute_async_script(
                "var done = arguments[arguments.length - 1], s = performance.now(), script;"
                f"{call}; script = performance.now() - s;"
                "requestAnimationFrame(function () { requestAnimationFrame(function () {"
                "  done([script, performance.now() - s]); }); });", *args))

        out: dict[str, float] = {}
        calls = {
            "select": lambda k: timed(f"{api}.select('fashion', Array.from({{length: arguments[0]}},"
                                      " function (_, i) { return (i * 7 + arguments[1]) % 70000; }))", rows, k),
            "colorBy": lambda k: timed(f"{api}.colorBy(arguments[0])", ("disagreement", "class")[k % 2]),
            "find": lambda k: timed(f"{api}.find('fashion', {api}.selection().rows[arguments[0]])", k),
        }
        for name, call in calls.items():
            runs = [call(k) for k in range(repeat)]
            out[name] = statistics.median(r[0] for r in runs)
            out[name + "_drawn"] = statistics.median(r[1] for r in runs)
            out[name + "_first"] = runs[0][1]  # the first, as the page has just become ready
        methods = sorted({p["method"] for p in driver.execute_script(f"return {api}.panels()")})
        if len(methods) > 1:  # with the selection above lit, then with none (back to where it started)
            for key, pair in (("morph_fps", methods[:2]), ("morph_fps_plain", methods[1::-1])):
                morph = driver.execute_async_script(
                    f"var cb = arguments[arguments.length - 1]; {api}.morph('fashion', arguments[0], arguments[1],"
                    " 1500).then(cb);", *pair)
                out[key] = morph["fps"]
                driver.execute_script(f"{api}.clear()")
        return out
    finally:
        driver.quit()


def measure(command: list[str], out: Path, repeat: int, rows: int) -> dict[str, float | str]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fmnist_viz", "-q", *command, "--format", "html", "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    made = time.perf_counter() - start
    (page,) = out.glob(f"{command[0]}_*.html")
    paints = [first_paint(page) for _ in range(repeat)]
    drags = mouse_selections(page, repeat)
    return {"page": page.name, "MB": page.stat().st_size / 1e6, "written": made,
            "paint": statistics.median(paints), "worst": max(paints), "drag_first": drags[0],
            "drag": statistics.median(drags[1:] or drags), **interactions(page, rows)}


def main() -> None:
    args = page_arguments(__doc__.splitlines()[0])
    size = ["--n", str(args.n)] if args.n else []
    rows = min(10_000, args.n or 10_000)
    print("| page | size MB | written in s | first paint s (median) | worst | mouse box drag ms: first / next | "
          f"select {rows:,} ms: script / drawn | colour-by ms: script / drawn | find ms: script / drawn | "
          "morph fps: selection lit / none |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for command in (["umap", "--compare", "mnist"], ["all", "--compare", "mnist"]):
        m = measure([*command, *size], Path(tempfile.mkdtemp(prefix="fmnist-viz-explorer-")), args.repeat, rows)
        fps = f"{m['morph_fps']:.1f} / {m['morph_fps_plain']:.1f}" if "morph_fps" in m else "-"
        timings = " | ".join(f"{m[k]:.0f} / {m[k + '_drawn']:.0f} (first {m[k + '_first']:.0f})"
                             for k in ("select", "colorBy", "find"))
        print(f"| {m['page']} | {m['MB']:.1f} | {m['written']:.1f} | {m['paint']:.2f} | {m['worst']:.2f} | "
              f"{m['drag_first']:.0f} / {m['drag']:.0f} | {timings} | {fps} |")


if __name__ == "__main__":
    main()
