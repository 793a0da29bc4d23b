#!/usr/bin/env python3
"""Markdown table of a finished port-map sweep (configs/sweeps/port_map.json).

Reads OUT/results.csv and every point's simulation report
(OUT/points/<id>/sim/report.json) and prints, per port map and weight
layout: tokens/s, the
weight image bytes per token, DRAM GB/s over the whole token and over the
accelerator's busy time, the share of busy time the PEs waited for memory,
per-port read GB/s (range over the accelerator's ports), the worst port's
mean read latency, the mean queue of every DDR controller (XPI) port that
carried traffic, the largest fraction of time an XPI queue head waited for a
full controller CAM, and the DRAM row hit rate. docs/memory.md quotes it.

Usage: tests/bench/port_map_table.py out/port_map
"""
import csv
import json
import pathlib
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = pathlib.Path(sys.argv[1])
    rows = [r for r in csv.DictReader(open(out / "results.csv")) if r["status"] == "ok"]
    if not rows:
        print(f"{out}: no ok points", file=sys.stderr)
        return 1
    print("| PS ports | layout | tokens/s | image MB/token | DRAM GB/s (token) | DRAM GB/s (accel busy) "
          "| mem stall % of busy | port GB/s (min-max) | worst port read latency ns "
          "| XPI queue, mean bursts | CAM blocked (max XPI) | row hit rate |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (int(r["WeightPorts"]), r["PortMap"], r["WeightLayout"])):
        rep = json.load(open(out / "points" / r["id"] / "sim" / "report.json"))
        t = rep["total"]
        acc, dram = t["accelerator"], t["dram"]
        busy_s = acc["busy_cycles"] / (rep["clock_mhz"] * 1e6)
        ps = rep["ps_stats"]
        pl = {k: v for k, v in ps["pl_ports"].items() if k != "APU"}
        gbps = [v["read_gbps"] for v in pl.values()]
        lat = max(v["mean_read_latency_ns"] for v in pl.values())
        xq = ", ".join(f"{x}: {v['mean_queue_bursts']:.2f}" for x, v in sorted(ps["xpi_ports"].items()))
        cam = max(v["cam_blocked_fraction"] for v in ps["xpi_ports"].values())
        print(f"| {r['PortMap']} | {r['WeightLayout']} | {float(r['tokens_per_s']):.1f} "
              f"| {float(r['image_bytes_per_token']) / 1e6:.2f} "
              f"| {float(r['achieved_bandwidth_gb_s']):.2f} "
              f"| {dram['bytes_read'] / busy_s / 1e9:.2f} "
              f"| {100 * acc['mem_stall_cycles'] / acc['busy_cycles']:.1f} "
              f"| {min(gbps):.2f}-{max(gbps):.2f} | {lat:.0f} | {xq} | {cam:.2f} "
              f"| {dram['row_hit_rate']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
