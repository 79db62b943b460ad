"""Test plugin: a syntax error on line 8 (a class with an empty base); loading it is
bad input (exit 2) naming this file and that line.  Loaded by
tests/e2e_pyplugin.sh."""
import tpc


@tpc.compressor("pysyntax")
class PySyntax(:
    pass
