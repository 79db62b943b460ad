# The module `tpc` of tpc's embedded Python interpreter: the Python plugin API
# (bounds/example/README.md documents it; bounds/example/tpc_example.py uses it).
#
# A plugin file registers classes with @tpc.compressor / @tpc.mechanism.  The
# C half of the bridge (src/registry/pyplugin.c) embeds this file, defines the
# type Rng in the same module, and calls the functions below whose names
# start with an underscore: _load imports a plugin file, _listing says what it
# registered, _new builds an instance for a spec, _constants checks and
# flattens its declared constants, _compress and _apply call it.  Everything
# a plugin author can get wrong is checked here and raised as an exception
# whose text names the problem; the C half turns it into tpc's error.

import math as _math
import os as _os
import re as _re
import sys as _sys
import traceback as _traceback
import warnings as _warnings

import numpy as _np

_entries = {}         # spec name -> _Entry, in registration order
_loaded = {}          # absolute file name -> the names it registered
_REQUIRED = object()  # a parameter without a default
# Parameters are numbers: the registry reads every plugin's values as numbers.
_TYPE_WORDS = {int: "INT", float: "REAL"}
_DTYPES = (_np.dtype(_np.float32), _np.dtype(_np.float64))
_CLASSES = {"none": 0, "contractive": 1, "unbiased": 2, "both": 3}
# x, h and y are read-only on purpose (they are tpc's buffers); PyTorch warns
# once that torch.from_numpy got such an array.  The tensor shares the memory
# all the same, and writing into it is what the API forbids.
_warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
_NAME = _re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*\Z")
_KEY = _re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _Entry:
    __slots__ = ("kind", "name", "cls", "params", "summary", "declared", "theory")


def _check_params(name, params):
    """{key: default} -> {key: (type, default or _REQUIRED)}."""
    out = {}
    for key, default in (params or {}).items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"{name}: parameter name {key!r} is not a spec key")
        if default in _TYPE_WORDS:
            out[key] = (default, _REQUIRED)
        elif isinstance(default, bool) or type(default) not in _TYPE_WORDS:
            raise TypeError(f"{name}: parameter {key}: the default must be an int or a float, "
                            f"or one of the types int, float (got {default!r})")
        else:
            out[key] = (type(default), default)
    return out


def _register(kind, name, params, summary, declared, theory):
    needs = ("compress",) if kind == "comp" else ("apply",)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{name!r} is not a spec name (letters, digits and _, "
                         f"starting with a letter or digit)")
    checked = _check_params(name, params)

    def decorate(cls):
        if name in _entries:
            raise ValueError(f"{name} is registered twice")
        for method in needs + ("constants",):
            if not callable(getattr(cls, method, None)):
                raise TypeError(f"{name}: class {cls.__name__} has no method {method}")
        e = _Entry()
        e.kind, e.name, e.cls, e.params = kind, name, cls, checked
        doc = (cls.__doc__ or "").strip().split("\n")[0]
        e.summary = summary or doc or f"a Python {'compressor' if kind == 'comp' else 'mechanism'}"
        e.declared = declared or "what constants() returns"
        e.theory = theory or ""
        _entries[name] = e
        return cls
    return decorate


def compressor(name, params=None, summary=None, declared=None, theory=None):
    """Register a compressor class: cls(d, n, **params) with constants(d, n)
    and compress(x, rng) -> out."""
    return _register("comp", name, params, summary, declared, theory)


def mechanism(name, params=None, summary=None, declared=None, theory=None):
    """Register a mechanism class: cls(d, n, **params) with constants(d, n)
    and apply(h, y, x, rng) -> out."""
    return _register("mech", name, params, summary, declared, theory)


def _why(exc):
    """One line for an exception: its type, text, and the innermost line of
    the plugin's own code it came from."""
    where = ""
    frames = [f for f in _traceback.extract_tb(exc.__traceback__)
              if f.filename != "<tpc>" and not f.filename.startswith("<frozen")]
    if frames:
        where = f" ({_os.path.basename(frames[-1].filename)}, line {frames[-1].lineno})"
    text = str(exc)
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def _load(path):
    """Import a plugin file once per process; the names it registered."""
    import importlib.util
    path = _os.path.abspath(path)
    if path in _loaded:
        return _loaded[path]
    module = "tpc_plugin_" + _re.sub(r"\W", "_", _os.path.basename(path)[:-3])
    spec = importlib.util.spec_from_file_location(module, path)
    if spec is None:
        raise ImportError(f"cannot import {path}")
    folder = _os.path.dirname(path)
    if folder not in _sys.path:
        _sys.path.insert(0, folder)
    before = set(_entries)
    mod = importlib.util.module_from_spec(spec)
    _sys.modules[module] = mod
    spec.loader.exec_module(mod)
    names = tuple(n for n in _entries if n not in before)
    if not names:
        raise ImportError("it registers no compressor or mechanism "
                          "(decorate a class with @tpc.compressor or @tpc.mechanism)")
    _loaded[path] = names
    return names


@compressor("pyidentity", summary="C(x) = x in Python: what the bridge itself costs a call "
            "(tpc bench times it beside every Python compressor)",
            declared="B(1), U(0)", theory="T2")
class _Identity:
    def __init__(self, d, n):
        pass

    def constants(self, d, n):
        return {"class": "both", "alpha": 1.0, "omega": 0.0, "deterministic": True}

    def compress(self, x, rng):
        return x


_BRIDGE = tuple(_entries)  # the types above, registered with every plugin file


def _probe(path):
    """What the parent registers for a plugin file: the bridge's own types,
    then the file's."""
    return _listing(_BRIDGE + _load(path))


