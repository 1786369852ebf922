"""Compiled steps: the step's Python runs on every call, its array work is replayed.

``ag.compile(step)`` runs ``step`` as a plain Python function on every call.  What changes
is what its tensor operations do (:mod:`autograd_lite.tracing`): they are traced as events and
matched against the paths captured on earlier calls; where the events match, the numpy
program captured for them does the array work in one go, without Tensors, graph recording
or a topological walk.  Where they do not (the first call, a new branch, new shapes), the
call runs eagerly and its program is captured.  So whatever the Python does — a learning
rate changed between calls, a flag, a loop count, a counter, ``print``, a list it appends
to, a random draw — happens as it would without ``compile``, and the numbers are bitwise
those of the eager step.
"""
from __future__ import annotations

import functools
import threading

from .errors import CaptureError
from .function import _state
from .tracing import Node, Trace

#: The program passes, in the order they run; each can be left out with ``passes=``:
#: ``"direct"`` writes an op's method body into the program where it is a few lines of
#: numpy, instead of calling the method (:mod:`autograd_lite.inlining`); ``"exact"`` does
#: the work the program does twice once, where that changes no bit (the same call on the
#: same values, −(−x), transposes that cancel: :mod:`autograd_lite.exact`); ``"buffers"``
#: computes intermediates into buffers allocated once and reused (:mod:`autograd_lite.buffers`).
PASSES = ("direct", "exact", "buffers")
#: Every pass, in the order they run: ``"simplify"`` (:mod:`autograd_lite.simplify`) rewrites
#: derivative chains as shorter algebra, equal to eager up to rounding: it runs only when
#: asked for (``ag.compile(step, simplify=True)``).
ALL_PASSES = ("direct", "simplify", "exact", "buffers")


class CompiledStep:
    """A step function whose tensor work is captured once per path and replayed.

    Made by :func:`compile`; call it like the function it wraps.

    Attributes
    ----------
    source : str
        The program of the most recent call, as Python (numpy) text.
    captures : int
        How many calls captured a new path (the first call, new shapes, a new branch).
    replays : int
        How many calls ran their array work as a captured program.
    """

    def __init__(self, fn, cache_size=32, passes=PASSES, simplify=False):
        if not callable(fn):
            raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
        if not isinstance(cache_size, int) or isinstance(cache_size, bool) or cache_size < 1:
            raise ValueError(f"compile: cache_size must be a positive int, not {cache_size!r}")
        if isinstance(passes, str) or not all(isinstance(p, str) for p in passes):
            raise TypeError(f"compile: passes must be a tuple of pass names, not {passes!r}")
        unknown = [p for p in passes if p not in ALL_PASSES]
        if unknown:
            raise ValueError(f"compile: unknown pass {unknown[0]!r}; the passes are "
                             + ", ".join(map(repr, ALL_PASSES)))
        if not isinstance(simplify, bool):
            raise TypeError(f"compile: simplify must be True or False, not {simplify!r}")
        if simplify and "simplify" not in passes:
            passes = tuple(passes) + ("simplify",)
        self.passes = tuple(p for p in ALL_PASSES if p in passes)
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.cache_size = cache_size
        self.captures = 0
        self.replays = 0
        self.root = Node(0)
        self._paths = 0
        self._last = None
        self._lock = threading.RLock()    # a program's op objects hold masks between calls

    def __call__(self, *args, **kwargs):
        state = _state
        if state.trace is not None or state.capture is not None or state.anomaly:
            return self.fn(*args, **kwargs)          # nested, or anomaly mode: run eagerly
        with self._lock:
            trace = Trace(self)
            trace.args = (args, kwargs)
            state.trace = trace
            try:
                result = self.fn(*args, **kwargs)
            except BaseException:
                state.trace = state.capture = None
                trace.abort()
                raise
            state.trace = state.capture = None
            if trace.eager:
                trace.close()
            elif trace.recorder is not None:
                live = trace.commit()
                self._last = (trace.cnode, live)
                trace.close()
                self.captures += 1
                self._paths += 1
                if self._paths > self.cache_size:     # too many paths: start again
                    self.root, self._paths = Node(0), 0
            else:
                end = trace.node
                live = trace.finish()
                self._last = (end, live)
                self.replays += 1
            return result

    def __reduce__(self):                  # a copy compiles afresh: programs are not data
        return (type(self), (self.fn, self.cache_size, self.passes))

    def __deepcopy__(self, memo):
        import copy
        return type(self)(copy.deepcopy(self.fn, memo), self.cache_size, self.passes)

    @property
    def simplify(self) -> bool:
        """Whether the programs are simplified (equal to eager up to rounding)."""
        return "simplify" in self.passes

    def segment(self, start, end, outputs, fresh=None):
        """The program of the events after ``start`` up to ``end`` (a node on its path),
        storing ``outputs`` (slots; None: all it computes), of which ``fresh`` (None: all)
        are new arrays, the others possibly buffers; made once, then kept."""
        key = (start.depth, outputs, fresh)
        program = end.programs.get(key)
        if program is None:
            from .program import build_program
            program = build_program(end.capture, start.depth, end.depth, outputs,
                                    _name(self.fn), direct="direct" in self.passes,
                                    buffers="buffers" in self.passes, fresh=fresh,
                                    simplify="simplify" in self.passes,
                                    exact="exact" in self.passes)
            end.programs[key] = program
        return program

    @property
    def source(self) -> str:
        return self.program.source

    @property
    def program(self):
        """The :class:`~autograd_lite.program.Program` of the last call's whole path."""
        if self._last is None or self._last[0] is None:
            raise CaptureError(f"compile: {_name(self.fn)} has not been called yet; its "
                               "program is captured on the first call")
        end, live = self._last
        return self.segment(self.root, end, live)

    def __repr__(self):
        return (f"<compiled {_name(self.fn)}: {self._paths} path(s), "
                f"{self.captures} capture(s), {self.replays} replay(s)>")


