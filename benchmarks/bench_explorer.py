"""Benchmark the explorer page: size, first paint, and how fast selection, colour-by, find and morph respond.

Targets (issue 8): 4 methods x 2 data sets x 70,000 points with every image:
page <= 45 MB, first paint <= 6 s in headless Chromium here, a selection of
10,000 points updating all panels in <= 0.5 s, a morph at >= 15 frames per
second (or what limits it). Issue 24: a zoom switched from dots to images
within 300 ms, a zoomed panel panned with its images at >= 20 frames per
second. The single-method page is measured beside it.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_html import PANELS, chromium, first_paint, ink, page_arguments, screen  # noqa: E402 (a sibling script)


def open_painted(driver: Any, page: Path) -> None:
    """Open the page and wait until it is ready and a screenshot shows every panel's points."""
    driver.get(page.as_uri())
    while not (driver.execute_script("var g = document.getElementById('fmnist-viz-plot');"
                                     "return !!(g && g.dataset.ready);")
               and min(ink(screen(driver), driver.execute_script(PANELS))) > 0.01):
        time.sleep(0.05)


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
        open_painted(driver, page)
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


#: Watches the first panel from inside the page: every frame's time, its view's left and bottom edges and how many
#: images it draws; the time of every wheel turn and mouse release, and of the frame after the page's relayout
#: that ends a pan (Plotly emits plotly_relayout once the panel is drawn anew, or when its own replot has).
#: Returns the panel's data set, method, opening view and densest place.
WATCH = """
    var api = window.fmnistViz, p = api.panels()[0], gd = document.getElementById('fmnist-viz-plot');
    var w = window.__watch = {frames: [], wheels: [], release: null, settled: null};
    document.addEventListener('wheel', function () { w.wheels.push(performance.now()); }, true);
    document.addEventListener('mouseup', function () { w.release = performance.now(); w.settled = null; }, true);
    gd.on('plotly_relayout', function () {
      requestAnimationFrame(function () { requestAnimationFrame(function () { w.settled = performance.now(); }); });
    });
    (function frame() {
      requestAnimationFrame(function (now) {
        var v = api.viewOf(p.dataset, p.method);
        w.frames.push([performance.now(), v[0], v[2], api.imagesShown(p.dataset, p.method).length]);
        if (w.frames.length > 20000) { w.frames.splice(0, 10000); }
        frame();
      });
    })();
    // where the panel is densest: the middle of the fullest of 8 x 8 cells of its opening view
    var t = gd._fullData.filter(function (d) { return d.meta && d.meta.role === 'points'; })[0];
    var v = api.viewOf(p.dataset, p.method), counts = new Array(64).fill(0), best = 0;
    for (var i = 0; i < t.x.length; i++) {
      var gx = Math.floor((t.x[i] - v[0]) / (v[1] - v[0]) * 8), gy = Math.floor((t.y[i] - v[2]) / (v[3] - v[2]) * 8);
      if (gx >= 0 && gx < 8 && gy >= 0 && gy < 8) { counts[gy * 8 + gx]++; }
    }
    counts.forEach(function (c, k) { if (c > counts[best]) { best = k; } });
    return [p.dataset, p.method, v, [v[0] + (best % 8 + 0.5) * (v[1] - v[0]) / 8,
                                     v[2] + (Math.floor(best / 8) + 0.5) * (v[3] - v[2]) / 8]];
"""


