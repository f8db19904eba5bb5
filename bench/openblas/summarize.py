#!/usr/bin/env python3
"""Summarise interleaved darkgo/OpenBLAS benchmark output (run.sh) as a
Markdown table of medians: wall GFLOP/s, GFLOP per CPU-second and the
latter as % of one core's FMA peak (BenchmarkPeakFMA, same vector width)."""
import re
import statistics
import sys
from collections import defaultdict

line_re = re.compile(r'^Benchmark(Sgemm|PeakFMA)/(\S+?)(?:-\d+)?\s+\d+\s+(.*)$')
metric_re = re.compile(r'([\d.]+) (\S+)')

data = defaultdict(lambda: defaultdict(list))  # (impl, shape, t) -> metric -> values
peak = defaultdict(list)  # impl -> per-core peak (GFLOP/cpu-s)
peak_wall = defaultdict(list)  # (impl, t) -> wall GFLOP/s
header = []
for line in open(sys.argv[1]):
    if line.startswith(('cpu:', 'openblas core')):
        if line.strip() not in header:
            header.append(line.strip())
        continue
    m = line_re.match(line.strip())
    if not m:
        continue
    kind, name, rest = m.groups()
    metrics = {u: float(v) for v, u in metric_re.findall(rest)}
    if kind == 'PeakFMA':
        impl, t = name.split('/')
        if 'core-GFLOP/cpu-s' in metrics:
            peak[impl].append(metrics['core-GFLOP/cpu-s'])
        peak_wall[(impl, t)].append(metrics.get('GFLOP/s', 0))
        continue
    impl, shape, t = name.split('/')
    for u, v in metrics.items():
        data[(impl, shape, t)][u].append(v)

med = lambda xs: statistics.median(xs) if xs else float('nan')
impls = sorted({k[0] for k in data if k[0] != 'openblas'})
shapes = []
for k in data:
    if k[1] not in shapes:
        shapes.append(k[1])
print('\n'.join(header))
for impl, xs in sorted(peak.items()):
    print(f'{impl} FMA peak: {med(xs):.1f} GFLOP/s per core (CPU time); wall t1 '
          f'{med(peak_wall[(impl, "t1")]):.1f}, t2 {med(peak_wall[(impl, "t2")]):.1f}')
print()
cols = ['shape', 'thr']
for impl in impls:
    cols += [f'{impl} GFLOP/s', f'{impl} GFLOP/cpu-s', f'{impl} %peak']
cols += ['OpenBLAS GFLOP/s', 'OpenBLAS GFLOP/cpu-s']
for impl in impls:
    cols += [f'{impl}/OpenBLAS (cpu-s)']
print('| ' + ' | '.join(cols) + ' |')
print('|' + '---|' * len(cols))
for shape in shapes:
    for t in ('t1', 't2'):
        row = [shape, t[1:]]
        for impl in impls:
            d = data.get((impl, shape, t), {})
            row += [f"{med(d.get('GFLOP/s', [])):.1f}", f"{med(d.get('GFLOP/cpu-s', [])):.1f}",
                    f"{med(d.get('%peak', [])):.0f}%"]
        o = data.get(('openblas', shape, t), {})
        row += [f"{med(o.get('GFLOP/s', [])):.1f}", f"{med(o.get('GFLOP/cpu-s', [])):.1f}"]
        for impl in impls:
            d = data.get((impl, shape, t), {})
            row += [f"{med(d.get('GFLOP/cpu-s', [])) / med(o.get('GFLOP/cpu-s', [float('nan')])):.2f}"]
        print('| ' + ' | '.join(row) + ' |')
