"""Compiled steps: run a training step once, capture the numpy program it ran, replay it.

``ag.compile(step)`` runs ``step`` eagerly the first time and records every primitive it
ran — the forward ops, each op's ``backward`` as the engine called it, the engine's own
array work (summing broadcast gradients, accumulating, writing ``.grad``) and the in-place
updates — as a straight-line program over numpy arrays (:mod:`autograd_lite.capture`).  Later
calls with arguments of the same shapes and dtypes run that program: the same numpy calls
in the same order, so the results are bitwise those of the eager step, without Tensors,
graph recording or a topological walk.  ``step.source`` shows the program as Python.

A replay cannot see Python: whatever the step decides from values (``if loss.item() > 1``),
draws at random or writes behind the library's back (``w.data -= ...``) would be frozen at
its first call.  Such things are refused while capturing, with the line that did them and
what to write instead.
"""
from __future__ import annotations

import collections
import functools
import threading

import numpy as np

from .capture import Recorder, StaleProgram, flatten, rng_states, signature
from .errors import CaptureError
from .function import _state, is_anomaly_enabled


class CompiledStep:
    """A step function that is captured on its first call and replayed afterwards.

    Made by :func:`compile`; call it like the function it wraps.

    Attributes
    ----------
    source : str
        The program captured for the most recent signature, as Python (numpy) text.
    captures : int
        How many times the step was captured (new shapes, dtypes or a changed parameter).
    """

    def __init__(self, fn, cache_size=8):
        if not callable(fn):
            raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
        if not isinstance(cache_size, int) or cache_size < 1:
            raise ValueError(f"compile: cache_size must be a positive int, not {cache_size!r}")
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.cache_size = cache_size
        self.captures = 0
        self.replays = 0
        self._programs = collections.OrderedDict()
        self._last = None
        self._lock = threading.Lock()     # a program's op objects hold masks between calls

    def __call__(self, *args, **kwargs):
        if _state.capture is not None or is_anomaly_enabled():
            return self.fn(*args, **kwargs)          # nested, or anomaly mode: run eagerly
        if kwargs or any(type(a) in _NESTED for a in args):
            leaves, tree = flatten((args, kwargs))
        else:
            leaves, tree = args, None            # the common call: a few arrays or tensors
        key = (signature(leaves), tree, _state.enabled)
        with self._lock:
            programs = self._programs.get(key, ())
            for program in programs:           # one per path the step's guards chose
                try:
                    result = program.run(leaves)
                except StaleProgram:
                    continue
                if program is not programs[0]:
                    programs.remove(program)
                    programs.insert(0, program)
                self._programs.move_to_end(key)
                self._last = program
                self.replays += 1
                return result
            return self._capture(key, leaves, tree)

    def _capture(self, key, leaves, tree):
        recorder = Recorder(self.fn)
        call_leaves = recorder.bind_arguments(leaves)
        args, kwargs = (call_leaves, {}) if tree is None else tree.unflatten(call_leaves)
        before = rng_states(self.fn)
        _state.capture = recorder
        try:
            result = self.fn(*args, **kwargs)
        finally:
            _state.capture = None
        if rng_states(self.fn) != before:
            raise CaptureError(
                f"compile: {_name(self.fn)} drew random numbers while it was captured; a "
                "replay would reuse the same numbers every call. Draw them outside the step "
                "and pass them in as an argument")
        program = recorder.build(result, name=_name(self.fn))
        programs = self._programs.setdefault(key, [])
        programs.insert(0, program)
        del programs[_PATHS:]
        self._programs.move_to_end(key)
        while len(self._programs) > self.cache_size:
            self._programs.popitem(last=False)
        self._last = program
        self.captures += 1
        return result

    @property
    def source(self) -> str:
        if self._last is None:
            raise CaptureError(f"compile: {_name(self.fn)} has not been called yet; its "
                               "program is captured on the first call")
        return self._last.source

    @property
    def program(self):
        """The most recently used :class:`~autograd_lite.capture.Program` (None before a call)."""
        return self._last

    def __repr__(self):
        count = sum(len(p) for p in self._programs.values())
        return (f"<compiled {_name(self.fn)}: {count} program(s), "
                f"{self.captures} capture(s), {self.replays} replay(s)>")


_NESTED = (list, tuple, dict)
_PATHS = 4          # programs kept per signature: paths chosen by guards, newest first


def _name(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def compile(fn=None, *, cache_size=8):
    """Capture a training step once and replay it as a plain numpy program.

    The first call runs ``fn`` as usual (same results as without ``compile``) and records
    what it computed: the forward pass, the derivative of every op as the backward pass
    ran it (``loss.backward()`` or :func:`~autograd_lite.grad`, also with
    ``create_graph=True``), the gradients left in ``.grad`` and the in-place updates made
    under :class:`~autograd_lite.no_grad`.  Work nothing needs is pruned.  Later calls
    whose array arguments have the same shapes and dtypes replay that program — the same
    numpy calls in the same order, so the results are bitwise identical to eager — and
    write results back where eager would leave them: the returned tensors (new ones each
    call, values only), updated parameters (the same objects, changed in place) and
    ``.grad``.  New shapes or dtypes capture again (a small cache per signature).

    Parameters
    ----------
    fn : callable
        One step: its array or Tensor arguments are the batch (arrays are passed to it as
        constant Tensors); the parameters are tensors it closes over or is given.  Other
        arguments (numbers, strings) are part of the signature: a new value captures again.
    cache_size : int
        How many signatures to keep programs for.

    Returns
    -------
    CompiledStep
        Callable like ``fn``; ``.source`` is the captured program as Python text.

    Notes
    -----
    Refused while capturing, because a replay could not reproduce them: reading values
    in the step (``.item()``, ``float()``, ``bool()``, ``.numpy()``, ``.data``,
    ``np.asarray(t)``), assigning ``.data``, and drawing random numbers.  Use
    ``ag.where`` for a choice made per element, or compute such things outside the step.
    Python side effects of the step (printing, appending to a list) happen only on the
    first call, as with ``jax.jit``.  Anomaly mode runs the step eagerly.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> w = ag.tensor([[0.5, -0.5]], requires_grad=True, name="w")
    >>> @ag.compile
    ... def step(X, Y):
    ...     w.grad = None
    ...     A = ag.sigmoid(w @ X)
    ...     J = -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).mean()
    ...     J.backward()
    ...     with ag.no_grad():
    ...         w.__isub__(0.5 * w.grad)         # w -= ... (w is not local to step)
    ...     return J
    >>> X, Y = np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[1.0, 0.0]])
    >>> [round(step(X, Y).item(), 6) for _ in range(3)]   # J0 = −(log σ(.5) + log σ(−.5))/2
    [0.724077, 0.605525, 0.55253]
    >>> step.captures, step.replays
    (1, 2)
    >>> "np.subtract(w, " in step.source       # the update, replayed as numpy
    True
    """
    if fn is None:
        return functools.partial(compile, cache_size=cache_size)
    return CompiledStep(fn, cache_size=cache_size)
