#!/usr/bin/env python3
"""TopK peers for `tpc bench`: numpy.argpartition and torch.topk timed on the
very input the C kernels were timed on (a raw float32/float64 file written by
the bench), at the same sizes, with the same sampling rules: a warm-up, calls
per sample calibrated so that a sample lasts at least the target, N samples.

Each timed call selects the k largest magnitudes of x, as tpc's topk does:
    numpy.argpartition:  np.abs(x, out=buf); np.argpartition(buf, d - k)[d - k:]
    torch.topk:          torch.abs(t, out=buf); torch.topk(buf, k, sorted=False)
|x| goes into a preallocated buffer, and the indices are not sorted (tpc
returns them in increasing order), both in the peers' favour.

Output, one record per line, parsed by bench/peer.c:
    version NAME VERSION
    skip IMPL REASON...
    sample IMPL K ITERS TOTAL_NS
"""
import argparse
import sys
import time


def calibrate(fn, target_ns, warmup_ns):
    """Calls per sample: the smallest doubling-grown n whose batch takes at
    least the target twice in a row (as the C harness does)."""
    start = time.perf_counter_ns()
    calls = 0
    while calls < 2 or time.perf_counter_ns() - start < warmup_ns:
        fn()
        calls += 1
    n = 1
    while True:
        t = timed(fn, n)
        if t >= target_ns:
            t = min(t, timed(fn, n))
            if t >= target_ns:
                return n
        grow = 1.25 * target_ns / t if t > 0 else 100.0
        n = int(-(-n * min(100.0, max(2.0, grow)) // 1))


def timed(fn, n):
    t0 = time.perf_counter_ns()
    for _ in range(n):
        fn()
    return time.perf_counter_ns() - t0


def run(impl, k, fn, args):
    n = calibrate(fn, args.target_ns, args.warmup_ns)
    for _ in range(args.samples):
        print(f"sample {impl} {k} {n} {timed(fn, n)}", flush=True)


def numpy_cases(x, ks, args):
    import numpy as np
    buf = np.empty_like(x)
    d = x.shape[0]
    for k in ks:
        def call(k=k):
            np.abs(x, out=buf)
            return np.argpartition(buf, d - k)[d - k:]
        run("numpy.argpartition", k, call, args)


def torch_cases(x, ks, args):
    import torch
    torch.set_num_threads(args.threads)
    t = torch.from_numpy(x)
    buf = torch.empty_like(t)
    for k in ks:
        def call(k=k):
            torch.abs(t, out=buf)
            return torch.topk(buf, k, sorted=False)
        run("torch.topk", k, call, args)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--file", required=True)
    p.add_argument("--dtype", choices=["f32", "f64"], required=True)
    p.add_argument("--d", type=int, required=True)
    p.add_argument("--k", required=True, help="comma-separated")
    p.add_argument("--samples", type=int, default=20)
    p.add_argument("--target-ns", type=float, default=1e6)
    p.add_argument("--warmup-ns", type=float, default=1e7)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--impl", default="numpy.argpartition,torch.topk")
    args = p.parse_args()
    ks = [int(v) for v in args.k.split(",")]
    impls = args.impl.split(",")
    try:
        import numpy as np
    except ImportError as e:
        for impl in impls:
            print(f"skip {impl} numpy is not importable ({e})", flush=True)
        return 0
    print(f"version numpy {np.__version__}", flush=True)
    x = np.fromfile(args.file, dtype=np.float32 if args.dtype == "f32" else np.float64)
    if x.shape[0] != args.d:
        print(f"skip all input has {x.shape[0]} values, expected {args.d}", flush=True)
        return 1
    if "numpy.argpartition" in impls:
        numpy_cases(x, ks, args)
    if "torch.topk" in impls:
        try:
            import torch
        except ImportError as e:
            print(f"skip torch.topk torch is not importable ({e})", flush=True)
            return 0
        print(f"version torch {torch.__version__}", flush=True)
        torch_cases(x, ks, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
