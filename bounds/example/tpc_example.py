"""An example tpc plugin in Python: three compressors, in numpy and PyTorch, for
`tpc bounds` to check against the constants they declare.  Read it as a
tutorial; README.md beside it shows how to load and validate it:

    tpc list --plugin ./tpc_example.py
    tpc bounds 'nprtopk(k=5)' 'qsgd(s=2)' 'nprandk(k=5)' --plugin ./tpc_example.py

  nprtopk(k=INT)  TopK with ties at the k-th largest magnitude broken at
                  random: the twin of rtopk in tpc_example.c, same selection
                  from the same draws, so both get the same verdicts.  B(k/d).
  qsgd(s=INT)     QSGD (Alistarh et al., NeurIPS 2017) with s levels:
                  unbiased, U(min(d/s^2, sqrt(d)/s)).
  nprandk(k=INT)  RandK scaled by d/k: unbiased, U(d/k - 1).

Why those constants (the plugin's part of the contract: tpc checks them, it
does not derive them):

  nprtopk.  Whichever tied coordinates are kept, the dropped mass is the
  d - k smallest squared magnitudes, at most (1 - k/d)||x||^2 (equality when
  all |x_i| are equal): the bound of TopK (THEORY.md T2), for every draw.

  qsgd.  With r_i = s|x_i|/||x||, level l_i = floor(r_i) + Bernoulli(r_i -
  floor(r_i)) and C(x)_i = ||x|| sign(x_i) l_i / s, E C(x) = x and
  E||C(x) - x||^2 = (||x||/s)^2 sum_i p_i(1 - p_i), p_i = frac(r_i).  Since
  p(1 - p) <= min(1/4, r_i) and sum r_i <= sqrt(d) s, the sum is at most
  min(d/4, sqrt(d) s): omega = min(d/s^2, sqrt(d)/s) holds (the paper's
  constant; d/s^2 is 4 times larger than needed).  For s <= sqrt(d) the
  equal-magnitude x gives (sqrt(d)/s - 1): a worst ratio of 1 - s/sqrt(d).

  nprandk.  Coordinate i is kept with probability k/d and scaled by d/k, so
  E C(x) = x and E||C(x) - x||^2 = (d/k - 1)||x||^2 for every x: the bound is
  attained everywhere.

The Python API (README.md, "Validating a new compressor"): a class decorated
with @tpc.compressor(name, params=..., declared=..., theory=...) whose
__init__(d, n, **params) checks the parameters (an exception there is bad
input: tpc exits 2 with its message), constants(d, n) returns the claim, and
compress(x, rng) returns C(x) as an array of length d.  x is a read-only view
of tpc's buffer (float32 or float64), valid during the call only.  All
randomness comes from rng, the stream tpc derived for this call, so results
are fixed by the seed whatever the thread count.  The module `tpc` exists
only inside tpc's embedded interpreter.
"""
import math

import numpy as np
import torch

import tpc

# tpc runs its own threads (one call per thread at a time): one torch thread
# per call avoids oversubscribing the cores.
torch.set_num_threads(1)


def check_count(name, key, value, d):
    """Refuse a parameter outside 1..d with a message tpc shows as is."""
    if not 1 <= value <= d:
        raise ValueError(f"{name}: {key} must be an integer from 1 to d = {d}, got {value}")
    return int(value)


@tpc.compressor("nprtopk", params={"k": int}, declared="B(k/d)", theory="T2",
                summary="keep the k largest magnitudes, ties broken at random (numpy example)")
class NpRTopK:
    def __init__(self, d, n, k):
        self.k = check_count("nprtopk", "k", k, d)

    def constants(self, d, n):
        # "bits": the author's claim for k (index, value) pairs; tpc measures
        # its own sparse encoding and shows this beside it.
        return {"class": "contractive", "alpha": self.k / d,
                "deterministic": False,    # the tie-break draws
                "bits": self.k * (32 + 64)}

    def compress(self, x, rng):
        d, k = x.shape[0], self.k
        # Magnitudes in double, as rtopk's fabs((double)x[i]): the same
        # comparisons for float32 input.
        mag = np.abs(x.astype(np.float64))
        t = mag[np.argpartition(mag, d - k)[d - k]]    # the k-th largest magnitude
        keep = mag > t
        # The coordinates tied at t: rtopk's selection sampling, draw for
        # draw (one uniform_int(tied) per tied coordinate, in index order,
        # taking it while the draw is below the number still needed).
        tied = np.flatnonzero(mag == t)
        need = k - int(np.count_nonzero(keep))
        left = tied.size
        for i in tied:
            if rng.uniform_int(left) < need:
                keep[i] = True
                need -= 1
            left -= 1
        return np.where(keep, x, np.zeros_like(x))


@tpc.compressor("qsgd", params={"s": int}, declared="U(min(d/s^2, sqrt(d)/s))",
                theory="T1", summary="QSGD with s levels (Alistarh et al. 2017; PyTorch example)")
class QSGD:
    def __init__(self, d, n, s):
        if s < 1:
            raise ValueError(f"qsgd: s must be a positive integer, got {s}")
        self.s = int(s)

    def constants(self, d, n):
        omega = min(d / self.s ** 2, math.sqrt(d) / self.s)
        # The plain code (the paper's Elias code is shorter for small s): a
        # 64-bit norm, then a sign and ceil(log2(s + 1)) bits of level per
        # coordinate.  tpc shows it beside the size of its own encoding.
        bits = 64 + d * (1 + math.ceil(math.log2(self.s + 1)))
        return {"class": "unbiased", "omega": omega, "deterministic": False, "bits": bits}

    def compress(self, x, rng):
        # torch.from_numpy shares x's memory (no copy); x is read-only, and
        # nothing here writes into it.  The arithmetic is in double, so that
        # float32 input cannot overflow when squared.
        v = torch.from_numpy(x).to(torch.float64)
        m = v.abs().max()
        if m == 0:
            return torch.zeros_like(v)
        # ||v|| scaled by max|v_i|: the plain norm overflows to inf at 1e300
        # magnitudes and underflows to 0 at 1e-300.
        norm = m * torch.linalg.vector_norm(v / m)
        r = self.s * (v.abs() / norm)                   # in [0, s]
        low = torch.floor(r)
        u = torch.from_numpy(rng.uniform(v.shape[0]))  # this call's stream
        level = low + (u < r - low).to(torch.float64)
        # A tensor is a valid result: tpc converts it to x's type (numpy's
        # __array__ protocol) and copies it once.
        return torch.sign(v) * (norm * (level / self.s))


@tpc.compressor("nprandk", params={"k": int}, declared="U(d/k-1)", theory="T1",
                summary="k coordinates uniformly at random, scaled by d/k (numpy example)")
class NpRandK:
    def __init__(self, d, n, k):
        self.k = check_count("nprandk", "k", k, d)

    def constants(self, d, n):
        return {"class": "unbiased", "omega": d / self.k - 1, "deterministic": False,
                "bits": self.k * (32 + 64)}

    def compress(self, x, rng):
        d = x.shape[0]
        # A numpy Generator seeded from this call's stream: any numpy sampler
        # is then reproducible too.
        pick = rng.generator().choice(d, size=self.k, replace=False)
        out = np.zeros_like(x)
        out[pick] = x[pick] * (d / self.k)
        return out
