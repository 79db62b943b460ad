# Test plugin for tests/e2e_pybench.sh: Python compressors as `tpc bench`
# times them.
#   pybtopk(k=INT|1)  TopK in numpy: it has a parameter k, so tpc bench times
#                     it at the k of the built-in topk (name(k=K))
#   pybscale(s=REAL)  x times s, s required: tpc bench cannot time it by its
#                     bare name and must say so (exit 2)
import numpy as np
import tpc


@tpc.compressor("pybtopk", params={"k": 1}, summary="test plugin: TopK in numpy",
                declared="B(k/d)", theory="T2")
class PybTopK:
    def __init__(self, d, n, k):
        if not 1 <= k <= d:
            raise ValueError(f"k={k} must be in 1..d={d}")
        self.k = k

    def constants(self, d, n):
        return {"class": "contractive", "alpha": self.k / d, "deterministic": True}

    def compress(self, x, rng):
        out = np.zeros_like(x)
        i = np.argpartition(np.abs(x), -self.k)[-self.k:]
        out[i] = x[i]
        return out


@tpc.compressor("pybscale", params={"s": float}, summary="test plugin: x times s, s required")
class PybScale:
    def __init__(self, d, n, s):
        self.s = s

    def constants(self, d, n):
        return {"class": "none"}

    def compress(self, x, rng):
        return x * self.s
