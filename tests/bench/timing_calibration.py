#!/usr/bin/env python3
"""Calibration of the timing estimate (docs/timing.md) against public designs
with published Vivado place-and-route results on UltraScale+ parts.

The designs are not part of LlamaF: give the git directories of local clones
or mirrors (read with `git show`, nothing is copied into the repository):

  tests/bench/timing_calibration.py --llamaf build/llamaf \
      --verilog-ethernet /path/to/verilog-ethernet/.git \
      --verilog-pcie /path/to/verilog-pcie/.git

For each design the script reads the example's Vivado Makefile (its
SYN_FILES), drops the board top (rtl/fpga.v: transceiver/PCIe IP and I/O),
extracts the remaining Verilog to a scratch folder, runs
`llamaf synth --rtl ... --top fpga_core --json` (every clock input found and
timed as its own asynchronous clock) and prints one Markdown table row:
published clock, estimate, and the ratio.
"""
import argparse
import json
import os
import posixpath
import subprocess
import sys
import tempfile

# Published facts: the example design, its part, and the clock its fpga_core
# runs at on hardware (the author's tested build). Each is a "clock period met"
# figure: Vivado closed timing at this clock, so Fmax(Vivado) >= clock.
DESIGNS = [
    {
        "name": "verilog-ethernet ZCU102 10G UDP echo (fpga_core)",
        "repo": "verilog-ethernet",
        "example": "example/ZCU102/fpga",
        "top": "fpga_core",
        "part": "xczu9eg-ffvb1156-2-e",
        "clock_mhz": 156.25,
        "source": "example/ZCU102/fpga/README.md (FPGA xczu9eg-ffvb1156-2-e, 10G BASE-R PHY "
                  "in GTY: 64-bit XGMII at 156.25 MHz, fpga.xdc 6.400 ns MGT reference clock); "
                  "README.md lists the ZCU102 among the tested boards",
    },
    {
        "name": "verilog-pcie ZCU106 PCIe DMA example (fpga_core)",
        "repo": "verilog-pcie",
        "example": "example/ZCU106/fpga",
        "top": "fpga_core",
        "part": "xczu7ev-ffvc1156-2-e",
        "clock_mhz": 250.0,
        "source": "example/ZCU106/fpga/README.md (FPGA xczu7ev-ffvc1156-2-e) and "
                  "ip/pcie4_uscale_plus_0.tcl (CONFIG.axisten_freq 250: the PCIe user "
                  "interface, fpga_core's clock, runs at 250 MHz)",
    },
]


def git_show(gitdir, path):
    return subprocess.run(["git", "--git-dir", gitdir, "show", f"HEAD:{path}"],
                          check=True, capture_output=True).stdout


def git_type(gitdir, path):
    """'blob', 'symlink' or None for a path in HEAD."""
    out = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "HEAD", path],
                         capture_output=True, text=True).stdout.split()
    if not out:
        return None
    return "symlink" if out[0] == "120000" else out[1]


def resolve(gitdir, path):
    """Follows symlinked folders (lib/eth -> ../../../..) inside the tree."""
    parts = path.split("/")
    cur = ""
    for i, p in enumerate(parts):
        cand = posixpath.join(cur, p) if cur else p
        if i < len(parts) - 1 and git_type(gitdir, cand) == "symlink":
            target = git_show(gitdir, cand).decode().strip()
            cand = posixpath.normpath(posixpath.join(posixpath.dirname(cand), target))
            if cand == ".":
                cand = ""
        cur = cand
    return cur


def syn_files(gitdir, example):
    text = git_show(gitdir, f"{example}/fpga/Makefile").decode()
    files = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("SYN_FILES"):
            files.append(line.split("=", 1)[1].strip())
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--llamaf", default="build/llamaf")
    ap.add_argument("--verilog-ethernet", help="git dir of alexforencich/verilog-ethernet")
    ap.add_argument("--verilog-pcie", help="git dir of alexforencich/verilog-pcie")
    ap.add_argument("--delays", help="delay file (default: the shipped xcup-2.json)")
    args = ap.parse_args()
    gitdirs = {"verilog-ethernet": args.verilog_ethernet, "verilog-pcie": args.verilog_pcie}
    if not any(gitdirs.values()):
        ap.error("give at least one of --verilog-ethernet, --verilog-pcie")

    print("| design | part | published clock (MHz) | estimate (MHz) | estimate / published "
          "| critical path |")
    print("|---|---|---:|---:|---:|---|")
    for d in DESIGNS:
        gitdir = gitdirs[d["repo"]]
        if not gitdir:
            continue
        commit = subprocess.run(["git", "--git-dir", gitdir, "rev-parse", "--short", "HEAD"],
                                check=True, capture_output=True, text=True).stdout.strip()
        with tempfile.TemporaryDirectory(prefix="llamaf-cal-") as tmp:
            paths = []
            for f in syn_files(gitdir, d["example"]):
                if f == "rtl/fpga.v":
                    continue  # board top: transceiver / PCIe hard IP and pins
                src = resolve(gitdir, f"{d['example']}/{f}")
                dst = os.path.join(tmp, src.replace("/", "__"))
                with open(dst, "wb") as out:
                    out.write(git_show(gitdir, src))
                paths.append(dst)
            cmd = [args.llamaf, "synth", "--json", "--top", d["top"]]
            for p in paths:
                cmd += ["--rtl", p]
            if args.delays:
                cmd += ["--delays", args.delays]
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode != 0:
                print(f"| {d['name']} | {d['part']} | {d['clock_mhz']} | failed: "
                      f"{res.stderr.strip()} | | |")
                continue
            j = json.loads(res.stdout)
        fmax = j["fmax_mhz"]
        cp = j.get("critical_path", {})
        cells = ", ".join(f"{n} {t}" for t, n in sorted(cp.get("cells", {}).items()))
        path = (f"{cp.get('startpoint')} -> {cp.get('endpoint')}: {cells}, "
                f"{cp.get('net_hops')} net hops, {cp.get('total_ns', 0):.2f} ns")
        print(f"| {d['name']} ({d['repo']} {commit}) | {d['part']} | {d['clock_mhz']:g} "
              f"| {fmax:.0f} | {fmax / d['clock_mhz']:.2f} | {path} |")
        sys.stdout.flush()
    print()
    print("Published clocks are 'clock period met' figures (Vivado closed timing there): "
          "an estimate / published ratio >= 1 is consistent; below 1 the estimate is "
          "pessimistic for that design.")
    for d in DESIGNS:
        print(f"- {d['name']}: {d['source']}")


if __name__ == "__main__":
    main()
