#!/usr/bin/env python3
"""chart.py: SVG charts of bench/run.sh's samples: each op's distributions per runtime, and the sweeps' cost lines.

Usage: bench/chart.py SAMPLES OUTDIR [SWEEPS]
  SAMPLES  bench-timer's lines "RT/OP WALL_US USER_US SYS_US MAXRSS_KB STATUS RUNS"
  OUTDIR   gets OP.svg for every latency op (wall and CPU time: a box per runtime from the
           quartiles, whiskers to min and max, the median marked and printed, every sample a dot)
           and sweep-DIM.svg for every sweep (median wall time against the item count, one line
           per runtime, bars from the first to the third quartile)
  SWEEPS   "DIM:N N N;DIM:N N" as bench/run.sh measured them (sw-DIM-N ops)
No dependency beyond Python 3's standard library: the SVG is written by hand.
"""
import os
import sys
from collections import defaultdict
from xml.sax.saxutils import escape

COLOURS = {"ocirun": "#1b9e77", "crun": "#d95f02", "runc": "#7570b3", "floor": "#777777"}
ORDER = ["ocirun", "crun", "runc", "floor"]
LATENCY_SKIP = ("tput", "sw-")


def read_samples(path):
    """{op: {runtime: {"wall": [ms], "cpu": [ms]}}} of the successful samples."""
    data = defaultdict(lambda: defaultdict(lambda: {"wall": [], "cpu": []}))
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 7 or fields[5] != "0" or "/" not in fields[0]:
                continue
            rt, op = fields[0].split("/", 1)
            data[op][rt]["wall"].append(int(fields[1]) / 1000)
            data[op][rt]["cpu"].append((int(fields[2]) + int(fields[3])) / 1000)
    return data


def quantile(sorted_values, q):
    if not sorted_values:
        return 0.0
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def nice_max(v):
    """A round axis maximum above v."""
    if v <= 0:
        return 1.0
    step = 10 ** len(str(int(v))) / 10
    for m in (1, 2, 2.5, 5, 10):
        if v <= step * m:
            return step * m
    return step * 10


def ordered(runtimes):
    return [r for r in ORDER if r in runtimes] + sorted(r for r in runtimes if r not in ORDER)


class Svg:
    def __init__(self, width, height):
        self.width, self.height, self.parts = width, height, []

    def add(self, s):
        self.parts.append(s)

    def text(self, x, y, s, size=11, anchor="start", colour="#222", weight="normal"):
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
                 f'fill="{colour}" font-weight="{weight}">{escape(s)}</text>')

    def line(self, x1, y1, x2, y2, colour="#222", width=1, dash=None):
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                 f'stroke="{colour}" stroke-width="{width}"{d}/>')

    def rect(self, x, y, w, h, fill, stroke="none", opacity=1.0):
        self.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}" '
                 f'stroke="{stroke}" fill-opacity="{opacity}"/>')

    def circle(self, x, y, r, fill, opacity=1.0):
        self.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}" fill-opacity="{opacity}"/>')

    def save(self, path):
        with open(path, "w") as f:
            f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                    f'viewBox="0 0 {self.width} {self.height}" font-family="sans-serif">\n'
                    f'<rect width="100%" height="100%" fill="white"/>\n')
            f.write("\n".join(self.parts))
            f.write("\n</svg>\n")


def y_axis(svg, x, top, bottom, vmax, label):
    for i in range(6):
        v = vmax * i / 5
        y = bottom - (bottom - top) * i / 5
        svg.line(x, y, x - 4, y)
        svg.text(x - 6, y + 4, f"{v:g}", size=10, anchor="end")
    svg.line(x, top, x, bottom)
    svg.text(x - 40, (top + bottom) / 2, label, size=11, anchor="middle")


def box_panel(svg, x0, width, top, bottom, per_rt, measure, title):
    runtimes = ordered(per_rt)
    vmax = nice_max(max((max(per_rt[r][measure]) for r in runtimes if per_rt[r][measure]), default=1))
    left = x0 + 50
    svg.text(x0 + width / 2, top - 12, title, size=12, anchor="middle", weight="bold")
    y_axis(svg, left, top, bottom, vmax, "ms")
    svg.line(left, bottom, x0 + width - 10, bottom)
    slot = (x0 + width - 10 - left) / max(len(runtimes), 1)

    def ypos(v):
        return bottom - (bottom - top) * v / vmax

    for i, rt in enumerate(runtimes):
        values = sorted(per_rt[rt][measure])
        if not values:
            continue
        colour = COLOURS.get(rt, "#444")
        cx = left + slot * (i + 0.5)
        q1, med, q3 = (quantile(values, q) for q in (0.25, 0.5, 0.75))
        svg.line(cx, ypos(values[0]), cx, ypos(values[-1]), colour=colour)
        svg.line(cx - 8, ypos(values[0]), cx + 8, ypos(values[0]), colour=colour)
        svg.line(cx - 8, ypos(values[-1]), cx + 8, ypos(values[-1]), colour=colour)
        svg.rect(cx - 18, ypos(q3), 36, max(ypos(q1) - ypos(q3), 1), colour, stroke=colour, opacity=0.35)
        svg.line(cx - 18, ypos(med), cx + 18, ypos(med), colour=colour, width=3)
        for j, v in enumerate(values):
            svg.circle(cx + 24 + (j % 5) * 3, ypos(v), 1.6, colour, opacity=0.6)
        svg.text(cx, bottom + 15, rt, size=11, anchor="middle")
        svg.text(cx, bottom + 29, f"median {med:.2f}", size=10, anchor="middle", colour=colour)


