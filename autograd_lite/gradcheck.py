"""Gradient checking: compare the engine's derivatives with central differences.

Three tools, for users as much as for our own tests:

* :func:`numerical_grad` — central differences in float64.
* :func:`gradcheck` / :func:`gradgradcheck` — a per-input report (max absolute and relative
  error), raising :class:`GradcheckError` with that report on failure.  A finite-difference
  step that crosses a kink (relu or abs at 0, a max tie) is reported as a warning, not a failure.
* :func:`course_gradient_check` — the course's check, ``‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂)`` with
  ε = 1e-7 and threshold 2e-7, naming the parameter, the element and the operation at fault
  (in :mod:`autograd_lite.course_check`, which also tells a mistake from an unreliable
  numerical side).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .engine import grad as _grad
from .engine import topological_order
from .errors import AutogradError
from .function import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(AutogradError, AssertionError):
    """Analytic and numerical gradients disagree; the message is the full report."""


def _float64_leaves(inputs):
    return [Tensor(np.array(x._data if isinstance(x, Tensor) else x, dtype=np.float64),
                   requires_grad=True, name=getattr(x, "name", None)) for x in inputs]


def _returned(out, who, what="f", arrays=False):
    """``out`` if ``f`` returned a Tensor (or, when ``arrays``, numbers); else a TypeError
    naming what it returned."""
    if isinstance(out, Tensor):
        return out
    if arrays and (isinstance(out, (int, float, np.number)) or (
            isinstance(out, np.ndarray) and out.dtype.kind in "biuf")):
        return out
    shown = repr(out)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    raise TypeError(
        f"{who}: {what} must return a Tensor built with autograd_lite operations"
        f"{' (or an array of numbers)' if arrays else ''}; it returned {type(out).__name__} "
        f"{shown}")


def _scalarize(out, v):
    """L = Σ out · v, the scalar whose gradient is the vector-Jacobian product vᵀJ."""
    return out.sum() if v is None else (out * v).sum()


def numerical_grad(f, inputs, eps=1e-6, grad_output=None):
    """Central-difference gradient of ``Σ f(*inputs) · grad_output`` for each input (float64).

    ``grad_output`` defaults to ones (so a scalar ``f`` gives its plain gradient).  Returns a
    list of float64 arrays, one per input.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> g, = numerical_grad(lambda x: (x ** 3).sum(), [np.array([1.0, 2.0])])
    >>> g.round(6)
    array([ 3., 12.])
    """
    # C order: the flat views below must write through to the arrays f sees
    xs = [np.array(x._data if isinstance(x, Tensor) else x, dtype=np.float64, order="C")
          for x in inputs]
    v = None if grad_output is None else np.asarray(grad_output, dtype=np.float64)

    def value():
        with no_grad():
            out = _returned(f(*[Tensor._make(x) for x in xs]), "numerical_grad", arrays=True)
        out = out._data if isinstance(out, Tensor) else np.asarray(out)
        return float(np.sum(out if v is None else out * v))

    grads = []
    for x in xs:
        g = np.zeros_like(x)
        flat, gflat = x.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + eps
            plus = value()
            flat[i] = keep - eps
            minus = value()
            flat[i] = keep
            gflat[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def _one_sided(f, xs, v, k, index, eps):
    """Forward and backward differences of L at one element: they differ across a kink."""
    x = xs[k]._data
    keep = x[index]

    def value():
        with no_grad():
            return float(_scalarize(f(*xs), v)._data)

    centre = value()
    x[index] = keep + eps
    plus = value()
    x[index] = keep - eps
    minus = value()
    x[index] = keep
    return (plus - centre) / eps, (centre - minus) / eps


@dataclass
class InputReport:
    """How one input's gradient compared: errors, the worst element, and the verdict."""
    name: str
    shape: tuple
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple
    analytic: float
    numerical: float
    status: str                      # "ok", "FAIL" or "kink" (a warning)
    kinks: list = field(default_factory=list)

    def line(self):
        text = (f"{self.name:<14} {str(self.shape):<14} abs {self.max_abs_error:9.2e}  "
                f"rel {self.max_rel_error:9.2e}  {self.status}")
        if self.status != "ok":
            text += (f"  worst at {self.worst_index}: analytic {self.analytic:.6g}, "
                     f"numerical {self.numerical:.6g}")
        if self.kinks:
            text += f"  ({len(self.kinks)} element(s) at a kink)"
        return text


@dataclass
class GradcheckReport:
    """The result of :func:`gradcheck`: one :class:`InputReport` per input."""
    inputs: list
    bad_ops: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.status != "FAIL" for r in self.inputs)

    @property
    def warnings(self) -> list:
        return [r for r in self.inputs if r.status == "kink"]

    def __str__(self):
        lines = ["gradcheck: " + ("passed" if self.passed else "FAILED")]
        lines += ["  " + r.line() for r in self.inputs]
        for r in self.warnings:
            lines.append(f"  warning: {r.name}: a finite-difference step crossed a kink at "
                         f"{r.kinks[:3]}; the derivative there is one-sided, not an error")
        for op in self.bad_ops:
            lines.append(f"  the derivative of '{op}' disagrees with its numerical derivative")
        return "\n".join(lines)


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, grad_output=None, seed=0,
              raise_exception=True) -> GradcheckReport:
    """Check the engine's gradient of ``f`` against central differences, input by input.

    ``f`` takes Tensors and returns a Tensor; a non-scalar output is checked through the
    vector-Jacobian product with a random ``grad_output`` (seeded).  Inputs are copied to
    float64.  Raises :class:`GradcheckError` with the report when an input fails (unless
    ``raise_exception=False``); differences caused by a kink are warnings.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> report = ag.gradcheck(lambda x, y: ag.sigmoid(x @ y), [np.ones((2, 3)), np.ones((3, 1))])
    >>> report.passed
    True
    """
    report = _check(f, inputs, eps, atol, rtol, grad_output, seed, who="gradcheck")
    if not report.passed:
        xs = _float64_leaves(inputs)
        report.bad_ops = find_bad_ops(f(*xs), eps=eps, atol=atol, rtol=rtol)
        if raise_exception:
            raise GradcheckError(str(report))
    return report


