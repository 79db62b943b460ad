"""Test plugin: Python compressors and a mechanism with planted defects, each
a claim that `tpc bounds` must find false (exit 1), or, for pynatural, flag.
Loaded by tests/e2e_pyplugin.sh; bounds/example/tpc_example.py holds the
honest twins.

  pyliar(k=INT)     RandK scaled by d/k, declaring omega = 0.9 (d/k - 1): its
                    variance is exactly (d/k - 1)||x||^2 at every x, so the
                    worst ratio is 1/0.9 everywhere.
  pybiased(k=INT)   RandK scaled by d/(k + 1) while declaring it unbiased with
                    omega = d/k - 1.  E C(x) = k/(k + 1) x and the variance is
                    below the declared one: only the unbiasedness test sees it.
  pyshort(k=INT)    TopK that keeps only the k - 1 largest magnitudes while
                    declaring B(k/d): at equal magnitudes it drops
                    (d - k + 1)/d of ||x||^2, (d - k + 1)/(d - k) times the bound.
  pyef21(k=INT)     the EF21 mechanism h + TopK_k(x - h) (THEORY.md T3) with
                    A = 1 - sqrt(1 - k/d) and B 3 % below (1 - k/d)/A: only
                    points near the tight construction (x - h of equal
                    magnitudes, h - y along it) exceed the claim.
  pynatural         "natural dithering" that returns its input unchanged,
                    declaring unbiased omega = 1/8 and a 9-bit-per-coordinate
                    message: the bound holds (the error is 0), so bounds passes
                    it, flagged: its output equalled its input at every call.
"""
import math

import numpy as np

import tpc


def topk_mask(v, k):
    """The k largest magnitudes of v, ties towards the lower index."""
    keep = np.zeros(v.shape[0], dtype=bool)
    keep[np.argsort(-np.abs(v), kind="stable")[:k]] = True
    return keep


class RandK:
    """RandK scaled by d/self.divisor: the shared body of pyliar and pybiased."""
    def __init__(self, d, n, k):
        if not 1 <= k <= d:
            raise ValueError(f"k must be an integer from 1 to d = {d}, got {k}")
        self.k = int(k)
        self.divisor = self.k

    def compress(self, x, rng):
        d = x.shape[0]
        pick = rng.generator().choice(d, size=self.k, replace=False)
        out = np.zeros_like(x)
        out[pick] = x[pick] * (d / self.divisor)
        return out


@tpc.compressor("pyliar", params={"k": int}, declared="U(0.9 (d/k-1))", theory="test",
                summary="test plugin: RandK declaring omega 10 % too small")
class PyLiar(RandK):
    def constants(self, d, n):
        return {"class": "unbiased", "omega": 0.9 * (d / self.k - 1)}


@tpc.compressor("pybiased", params={"k": int}, declared="U(d/k-1)", theory="test",
                summary="test plugin: RandK scaled by d/(k+1), declared unbiased")
class PyBiased(RandK):
    def __init__(self, d, n, k):
        super().__init__(d, n, k)
        self.divisor = self.k + 1

    def constants(self, d, n):
        return {"class": "unbiased", "omega": d / self.k - 1}


@tpc.compressor("pyshort", params={"k": int}, declared="B(k/d)", theory="test",
                summary="test plugin: TopK keeping k-1 coordinates, declared B(k/d)")
class PyShort:
    def __init__(self, d, n, k):
        if not 2 <= k <= d:
            raise ValueError(f"k must be an integer from 2 to d = {d}, got {k}")
        self.k = int(k)

    def constants(self, d, n):
        return {"class": "contractive", "alpha": self.k / d, "deterministic": True}

    def compress(self, x, rng):
        return np.where(topk_mask(x, self.k - 1), x, np.zeros_like(x))


@tpc.mechanism("pyef21", params={"k": int}, theory="test",
               summary="test plugin: EF21 with TopK, B declared 3 % too small")
class PyEF21:
    def __init__(self, d, n, k):
        if not 1 <= k < d:
            raise ValueError(f"k must be an integer from 1 to d - 1 = {d - 1}, got {k}")
        self.k = int(k)

    def constants(self, d, n):
        a = 1 - math.sqrt(1 - self.k / d)
        return {"A": a, "B": 0.97 * (1 - self.k / d) / a, "deterministic": True}

    def apply(self, h, y, x, rng):
        g = x - h
        return h + np.where(topk_mask(g, self.k), g, np.zeros_like(g))


@tpc.compressor("pynatural", params={}, declared="U(1/8)", theory="test",
                summary="test plugin: 'natural dithering' that sends x unchanged, claims 9 bits")
class PyNatural:
    def __init__(self, d, n):
        pass

    def constants(self, d, n):
        return {"class": "unbiased", "omega": 1 / 8, "deterministic": False, "bits": 9 * d}

    def compress(self, x, rng):
        return x.copy()
