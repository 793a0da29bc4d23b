#!/usr/bin/env python3
"""Reproduce the ZCU102 calibration tables with `llamaf membench`.

For every row (request size) and every port-set column of the calibration
CSVs in ../shared/calibration (or $LLAMAF_CALIBRATION_DIR), runs the same
configuration through the PS memory model, writes one CSV row per point
(measured, simulated, error), prints the error per port set (mean |error| and
worst) as a Markdown table, and draws measured against simulated MB/s over
the request size (gnuplot, SVG).

  tests/bench/membench_calibration.py [--llamaf build/llamaf]
      [--board configs/boards/zcu102.json] [--out out/membench]
      [--sizes 16,64,128,...] [--max-error-pct 5] [--predict]

--predict also prints the model's figures for configurations the files do not
contain (three and four ports, HP1+HP2, HPC ports, writes, mixed, random
order) as a Markdown table (predictions.csv).

Exit status 1 when any point's |error| exceeds --max-error-pct.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Each calibration file: its PL clock, traffic pattern and how its columns
# name port sets (HP0_HP3_MBps -> HP0,HP3; HP0_read_plus_write -> HP0 mixed).
FILES = [
    ("zcu102-hp-read-300mhz.csv", 300.0, "read"),
    ("zcu102-hp-mixed-100mhz-single.csv", 100.0, "mixed"),
]


def calibration_dir():
    env = os.environ.get("LLAMAF_CALIBRATION_DIR")
    return Path(env) if env else ROOT.parent / "shared" / "calibration"


def port_set(column):
    name = column.replace("_MBps", "").replace("_read_plus_write", "")
    return [p for p in name.split("_") if p]


def run_json(llamaf, board, ports, size, clock, pattern, order="sequential"):
    cmd = [llamaf, "membench", "--board", board, "--ports", ",".join(ports),
           "--request-bytes", str(size), "--clock-mhz", str(clock), "--pattern", pattern,
           "--order", order, "--json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def run(llamaf, board, ports, size, clock, pattern):
    j = run_json(llamaf, board, ports, size, clock, pattern)
    return j["total_read_mbps"] + j["total_write_mbps"]


# Configurations not in the calibration files: (ports, pattern, order).
PREDICTIONS = [
    (["HP1", "HP2"], "read", "sequential"),
    (["HP0", "HP1"], "read", "sequential"),
    (["HP0", "HP2", "HP3"], "read", "sequential"),
    (["HP0", "HP1", "HP3"], "read", "sequential"),
    (["HP1", "HP2", "HP3"], "read", "sequential"),
    (["HP0", "HP1", "HP2", "HP3"], "read", "sequential"),
    (["HP0", "HP1", "HP2", "HP3", "HPC0", "HPC1"], "read", "sequential"),
    (["HPC0"], "read", "sequential"),
    (["HP0"], "write", "sequential"),
    (["HP0", "HP3"], "write", "sequential"),
    (["HP0"], "mixed", "sequential"),
    (["HP0", "HP3"], "mixed", "sequential"),
    (["HP0"], "read", "random"),
    (["HP0", "HP1", "HP2", "HP3"], "read", "random"),
]


def predict(a, out):
    sizes = [16, 64, 128, 192, 256, 1024, 4096]
    rows = []
    print("\n| ports | pattern | order | " + " | ".join(f"{s} B" for s in sizes) + " |")
    print("|---|---|---|" + "---|" * len(sizes))
    for ports, pattern, order in PREDICTIONS:
        cells = []
        for size in sizes:
            j = run_json(a.llamaf, a.board, ports, size, 300.0, pattern, order)
            total = j["total_read_mbps"] + j["total_write_mbps"]
            rows.append({"ports": "+".join(ports), "pattern": pattern, "order": order,
                         "request_bytes": size, "total_mbps": round(total, 1),
                         "read_mbps": round(j["total_read_mbps"], 1),
                         "write_mbps": round(j["total_write_mbps"], 1)})
            cells.append(f"{total:.0f}")
        print(f"| {'+'.join(ports)} | {pattern} | {order} | " + " | ".join(cells) + " |")
    with open(out / "predictions.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--llamaf", default=str(ROOT / "build" / "llamaf"))
    ap.add_argument("--board", default=str(ROOT / "configs" / "boards" / "zcu102.json"))
    ap.add_argument("--out", default=str(ROOT / "out" / "membench"))
    ap.add_argument("--sizes", default="", help="comma-separated subset of request sizes")
    ap.add_argument("--max-error-pct", type=float, default=5.0)
    ap.add_argument("--predict", action="store_true",
                    help="also print figures for configurations not in the files")
    a = ap.parse_args()
    cal = calibration_dir()
    sizes = {int(s) for s in a.sizes.split(",") if s} if a.sizes else None
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for fname, clock, pattern in FILES:
        path = cal / fname
        if not path.is_file():
            sys.exit(f"membench_calibration: {path} not found (set LLAMAF_CALIBRATION_DIR)")
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                size = int(r["request_bytes"])
                if sizes is not None and size not in sizes:
                    continue
                for col, val in r.items():
                    if col == "request_bytes":
                        continue
                    ports = port_set(col)
                    sim = run(a.llamaf, a.board, ports, size, clock, pattern)
                    meas = float(val)
                    rows.append({"file": fname, "pattern": pattern, "clock_mhz": clock,
                                 "port_set": "+".join(ports), "request_bytes": size,
                                 "measured_mbps": meas, "simulated_mbps": round(sim, 1),
                                 "error_pct": round(100.0 * (sim - meas) / meas, 2)})
    csv_path = out / "calibration.csv"
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    # Error per port set.
    groups = {}
    for r in rows:
        groups.setdefault((r["file"], r["port_set"]), []).append(r)
    print(f"| file | port set | points | mean abs error % | worst error % (size) |")
    print(f"|---|---|---|---|---|")
    worst_all = 0.0
    for (fname, ps), rs in groups.items():
        errs = [abs(r["error_pct"]) for r in rs]
        worst = max(rs, key=lambda r: abs(r["error_pct"]))
        worst_all = max(worst_all, abs(worst["error_pct"]))
        print(f"| {fname} | {ps} | {len(rs)} | {sum(errs) / len(errs):.2f} | "
              f"{worst['error_pct']:+.2f} ({worst['request_bytes']} B) |")
    # Figure: one data file per (file, port set), measured and simulated.
    plots = []
    for i, ((fname, ps), rs) in enumerate(groups.items()):
        dat = out / f"set{i}.dat"
        with open(dat, "w") as f:
            for r in sorted(rs, key=lambda r: r["request_bytes"]):
                f.write(f"{r['request_bytes']} {r['measured_mbps']} {r['simulated_mbps']}\n")
        label = f"{ps} ({'mixed 100 MHz' if 'mixed' in fname else 'read 300 MHz'})"
        plots.append(f"'{dat}' using 1:2 with points lc {i + 1} pt 7 ps 0.5 "
                     f"title '{label} measured'")
        plots.append(f"'{dat}' using 1:3 with lines lc {i + 1} title '{label} simulated'")
    gp = out / "calibration.gp"
    gp.write_text(
        "set terminal svg noenhanced size 800,500 dynamic font \"Sans,11\"\n"
        f"set output '{out / 'calibration.svg'}'\n"
        "set logscale x 2\nset xlabel 'request bytes'\nset ylabel 'MB/s (all ports)'\n"
        "set key bottom right\nset grid\n"
        "plot " + ", \\\n     ".join(plots) + "\n")
    try:
        subprocess.run(["gnuplot", str(gp)], check=True)
        print(f"\nwrote {csv_path} and {out / 'calibration.svg'}")
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"\nwrote {csv_path}; gnuplot failed: {e}")
    if a.predict:
        predict(a, out)
    if worst_all > a.max_error_pct:
        print(f"worst |error| {worst_all:.2f} % exceeds {a.max_error_pct} %")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
