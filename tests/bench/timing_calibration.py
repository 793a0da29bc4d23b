#!/usr/bin/env python3
"""Calibration of the timing estimate (docs/timing.md) against public designs
whose authors published Vivado place-and-route results on UltraScale+ -2 parts.

The designs are not part of LlamaF: give the git directories of local clones
or mirrors (read with `git show` into a scratch folder; nothing is copied into
the repository):

  tests/bench/timing_calibration.py --llamaf build/llamaf \
      --picorv32 /path/to/YosysHQ/picorv32/.git \
      --fios /path/to/anonymHost2023/Scalable-DSP-opt-FIOS-MM/.git

For every published figure the script runs
`llamaf synth --rtl ... --top ... [--param ...] --json` (the same Yosys +
OpenSTA flow and delay file as the shipped designs) and prints one Markdown
row: the published clock, the estimate, and the error.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# Published facts. "kind" says what the figure is:
#   fmax: the author searched for the shortest period that meets timing, so the
#         figure is Vivado's Fmax for the design;
#   met:  the author reports a clock the design met, capped by something outside
#         the timed logic, so Vivado's Fmax for the logic is at least this.
DESIGNS = [
    {
        "name": "PicoRV32 picorv32_axi (TWO_CYCLE_ALU)",
        "repo": "picorv32",
        "files": ["picorv32.v", "scripts/vivado/tabtest.v"],
        "top": "top", "params": [],
        "figures": [
            {"part": "xcku3p-ffva676-2-e", "mhz": 1000 / 1.4, "kind": "fmax"},
            {"part": "xcvu3p-ffvc1517-2-e", "mhz": 1000 / 1.5, "kind": "fmax"},
        ],
        "source": "YosysHQ/picorv32 README.md, 'Timing on Xilinx 7-Series FPGAs': "
                  "Vivado 2017.3, binary search for the shortest clock period that meets "
                  "timing after place and route (scripts/vivado/tabtest.sh); Kintex "
                  "UltraScale+ xcku3p -2: 1.4 ns (714 MHz), Virtex UltraScale+ xcvu3p -2: "
                  "1.5 ns (666 MHz). Wrapper `top` (tabtest.v) puts 4-deep registers on "
                  "every port.",
    },
    {
        "name": "FIOS Montgomery multiplier, WIDTH {w}",
        "repo": "fios",
        "files": ["SRC/RTL/top_v_wrapper.v", "SRC/RTL/top.sv", "SRC/RTL/top_control.sv",
                  "SRC/RTL/FIOS.sv", "SRC/RTL/PE.sv", "SRC/RTL/PE_AU.sv",
                  "SRC/RTL/PE_control.sv", "SRC/RTL/delay_line.sv", "SRC/RTL/memory.sv",
                  "SRC/RTL/memory_control.sv", "SRC/RTL/FIFO.sv"],
        "extra": [os.path.join(HERE, "calibration", "xpm_fifo_sync.v")],
        "top": "top_v_wrapper",
        "figures": [
            {"part": "xczu9eg-ffvb1156-2-e", "mhz": 738.0, "kind": "met", "width": 128},
            {"part": "xczu9eg-ffvb1156-2-e", "mhz": 738.0, "kind": "met", "width": 2048},
            {"part": "xczu9eg-ffvb1156-2-e", "mhz": 712.5, "kind": "fmax", "width": 4096},
        ],
        "source": "anonymHost2023/Scalable-DSP-opt-FIOS-MM README.md (HOST 2023 "
                  "submission): Vivado 2022.1, Performance_ExploreWithRemap, ZCU102 part "
                  "xczu9eg-ffvb1156-2-e; 738 MHz for WIDTH 128-2048 is the -2 block RAM "
                  "limit of the clock-crossing BRAM outside the timed module (so the "
                  "logic's Fmax is at least that), 712.5 MHz for WIDTH 4096 is the "
                  "design's own. The Xilinx xpm_fifo_sync macro it instantiates is "
                  "replaced by tests/bench/calibration/xpm_fifo_sync.v (LUT-RAM FWFT "
                  "FIFO written from the macro's documented behaviour).",
    },
]


def git(gitdir, *args):
    return subprocess.run(["git", "--git-dir", gitdir, *args], check=True,
                          capture_output=True).stdout


def path_summary(cp):
    cells = ", ".join(f"{n} {t}" for t, n in sorted(cp.get("cells", {}).items()))
    return (f"`{cp.get('startpoint')}` → `{cp.get('endpoint')}`: {cells}, "
            f"{cp.get('net_hops')} net hops, {cp.get('total_ns', 0):.2f} ns")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--llamaf", default="build/llamaf")
    ap.add_argument("--picorv32", help="git dir of YosysHQ/picorv32")
    ap.add_argument("--fios", help="git dir of anonymHost2023/Scalable-DSP-opt-FIOS-MM")
    ap.add_argument("--delays", help="delay file (default: the shipped xcup-2.json)")
    args = ap.parse_args()
    gitdirs = {"picorv32": args.picorv32, "fios": args.fios}
    if not any(gitdirs.values()):
        ap.error("give at least one of --picorv32, --fios")
    for name, gd in gitdirs.items():
        if gd and not os.path.isdir(gd):
            ap.error(f"--{name} {gd}: not a directory (expected a git directory)")

    print("| design (commit) | part | published (MHz) | kind | estimate (MHz) | error "
          "| estimated critical path |")
    print("|---|---|---:|---|---:|---:|---|")
    errors = []
    for d in DESIGNS:
        gitdir = gitdirs[d["repo"]]
        if not gitdir:
            continue
        commit = git(gitdir, "rev-parse", "--short", "HEAD").decode().strip()
        with tempfile.TemporaryDirectory(prefix="llamaf-cal-") as tmp:
            paths = []
            for f in d["files"]:
                dst = os.path.join(tmp, os.path.basename(f))
                with open(dst, "wb") as out:
                    out.write(git(gitdir, "show", f"HEAD:{f}"))
                paths.append(dst)
            paths += d.get("extra", [])
            results = {}
            for fig in d["figures"]:
                params = list(d.get("params", []))
                if "width" in fig:
                    params.append(f"WIDTH={fig['width']}")
                key = tuple(params)
                if key not in results:
                    cmd = [args.llamaf, "synth", "--json", "--top", d["top"]]
                    for p in paths:
                        cmd += ["--rtl", p]
                    for p in params:
                        cmd += ["--param", p]
                    if args.delays:
                        cmd += ["--delays", args.delays]
                    res = subprocess.run(cmd, capture_output=True, text=True)
                    results[key] = res
                res = results[key]
                name = d["name"].format(w=fig.get("width"))
                if res.returncode != 0:
                    print(f"| {name} ({commit}) | {fig['part']} | {fig['mhz']:.1f} "
                          f"| {fig['kind']} | failed: {res.stderr.strip()} | | |")
                    continue
                j = json.loads(res.stdout)
                fmax = j["fmax_mhz"]
                err = fmax / fig["mhz"] - 1
                errors.append((fig["kind"], err))
                print(f"| {name} ({commit}) | {fig['part']} | {fig['mhz']:.1f} "
                      f"| {fig['kind']} | {fmax:.0f} | {100 * err:+.0f} % "
                      f"| {path_summary(j.get('critical_path', {}))} |")
                sys.stdout.flush()
    print()
    fmax_err = [e for k, e in errors if k == "fmax"]
    if fmax_err:
        print(f"Against 'fmax' figures: mean error {100 * sum(fmax_err) / len(fmax_err):+.0f} %, "
              f"range {100 * min(fmax_err):+.0f} % to {100 * max(fmax_err):+.0f} % "
              f"({len(fmax_err)} figures). A 'met' figure bounds Vivado's Fmax from below, "
              "so its error bounds the estimate's error from above (more negative in truth).")
    for d in DESIGNS:
        if gitdirs[d["repo"]]:
            print(f"- {d['name'].format(w='*')}: {d['source']}")


if __name__ == "__main__":
    main()
