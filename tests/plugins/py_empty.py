"""Test plugin: a module that imports tpc and defines a compressor class but
registers nothing (no decorator): loading it is bad input (exit 2).  Loaded
by tests/e2e_pyplugin.sh."""
import tpc


class Forgotten:
    def compress(self, x, rng):
        return x