def _synopsis(e):
    if not e.params:
        return e.name
    items = (f"{k}={_TYPE_WORDS[t]}" if d is _REQUIRED else f"{k}={_TYPE_WORDS[t]}|{d}"
             for k, (t, d) in e.params.items())
    return f"{e.name}({', '.join(items)})"


def _listing(names):
    """(kind, name, synopsis, summary, declared, theory, keys) per name."""
    return tuple((e.kind, e.name, _synopsis(e), e.summary, e.declared, e.theory,
                  tuple(e.params)) for e in (_entries[n] for n in names))


def _value(name, key, kind, value):
    if isinstance(value, str):
        raise ValueError(f"{key} must be a number, not {value!r}")
    if kind is int:
        if value != int(value):
            raise ValueError(f"{key} must be an integer, not {value!r}")
        return int(value)
    return float(value)


def _new(name, d, n, values):
    """An instance for the spec name(values) at dimension d with n clients."""
    e = _entries[name]
    kwargs = {}
    for key, (kind, default) in e.params.items():
        if key in values:
            kwargs[key] = _value(name, key, kind, values[key])
        elif default is _REQUIRED:
            raise ValueError(f"missing parameter {key}")
        else:
            kwargs[key] = default
    return e.cls(d, n, **kwargs)


def _number(name, c, key, lo, hi, default=None):
    if key not in c:
        if default is None:
            raise ValueError(f"constants() has no {key!r}")
        return default
    v = c[key]
    if isinstance(v, bool) or not isinstance(v, (int, float, _np.floating, _np.integer)):
        raise TypeError(f"constants()[{key!r}] must be a number, not {v!r}")
    v = float(v)
    if not (_math.isfinite(v) and lo <= v <= hi):
        raise ValueError(f"constants()[{key!r}] = {v!r} is outside [{lo}, {hi}]")
    return v


def _flag(name, c, key):
    v = c.get(key, False)
    if not isinstance(v, (bool, _np.bool_)):
        raise TypeError(f"constants()[{key!r}] must be True or False, not {v!r}")
    return 1.0 if v else 0.0


def _constants(obj, name, kind, d, n):
    """The declared constants as a tuple of floats, in the order
    pyplugin.c reads them (compressor: class, alpha, omega, deterministic,
    shared, omega_avg, bits; mechanism: ineq, A, B, c, unbiased,
    deterministic, bits)."""
    c = obj.constants(d, n)
    if not isinstance(c, dict):
        raise TypeError(f"constants() must return a dict, not {type(c).__name__}")
    known = ({"class", "alpha", "omega", "deterministic", "shared", "omega_avg", "bits"}
             if kind == "comp" else {"ineq", "A", "B", "c", "unbiased", "deterministic", "bits"})
    unknown = sorted(set(c) - known)
    if unknown:
        raise ValueError(f"constants() has unknown keys {unknown} "
                         f"(known: {sorted(known)})")
    bits = _number(name, c, "bits", 0.0, _math.inf, 0.0)
    det = _flag(name, c, "deterministic")
    if kind == "comp":
        cls = c.get("class")
        if cls not in _CLASSES:
            raise ValueError(f"constants()['class'] must be one of "
                             f"{sorted(_CLASSES)}, not {cls!r}")
        code = _CLASSES[cls]
        alpha = _number(name, c, "alpha", 0.0, 1.0) if code & 1 else 0.0
        omega = _number(name, c, "omega", 0.0, _math.inf) if code & 2 else 0.0
        if code & 1 and alpha <= 0.0:
            raise ValueError(f"alpha must be in (0, 1]")
        shared = _flag(name, c, "shared")
        omega_avg = _number(name, c, "omega_avg", 0.0, _math.inf, 0.0)
        return (float(code), alpha, omega, det, shared, omega_avg, bits)
    ineq = c.get("ineq", "3pc")
    if ineq == "3pc":
        A = _number(name, c, "A", 0.0, 1.0)
        if A <= 0.0:
            raise ValueError(f"A must be in (0, 1]")
        return (0.0, A, _number(name, c, "B", 0.0, _math.inf), 0.0,
                _flag(name, c, "unbiased"), det, bits)
    if ineq == "shift":
        return (1.0, 0.0, 0.0, _number(name, c, "c", 0.0, _math.inf),
                _flag(name, c, "unbiased"), det, bits)
    raise ValueError(f"constants()['ineq'] must be '3pc' or 'shift', not {ineq!r}")


def _result(out, dtype, d):
    """The plugin's result as a C-contiguous array of x's type and shape."""
    a = _np.ascontiguousarray(out, dtype=dtype)
    if a.shape != (d,):
        raise ValueError(f"the result has shape {a.shape}, expected ({d},)")
    return a  # finite: checked in C (pyplugin_source.c), faster than numpy here


def _compress(obj, x, dtype, d, rng):
    dt = _DTYPES[dtype]
    return _result(obj.compress(_np.frombuffer(x, dt), rng), dt, d)


def _apply(obj, h, y, x, dtype, d, rng):
    dt = _DTYPES[dtype]
    out = obj.apply(_np.frombuffer(h, dt), _np.frombuffer(y, dt), _np.frombuffer(x, dt), rng)
    return _result(out, dt, d)


def _words_array(raw):
    return _np.frombuffer(raw, _np.uint64)


def _uniform_array(raw):
    return _np.frombuffer(raw, _np.float64)


def _generator(w0, w1):
    return _np.random.Generator(_np.random.PCG64((w0 << 64) | w1))
