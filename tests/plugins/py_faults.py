"""Test plugin: Python compressors that fail in every way the sandbox must
contain, each declaring B(1/2).  Under `tpc bounds` each is a failed check
with its reason (exit 4) and the other specs of the run are stored;
pyinitfail refuses its parameter (bad input: exit 2, its message shown,
nothing stored).  Loaded by tests/e2e_pyplugin.sh.

  pyraiser     compress raises RuntimeError
  pyshape      compress returns d - 1 values
  pynan        compress returns a NaN
  pyhang       compress never returns (a pure-Python loop, holding the GIL)
  pysegv       compress reads address 0 through ctypes: SIGSEGV in an extension
  pyexit0      compress calls os._exit(0): a child that "succeeds" without a result
  pyinitfail(k=INT)  __init__ raises for any k other than 1
"""
import ctypes
import os

import numpy as np

import tpc


class Fault:
    """Declares B(1/2); compress is each fault's own."""
    def __init__(self, d, n):
        pass

    def constants(self, d, n):
        return {"class": "contractive", "alpha": 0.5, "deterministic": True}


@tpc.compressor("pyraiser", params={}, declared="B(1/2)", theory="test",
                summary="test plugin: compress raises")
class PyRaiser(Fault):
    def compress(self, x, rng):
        raise RuntimeError("pyraiser: planted failure in compress")


@tpc.compressor("pyshape", params={}, declared="B(1/2)", theory="test",
                summary="test plugin: compress returns d - 1 values")
class PyShape(Fault):
    def compress(self, x, rng):
        return x[:-1].copy()


@tpc.compressor("pynan", params={}, declared="B(1/2)", theory="test",
                summary="test plugin: compress returns a NaN")
class PyNan(Fault):
    def compress(self, x, rng):
        out = x.copy()
        out[0] = np.nan
        return out


@tpc.compressor("pyhang", params={}, declared="B(1/2)", theory="test",
                summary="test plugin: compress never returns")
class PyHang(Fault):
    def compress(self, x, rng):
        while True:
            pass


@tpc.compressor("pysegv", params={}, declared="B(1/2)", theory="test",
                summary="test plugin: compress crashes in an extension")
class PySegv(Fault):
    def compress(self, x, rng):
        return ctypes.string_at(0)


@tpc.compressor("pyexit0", params={}, declared="B(1/2)", theory="test",
                summary="test plugin: compress calls os._exit(0)")
class PyExit0(Fault):
    def compress(self, x, rng):
        os._exit(0)


@tpc.compressor("pyinitfail", params={"k": int}, declared="B(1/2)", theory="test",
                summary="test plugin: __init__ refuses k != 1")
class PyInitFail(Fault):
    def __init__(self, d, n, k):
        if k != 1:
            raise LookupError(f"pyinitfail: k = {k} is refused (only k = 1 is)")

    def compress(self, x, rng):
        return x.copy()