def _check(f, inputs, eps, atol, rtol, grad_output=None, seed=0,
           who="gradcheck") -> GradcheckReport:
    """The comparison behind :func:`gradcheck`, without looking for the op at fault."""
    xs = _float64_leaves(inputs)
    with no_grad():
        out = _returned(f(*[x.detach() for x in xs]), who)
    v = None
    if grad_output is not None:
        v = np.asarray(grad_output, dtype=np.float64)
    elif out.size != 1:
        v = np.random.default_rng(seed).standard_normal(out.shape)
    loss = _scalarize(f(*xs), v)
    # an output that does not depend on the inputs (e.g. the derivative of a linear f)
    # has a zero gradient: nothing to back-propagate
    analytic = _grad(loss, xs, allow_unused=True) if loss.requires_grad else [None] * len(xs)
    numerical = numerical_grad(f, xs, eps, grad_output=v)
    reports = []
    for k, (x, a, n) in enumerate(zip(xs, analytic, numerical)):
        a = np.zeros_like(n) if a is None else a._data
        reports.append(_compare(f, xs, v, k, x, a, n, eps, atol, rtol))
    return GradcheckReport(reports)


def _compare(f, xs, v, k, x, a, n, eps, atol, rtol):
    name = x.name or f"input {k}"
    err = np.abs(a - n)
    bad = np.asarray(err > atol + rtol * np.abs(n))      # an array also for a 0-d input
    kinks = []
    for index in [i for i in np.ndindex(bad.shape) if bad[i]]:
        forward, backward = _one_sided(f, xs, v, k, index, eps)
        tol = atol + rtol * max(abs(forward), abs(backward))
        if abs(forward - backward) > tol:       # slopes differ on the two sides: a kink
            kinks.append(index)
            bad[index] = False
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
    worst = tuple(int(i) for i in worst)
    rel = err / np.maximum(np.abs(n), 1e-12)
    status = "FAIL" if bad.any() else ("kink" if kinks else "ok")
    return InputReport(name, x.shape, float(err.max(initial=0.0)), float(rel.max(initial=0.0)),
                       worst, float(a[worst]) if err.size else 0.0,
                       float(n[worst]) if err.size else 0.0, status, kinks)


def find_bad_ops(out, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Names of the operations in ``out``'s graph whose own derivative fails a numerical check.

    Each recorded operation is checked on its own, at the inputs it actually received, with
    a step no larger than a thousandth of its smallest non-zero input (``log`` at 1 − a =
    2e-8 is checked with a step that stays inside its domain).  An operation whose
    numerical derivative is not finite there cannot be checked and is not named.
    """
    bad = []
    for t in topological_order([out]):
        fn = t._fn
        if fn is None:
            continue
        op_inputs = [Tensor(x._data.astype(np.float64), requires_grad=x._requires_grad)
                     for x in fn.inputs]
        wants = [i for i, x in enumerate(op_inputs) if x._requires_grad]
        step = _step_within(eps, [op_inputs[i]._data for i in wants])

        def op(*vals, fn=fn, op_inputs=op_inputs, wants=wants):
            args = list(op_inputs)
            for i, val in zip(wants, vals):
                args[i] = val
            return type(fn).apply(*args, **fn.params)

        with np.errstate(all="ignore"):
            report = _check(op, [op_inputs[i] for i in wants], step, atol, rtol)
        checkable = all(np.isfinite(r.numerical) and np.isfinite(r.max_abs_error)
                        for r in report.inputs)
        if checkable and not report.passed and fn.name not in bad:
            bad.append(fn.name)
    return bad


def _step_within(eps, arrays):
    """``eps``, or a thousandth of the smallest non-zero |input| when that is smaller."""
    sizes = [np.abs(x[x != 0]).min() for x in arrays if np.any(x != 0)]
    return min([eps] + [1e-3 * float(s) for s in sizes])


def gradgradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0,
                  raise_exception=True) -> GradcheckReport:
    """Check second derivatives: the gradient of ``f`` (built with ``create_graph=True``) is
    itself checked with :func:`gradcheck`.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> ag.gradgradcheck(lambda x: ag.tanh(x), [np.array([0.3, -1.2])]).passed
    True
    """
    from .ops.movement import concatenate, reshape

    probe = _returned(f(*_float64_leaves(inputs)), "gradgradcheck")
    v = None if probe.size == 1 else np.random.default_rng(seed + 1).standard_normal(probe.shape)

    def first_derivative(*xs):
        # numerical_grad calls this under no_grad with plain tensors: make them differentiable
        xs = [x if x.requires_grad else x.detach().requires_grad_() for x in xs]
        with enable_grad():
            loss = _scalarize(f(*xs), v)
            # an f that does not depend on its inputs: zero first derivatives (as in _check)
            grads = (_grad(loss, xs, create_graph=True, allow_unused=True)
                     if loss.requires_grad else [None] * len(xs))
            return concatenate([reshape(g if g is not None else x * 0, -1)
                                for g, x in zip(grads, xs)])

    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol, seed=seed,
                     raise_exception=raise_exception)


# the course's check lives in its own module; imported here for ag.gradcheck.* users
from .course_check import CourseCheck, course_gradient_check  # noqa: E402
