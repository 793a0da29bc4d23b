#!/usr/bin/env python3
"""The LlamaF comparison table of docs/reproduce.md, produced from runs.

Runs the simulator of configs/designs/llamaf.json (LlamaF's published inputs:
W8A8 g256, 16 weight bytes per cycle, 205 MHz) on TinyLlama-1.1B shapes, one
token at position 0 with every layer simulated, under each schedule policy,
then `llamaf energy` on each report, and prints two Markdown tables: the
schedules (tokens/s, ms/token, speed-up, W, tokens/J, energy-efficiency gain)
and the predictions beside LlamaF's published values with the error.

  tests/bench/reproduce_llamaf.py --build build --out out/reproduce [--reuse]

--reuse keeps a report already in --out (the runs take about 3 minutes each
on one core, the PS-only one 20 s).
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STAGING = 111500000  # LlamaF's staging buffer, bytes (calibration README)
POLICIES = [  # (policy, label, extra simulator options)
    ("ps_only", "ps_only", []),
    ("staged_sync", "staged_sync (111.5 MB)", ["--staging-bytes", str(STAGING)]),
    ("staged_async", "staged_async (111.5 MB)", ["--staging-bytes", str(STAGING)]),
    ("overlapped", "overlapped (weights in place, no copies)", []),
]
# LlamaF (arXiv 2409.11424) and ../shared/calibration/README.md.
PUBLISHED = {"ps_tokens_per_s": 0.093, "ps_tokens_per_s_per_w": 0.048,
             "speedup": (14.3, 15.8), "energy_gain": 6.1}


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--reuse", action="store_true", help="keep reports already in --out")
    ap.add_argument("--lut", type=float, help="accelerator LUTs for the energy model "
                    "(default: llamaf synth of the design)")
    ap.add_argument("--ff", type=float)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    llamaf = os.path.join(a.build, "llamaf")
    design = os.path.join(ROOT, "configs/designs/llamaf.json")
    if a.lut is None or a.ff is None:
        s = json.loads(run([llamaf, "synth", "--design", design, "--json", "--no-timing"]))
        res = s["resources"]
        a.lut = a.lut if a.lut is not None else res["lut"]
        a.ff = a.ff if a.ff is not None else res["ff"]
    base = [llamaf, "sim", "--design", design,
            "--board", os.path.join(ROOT, "configs/boards/zcu102.json"),
            "--shape", os.path.join(ROOT, "configs/models/tinyllama-1.1b.json"), "-n", "1", "--quiet"]
    reports = {}
    for policy, _, extra in POLICIES:
        path = os.path.join(a.out, policy + ".json")
        if not (a.reuse and os.path.exists(path)):
            cmd = base + ["--policy", policy, "--report", path] + extra
            if policy != "ps_only":
                cmd += ["--baseline", reports["ps_only"]]
            print(f"running {policy} ...", file=sys.stderr, flush=True)
            run(cmd)
        reports[policy] = path
    table = os.path.join(ROOT, "configs/energy/zcu102_16nm.json")
    energy = {}
    for policy, _, _ in POLICIES:
        cmd = [llamaf, "energy", reports[policy], "--table", table, "--lut", str(a.lut),
               "--ff", str(a.ff)]
        if policy != "ps_only":
            cmd += ["--baseline", reports["ps_only"]]
        out = run(cmd)
        # Its row: "<report> <policy> <tokens/J> <W> <J/token> [<gain>x]".
        m = re.search(r"\s" + policy + r"\s+([0-9.]+)\s+([0-9.]+)\s+[0-9.]+\s*(?:([0-9.]+)x)?", out)
        if not m:
            sys.exit(f"cannot read llamaf energy's output:\n{out}")
        energy[policy] = (float(m.group(1)), float(m.group(2)),
                          float(m.group(3)) if m.group(3) else 1.0)

    tps = {p: json.load(open(reports[p]))["total"]["tokens_per_s"] for p, _, _ in POLICIES}
    print(f"Design configs/designs/llamaf.json (LUT {a.lut:.0f}, FF {a.ff:.0f} for the energy "
          "model), TinyLlama-1.1B shape, one token at position 0, every layer simulated.\n")
    print("| schedule | tokens/s | ms/token | speed-up vs PS-only | W | tokens/J | "
          "energy-efficiency gain |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for policy, label, _ in POLICIES:
        tpj, w, gain = energy[policy]
        print(f"| {label} | {tps[policy]:.4g} | {1e3 / tps[policy]:.1f} | "
              f"{tps[policy] / tps['ps_only']:.1f} | {w:.2f} | {tpj:.4g} | {gain:.1f} |")
    ps_tps = tps["ps_only"]
    ps_per_w = ps_tps / energy["ps_only"][1]
    su = tps["staged_async"] / ps_tps
    lo, hi = PUBLISHED["speedup"]
    gain = energy["staged_async"][2]
    print()
    print("| quantity | published | predicted | error |")
    print("| --- | --- | --- | --- |")
    print(f"| PS-only tokens/s (calibrates the host) | {PUBLISHED['ps_tokens_per_s']} | "
          f"{ps_tps:.4f} | {100 * (ps_tps / PUBLISHED['ps_tokens_per_s'] - 1):+.1f} % |")
    print(f"| PS-only tokens/s per W (the energy model's check) | "
          f"{PUBLISHED['ps_tokens_per_s_per_w']} | {ps_per_w:.4f} | "
          f"{100 * (ps_per_w / PUBLISHED['ps_tokens_per_s_per_w'] - 1):+.0f} % |")
    print(f"| speed-up over PS-only (staged_async) | {lo}-{hi} | {su:.1f} | "
          f"{100 * (su / hi - 1):+.0f} % to {100 * (su / lo - 1):+.0f} % |")
    print(f"| energy-efficiency gain over PS-only (staged_async) | {PUBLISHED['energy_gain']} | "
          f"{gain:.1f} | {100 * (gain / PUBLISHED['energy_gain'] - 1):+.0f} % |")


if __name__ == "__main__":
    main()
