#!/usr/bin/env python3
"""What limits each point of a finished sweep of TinyLlama tokens
(configs/sweeps/default.json, `make run`, or zcu102_neighbours.json), from
the simulation's own statistics.

Reads OUT/results.jsonl and every point's simulation report
(OUT/points/<id>/sim/report.json) and prints, per point (the swept
parameters that vary, then): tokens/s; the whole
token's weight-and-scale bytes per second as a share of the DDR peak (the
reports' roofline ratio); the time of the matrix-vector phases (the
accelerator's jobs) and of the host's operators between them; the DRAM
bandwidth over the matvec phases (weight and scale bytes over their time)
and its share of the peak; the PEs' memory stall; the two largest host
operators; and the ceiling of the roofline ratio that the host's time
leaves even if every matvec phase streamed at the DDR peak,
bytes / (host time + bytes / peak) / peak. docs/benchmarks.md quotes it.

Usage: tests/bench/fastest_table.py out/default
"""
import json
import pathlib
import sys

# The matrix-vector groups the accelerator runs (sim/model: matvec_group_name).
MATVEC = {"qkv", "o_proj", "ffn_w1w3", "ffn_w2", "classifier"}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = pathlib.Path(sys.argv[1])
    points = [json.loads(l) for l in open(out / "results.jsonl") if l.strip()]
    points = [p for p in points if p.get("status") == "ok"]
    if not points:
        print(f"{out}: no ok points", file=sys.stderr)
        return 1
    # The swept parameters that differ between the points, in sweep order.
    names = [n for n in points[0]["params"] if len({str(p["params"][n]) for p in points}) > 1]
    print("| " + " | ".join(names) + " | MHz | tokens/s | % of DDR peak (token) | matvec ms | host ms "
          "| GB/s in matvecs (% of peak) | mem stall % of busy | largest host operators | "
          "ceiling % at peak streaming |")
    print("|" + "---|" * (len(names) + 9))
    for p in sorted(points, key=lambda p: [str(p["params"][n]) for n in names]):
        rep = json.load(open(out / "points" / p["id"] / "sim" / "report.json"))
        t = rep["total"]
        ops = t["operators"]
        mv = sum(v["seconds"] for k, v in ops.items() if k in MATVEC)
        host = sum(v["seconds"] for k, v in ops.items() if k not in MATVEC)
        top = sorted(((v["seconds"], k) for k, v in ops.items() if k not in MATVEC), reverse=True)[:2]
        roof = rep["roofline"]
        nbytes = roof["weight_and_scale_bytes_per_token"]
        peak = roof["dram_peak_gbps"] * 1e9
        acc = t["accelerator"]
        ceiling = nbytes / (host + nbytes / peak) / peak
        prm = p["params"]
        print("| " + " | ".join(str(prm[n]) for n in names) + f" | {rep['clock_mhz']:.0f} "
              f"| {t['tokens_per_s']:.2f} | {roof['percent_of_roofline']:.1f} "
              f"| {1e3 * mv:.1f} | {1e3 * host:.1f} "
              f"| {nbytes / mv / 1e9:.2f} ({100 * nbytes / mv / peak:.1f} %) "
              f"| {100 * acc['mem_stall_cycles'] / acc['busy_cycles']:.1f} "
              f"| {', '.join(f'{k} {1e3 * s:.1f} ms' for s, k in top)} | {100 * ceiling:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
