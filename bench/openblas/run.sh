#!/usr/bin/env bash
# Interleaved darkgo-vs-OpenBLAS SGEMM measurement (not part of CI).
#
#   bench/openblas/run.sh [rounds]        (default 5 rounds)
#
# Needs gcc and libopenblas-dev (apt-get install -y libopenblas-dev). For
# every round, shape and thread count it runs darkgo's BenchmarkSgemm for
# each assembly implementation this CPU supports and then OpenBLAS on the
# same shape, back to back, so both see the same machine load; then it
# prints a Markdown table of medians (summarize.py). On a CPU with
# AVX-512, OpenBLAS is forced to its Cooperlake kernels (Debian's 0.3.21
# does not recognise newer Xeons and would fall back to SSE3); elsewhere
# it uses its own detection, which the table header reports.
#
# Environment: IMPLS (default: the asm implementations available),
# SHAPES (default: all), BENCHTIME (default 0.5s), OUT (raw log, default
# a temp file).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
benchtime=${BENCHTIME:-0.5s}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${OUT:-$tmp/raw.txt}
: >"$out"

gcc -O2 -Wall -o "$tmp/sgemm_bench" bench/openblas/sgemm_bench.c -lopenblas
go test -c -o "$tmp/kernels.test" ./kernels

if grep -qw avx512f /proc/cpuinfo; then
	export OPENBLAS_CORETYPE=Cooperlake
fi
shapes=${SHAPES:-"64x10816x288 128x2704x576 256x676x1152 512x169x2304 255x169x512 32x40000x27 256x256x256 512x512x512 1024x1024x1024"}
if [ -z "${IMPLS:-}" ]; then
	IMPLS=$("$tmp/kernels.test" -test.run '^$' -test.bench 'PeakFMA/.*/t1$' -test.benchtime 1x |
		sed -n 's|^BenchmarkPeakFMA/\([a-z0-9]*\)/t1.*|\1|p' | sort -u | tr '\n' ' ')
fi
secs=${benchtime%s}

{
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	"$tmp/sgemm_bench" -s 1x1x1 2>&1 | grep 'openblas core' || true
} | tee -a "$out"

for r in $(seq "$rounds"); do
	echo "round $r/$rounds" >&2
	"$tmp/kernels.test" -test.run '^$' -test.bench 'PeakFMA' -test.benchtime "$benchtime" >>"$out"
	for s in $shapes; do
		for t in 1 2; do
			for impl in $IMPLS; do
				"$tmp/kernels.test" -test.run '^$' -test.bench "^BenchmarkSgemm/$impl/$s/t$t\$" \
					-test.benchtime "$benchtime" | grep '^Benchmark' >>"$out"
			done
			"$tmp/sgemm_bench" -s "$s" -t "$t" -time "$secs" 2>/dev/null >>"$out"
		done
	done
done
python3 bench/openblas/summarize.py "$out"