def op_chart(op, per_rt, path):
    svg = Svg(760, 330)
    rounds = max((len(v["wall"]) for v in per_rt.values()), default=0)
    svg.text(380, 18, f"{op}: wall and CPU time per runtime ({rounds} samples each)",
             size=13, anchor="middle", weight="bold")
    box_panel(svg, 0, 380, 55, 270, per_rt, "wall", "wall time")
    box_panel(svg, 380, 380, 55, 270, per_rt, "cpu", "CPU time (user + sys)")
    svg.save(path)


def sweep_chart(dim, counts, data, path):
    runtimes = ordered({rt for n in counts for rt in data.get(f"sw-{dim}-{n}", {})})
    points = {}
    for rt in runtimes:
        pts = []
        for n in counts:
            values = sorted(data.get(f"sw-{dim}-{n}", {}).get(rt, {"wall": []})["wall"])
            if values:
                pts.append((n, quantile(values, 0.25), quantile(values, 0.5), quantile(values, 0.75)))
        points[rt] = pts
    vmax = nice_max(max((p[3] for pts in points.values() for p in pts), default=1))
    nmax = max(counts) or 1
    svg = Svg(740, 360)
    top, bottom, left, right = 50, 290, 70, 470
    svg.text(370, 20, f"sweep {dim}: median wall time of run against the number of {dim}", size=13,
             anchor="middle", weight="bold")
    y_axis(svg, left, top, bottom, vmax, "ms")
    svg.line(left, bottom, right, bottom)
    for n in counts:
        x = left + (right - left) * n / nmax
        svg.line(x, bottom, x, bottom + 4)
        svg.text(x, bottom + 17, str(n), size=10, anchor="middle")
    svg.text((left + right) / 2, bottom + 35, f"{dim} added", size=11, anchor="middle")

    def xy(n, v):
        return left + (right - left) * n / nmax, bottom - (bottom - top) * v / vmax

    for k, rt in enumerate(runtimes):
        colour = COLOURS.get(rt, "#444")
        pts = points[rt]
        for a, b in zip(pts, pts[1:]):
            svg.line(*xy(a[0], a[2]), *xy(b[0], b[2]), colour=colour, width=2)
        for n, q1, med, q3 in pts:
            x, y = xy(n, med)
            svg.line(x, xy(n, q1)[1], x, xy(n, q3)[1], colour=colour)
            svg.circle(x, y, 3.5, colour)
        if len(pts) >= 2 and pts[-1][0] != pts[0][0]:
            per_item = (pts[-1][2] - pts[0][2]) * 1000 / (pts[-1][0] - pts[0][0])
            label = f"{rt}: {per_item:.1f} µs per item"
        else:
            label = rt
        svg.rect(right + 15, top + 20 * k - 9, 12, 12, colour)
        svg.text(right + 32, top + 20 * k + 1, label, size=11)
    svg.save(path)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: chart.py SAMPLES OUTDIR [SWEEPS]")
    data = read_samples(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    made = 0
    for op, per_rt in data.items():
        if op.startswith(LATENCY_SKIP):
            continue
        if op == "floor":
            continue  # drawn beside ocirun, runc and crun in run.svg
        if op == "run" and "floor" in data:
            per_rt = dict(per_rt)
            per_rt.update(data["floor"])
        op_chart(op, per_rt, os.path.join(out, f"{op}.svg"))
        made += 1
    sweeps = sys.argv[3] if len(sys.argv) > 3 else ""
    for spec in filter(None, sweeps.split(";")):
        dim, _, counts = spec.partition(":")
        counts = [int(c) for c in counts.split()]
        if any(f"sw-{dim}-{n}" in data for n in counts):
            sweep_chart(dim, counts, data, os.path.join(out, f"sweep-{dim}.svg"))
            made += 1
    if made == 0:
        sys.exit(f"chart.py: no successful samples in {sys.argv[1]}")


if __name__ == "__main__":
    main()