def _name(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def compile(fn=None, *, cache_size=32, passes=PASSES, simplify=False):
    """Compile a training step: its Python runs on every call, its array work is replayed.

    Every call runs ``fn`` as written.  Its tensor operations — the forward pass, the
    backward pass (``loss.backward()``, :func:`~autograd_lite.grad`, also with
    ``create_graph=True``) and the in-place updates under :class:`~autograd_lite.no_grad` —
    are traced and matched against the paths of earlier calls.  Where they match, the
    numpy program captured for that path computes all of them at once, on the call's own
    tensors and arrays: the same numpy calls in the same order as eagerly, so the results
    are bitwise identical.  A path not seen before (the first call, new shapes or dtypes,
    another branch or loop count) runs eagerly and is captured for next time.

    Parameters
    ----------
    fn : callable
        One step, e.g. forward pass, cost, backward pass and update.
    cache_size : int
        How many paths to keep programs for.
    passes : tuple of str
        The program passes to run (default: all of ``autograd_lite.compile.PASSES``:
        ``"direct"`` writes op bodies in, ``"exact"`` does work done twice once,
        ``"buffers"`` reuses memory); each keeps the results bitwise those of eager.
        ``passes=()`` calls every op's ``forward`` and ``backward`` methods as eagerly.
    simplify : bool
        Also run the ``"simplify"`` pass: elementwise derivative chains are rewritten as
        the algebra a person would write (the course's dZ = (A − Y) / m for a sigmoid
        output with cross-entropy), with fewer numpy calls.  The results then equal eager's
        up to rounding, not bitwise (docs/compile.md gives the bound).

    Returns
    -------
    CompiledStep
        Callable like ``fn``; ``.source`` is the program of the last call as Python text.

    Notes
    -----
    What runs on every call: all of the step's Python — reading a learning rate, flags,
    counters, ``print``, appending to a list, callbacks, random draws.  Python numbers that
    enter tensor operations (``lr * w.grad``) are inputs of the program, so a learning-rate
    schedule never captures again.  Reading a value inside the step (``.item()``,
    ``float(t)``, ``bool(t)``, ``.numpy()``) runs the program so far to give it (a sync
    point).  Assigning ``.data`` inside the step runs that call eagerly.  Results of the
    step keep no graph after the call: call ``backward()`` inside the step.  Anomaly mode
    runs the step eagerly.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> w = ag.tensor([[0.5, -0.5]], requires_grad=True, name="w")
    >>> lr = 0.5
    >>> @ag.compile
    ... def step(X, Y):
    ...     w.grad = None
    ...     A = ag.sigmoid(w @ X)
    ...     J = -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).mean()
    ...     J.backward()
    ...     with ag.no_grad():
    ...         w.__isub__(lr * w.grad)          # w -= ... (w is not local to step)
    ...     return J
    >>> X, Y = np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[1.0, 0.0]])
    >>> [round(step(X, Y).item(), 6) for _ in range(3)]   # J0 = −(log σ(.5) + log σ(−.5))/2
    [0.724077, 0.605525, 0.55253]
    >>> lr = 0.1                                # read on every call: no new capture
    >>> round(step(X, Y).item(), 6), step.captures, step.replays
    (0.526305, 1, 3)
    >>> "np.subtract(w, " in step.source       # the update, replayed as numpy
    True
    """
    if fn is None:
        return functools.partial(compile, cache_size=cache_size, passes=passes,
                                 simplify=simplify)
    return CompiledStep(fn, cache_size=cache_size, passes=passes, simplify=simplify)
