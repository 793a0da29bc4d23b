#!/usr/bin/env python3
"""The analytical model against a finished cycle-accurate sweep.

    tests/bench/analytical_check.py OUT [--llamaf build/llamaf] [--groups]

OUT is the folder of an `llamaf explore` run at fidelity rtl (for example
configs/sweeps/analytical_check.json). For each of its ok points this runs
`llamaf point --fidelity analytical` on the same resolved point, at the clock
the cycle-accurate run used, and prints tokens/s of both and the relative
error, then the mean and worst |error| (with --groups also each
matrix-vector group's time per token). The tables of docs/analytical.md come
from this script.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out')
    ap.add_argument('--llamaf', default=os.path.join(os.path.dirname(__file__), '..', '..', 'build', 'llamaf'))
    ap.add_argument('--groups', action='store_true', help='also compare each matrix-vector group')
    a = ap.parse_args()
    results = os.path.join(a.out, 'results.jsonl')
    if not os.path.exists(results):
        sys.exit(f'{results}: not found (run llamaf explore first)')
    errs = []
    print('| point | cycle-accurate tokens/s | analytical tokens/s | error |')
    print('| --- | ---: | ---: | ---: |')
    with tempfile.TemporaryDirectory() as tmp:
        for line in open(results):
            rec = json.loads(line)
            if rec.get('status') != 'ok' or 'tokens_per_s' not in rec.get('metrics', {}):
                continue
            m = rec['metrics']
            point = json.load(open(os.path.join(a.out, 'points', rec['id'], 'point.json')))
            # The clock the cycle-accurate run chose (evaluate.clock may have
            # derived it from its synthesis).
            point['design']['clock_mhz'] = m['clock_mhz']
            point['evaluate']['clock'] = 'requested'
            pf, rf = os.path.join(tmp, 'point.json'), os.path.join(tmp, 'result.json')
            json.dump(point, open(pf, 'w'))
            r = subprocess.run([a.llamaf, 'point', pf, '--out', rf, '--fidelity', 'analytical'],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f'| {rec["params"]} | failed: {r.stderr.strip()} | | |')
                continue
            am = json.load(open(rf))['metrics']
            err = am['tokens_per_s'] / m['tokens_per_s'] - 1
            errs.append(err)
            name = ', '.join(f'{k}={os.path.basename(str(v)).removesuffix(".json")}' for k, v in rec['params'].items())
            print(f'| {name} | {m["tokens_per_s"]:.3f} | {am["tokens_per_s"]:.3f} | {100 * err:+.2f} % |')
            if a.groups:
                for g, us in am['op_latency_us'].items():
                    rus = m.get('op_latency_us', {}).get(g)
                    if rus:
                        print(f'|   {g} (us/token) | {rus:.1f} | {us:.1f} | {100 * (us / rus - 1):+.2f} % |')
    if errs:
        mean = sum(abs(e) for e in errs) / len(errs)
        worst = max(errs, key=abs)
        print(f'\n{len(errs)} points: mean |error| {100 * mean:.2f} %, worst {100 * worst:+.2f} %')


if __name__ == '__main__':
    main()