def zooms_and_pans(page: Path, repeat: int = 3, seconds: float = 3.0, window: str = "1400,900") -> dict[str, float]:
    """Zooming from dots to images and panning among them, on the first panel, by script and with the mouse.

    - ``view``: ``fmnistViz.view()`` into a window a quarter of the opening view across (images show from a
      third) about the panel's densest place, moved a little each of ``repeat`` times: ms from the call until
      the frame after the images are drawn (median), and the images drawn.
    - ``wheel``: real wheel turns (Chromium's input events, as a mouse wheel sends them; Plotly zooms 10% a
      notch) over that place, 100 ms apart, from the opening view: ms from the turn that took the panel past a
      third to the frame after its images are drawn.
    - ``pan``: Plotly's pan tool, the mouse pressed on the zoomed panel and moved 3 px at a time, as fast as the
      page takes the events, for ``seconds``: frames per second that show the panel moved, and the fewest and
      most images in view; then ``release``: ms from letting go until the frame after the end of the pan is drawn.
    - ``pan_all``: the same with the tool bar's Images set to always, so that every panel is images.

    In a ``window`` (width,height) of the screen's size, as many images as fit there without piling up.
    """
    driver = chromium(window)
    try:
        open_painted(driver, page)
        time.sleep(2.0)  # what the page does in its first idle time (the selection's backgrounds) is done
        name, method, opening, (mx, my) = driver.execute_script(WATCH)
        x0, x1, y0, y1 = opening
        qx, qy = (x1 - x0) / 8, (y1 - y0) / 8  # a quarter of the opening view across, about the densest place
        zoomed = [mx - qx, mx + qx, my - qy, my + qy]
        x, y, w, h = driver.execute_script(PANELS)[0]
        cx, cy = x + w * (mx - x0) / (x1 - x0), y + h * (y1 - my) / (y1 - y0)  # there on the screen
        out: dict[str, float] = {}

        def view(box: list[float]) -> tuple[float, int]:
            return tuple(driver.execute_async_script(
                "var done = arguments[arguments.length - 1], s = performance.now();"
                "window.fmnistViz.view(arguments[0], arguments[1], arguments[2]).then(function (rows) {"
                "  requestAnimationFrame(function () { done([performance.now() - s, rows.length]); }); });",
                name, method, box))

        views = []
        for k in range(repeat):  # moved a little each time
            shift = (k - 1) * qx / 4
            views.append(view([zoomed[0] + shift, zoomed[1] + shift, zoomed[2] + shift, zoomed[3] + shift]))
            view(opening)
        out["view"] = statistics.median(v[0] for v in views)
        out["view_images"] = statistics.median(v[1] for v in views)

        def mouse(kind: str, px: float, py: float, **more: Any) -> None:
            driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": kind, "x": px, "y": py, **more})

        def watched() -> dict[str, Any]:
            return driver.execute_script("return window.__watch")

        mouse("mouseMoved", cx, cy)
        since = driver.execute_script("return window.__watch.frames.length")
        for _ in range(60):  # at most 60 notches; about 11 reach a third
            mouse("mouseWheel", cx, cy, deltaX=0, deltaY=-100)
            time.sleep(0.1)
            if driver.execute_script("var f = window.__watch.frames; return f[f.length - 1][3];"):
                break
        time.sleep(0.5)
        wt = watched()
        first = next(f for f in wt["frames"][since:] if f[3])
        turn = max(t for t in wt["wheels"] if t <= first[0])
        after = next(f for f in wt["frames"] if f[0] > first[0])  # the frame after the one that drew them
        out["wheel"] = after[0] - turn

        def pan(label: str) -> None:
            view(zoomed)
            time.sleep(0.5)
            start = len(watched()["frames"])
            def at(step: int) -> float:  # back and forth, 60 px either side of the centre
                return cx + abs(3 * step % 240 - 120) - 60

            mouse("mousePressed", at(0), cy, button="left", buttons=1, clickCount=1)
            begin, step = time.perf_counter(), 0
            while time.perf_counter() - begin < seconds:
                step += 1
                mouse("mouseMoved", at(step), cy, button="left", buttons=1)
            mouse("mouseReleased", at(step), cy, button="left", buttons=0, clickCount=1)
            time.sleep(1.0)
            wt = watched()
            frames = [f for f in wt["frames"][start:] if f[0] <= wt["release"]]
            moved = [b for a, b in zip(frames, frames[1:], strict=False) if (a[1], a[2]) != (b[1], b[2])]
            out[label] = (len(moved) - 1) / ((moved[-1][0] - moved[0][0]) / 1000)
            out[label + "_fewest"], out[label + "_most"] = min(f[3] for f in moved), max(f[3] for f in moved)
            out[label + "_release"] = wt["settled"] - wt["release"]

        driver.execute_script("Plotly.relayout(document.getElementById('fmnist-viz-plot'), {dragmode: 'pan'})")
        pan("pan")
        driver.execute_script("window.fmnistViz.imageMode('images')")
        pan("pan_all")
        return out
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


def measure(command: list[str], out: Path, repeat: int, rows: int) -> dict[str, Any]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fmnist_viz", "-q", *command, "--format", "html", "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    made = time.perf_counter() - start
    (page,) = out.glob(f"{command[0]}_*.html")
    paints = [first_paint(page) for _ in range(repeat)]
    drags = mouse_selections(page, repeat)
    return {"page": page.name, "path": str(page), "MB": page.stat().st_size / 1e6, "written": made,
            "paint": statistics.median(paints), "worst": max(paints), "drag_first": drags[0],
            "drag": statistics.median(drags[1:] or drags), **interactions(page, rows),
            **{"zoom_" + k: v for k, v in zooms_and_pans(page, repeat).items()}}


def main() -> None:
    args = page_arguments(__doc__.splitlines()[0])
    size = ["--n", str(args.n)] if args.n else []
    rows = min(10_000, args.n or 10_000)
    print("| page | size MB | written in s | first paint s (median) | worst | mouse box drag ms: first / next | "
          f"select {rows:,} ms: script / drawn | colour-by ms: script / drawn | find ms: script / drawn | "
          "morph fps: selection lit / none |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    pages = []
    for command in (["umap", "--compare", "mnist"], ["all", "--compare", "mnist"]):
        m = measure([*command, *size], Path(tempfile.mkdtemp(prefix="fmnist-viz-explorer-")), args.repeat, rows)
        pages.append(m)
        if command[0] == "umap":  # on a large screen too, where a panel holds hundreds of images
            big = zooms_and_pans(Path(m["path"]), args.repeat, window="2560,1440")
            pages.append({"page": f"{m['page']} at 2560 x 1440", **{"zoom_" + k: v for k, v in big.items()}})
        fps = f"{m['morph_fps']:.1f} / {m['morph_fps_plain']:.1f}" if "morph_fps" in m else "-"
        timings = " | ".join(f"{m[k]:.0f} / {m[k + '_drawn']:.0f} (first {m[k + '_first']:.0f})"
                             for k in ("select", "colorBy", "find"))
        print(f"| {m['page']} | {m['MB']:.1f} | {m['written']:.1f} | {m['paint']:.2f} | {m['worst']:.2f} | "
              f"{m['drag_first']:.0f} / {m['drag']:.0f} | {timings} | {fps} |")
    print("\nZooming into images and panning the first panel (see zooms_and_pans):\n")
    print("| page | view() to images drawn, ms (images) | wheel turn to images drawn, ms | mouse pan fps "
          "(images in view) | pan release to drawn, ms | pan with every panel images: fps / release ms |")
    print("|---|---|---|---|---|---|")
    for m in pages:
        z = {k[5:]: v for k, v in m.items() if k.startswith("zoom_")}
        print(f"| {m['page']} | {z['view']:.0f} ({z['view_images']:.0f}) | {z['wheel']:.0f} | {z['pan']:.1f} "
              f"({z['pan_fewest']}-{z['pan_most']}) | {z['pan_release']:.0f} | {z['pan_all']:.1f} / "
              f"{z['pan_all_release']:.0f} |")


if __name__ == "__main__":
    main()
