"""The course's gradient check, ``‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂)``, with a numerical side that
knows when it cannot be trusted.

Central differences lose digits where the cost is evaluated badly — a trained model that
is confidently right on an example (1 − a = 2e-8: log(1 − a) keeps 8 digits) or gradients
so small that rounding noise is a sizeable part of them.  A difference above the threshold
at the course's ε = 1e-7 is therefore looked at again before it is called a mistake:

1. central differences D at the steps ε, 10ε, …, 10⁵ε (and 2h, 4h each) give Richardson
   estimates ``R(h) = D(h) + (D(h) − D(2h)) / 3`` with an honest error bar each: the
   truncation error ``|R(h) − R(2h)|`` plus the rounding noise the mismatch at ε implies
   at h (rounding noise shrinks as 1/h; a wrong derivative does not);
2. the difference is measured again against that estimate:

   * below the threshold at a step whose error bar is below it too: the backward pass is
     right, the step ε was not (``passed``);
   * above it, but within the error bar: the numerical side cannot decide
     (``verdict == "inconclusive"``), and the report says so instead of blaming backprop;
   * above it and outside the error bar: a mistake, naming the parameter, the element and
     the operation whose own derivative disagrees.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .engine import grad as _grad
from .function import no_grad

STEP_FACTORS = (1, 10, 100, 1000, 10000, 100000)   # steps h = ε·factor tried when ε fails
NOISE_MARGIN = 3.0                           # a discrepancy within 3 error bars is noise


@dataclass
class CourseCheck:
    """Result of :func:`course_gradient_check`.

    ``difference`` is measured at ``step`` (ε itself unless ε lost digits); ``uncertainty``
    is the error bar of the numerical gradient on the same scale as ``difference`` (0 when
    the check passed at ε and nothing more was computed); ``verdict`` is ``"passed"``,
    ``"mistake"`` or ``"inconclusive"``.
    """
    difference: float
    threshold: float
    worst_parameter: str
    worst_index: tuple
    analytic: float
    numerical: float
    bad_ops: list
    epsilon: float = 1e-7
    step: float = 1e-7
    difference_at_epsilon: float = 0.0
    uncertainty: float = 0.0
    verdict: str = "passed"
    notes: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"

    def __str__(self):
        worst = (f"  worst element: {self.worst_parameter}{list(self.worst_index)}: "
                 f"analytic {self.analytic:.8g}, numerical {self.numerical:.8g}")
        if self.verdict == "passed":
            text = (f"Your backward propagation works perfectly fine! "
                    f"difference = {self.difference:.3e}")
            if self.step != self.epsilon:
                text += (f"\n  (at epsilon {self.epsilon:g} the central differences lost "
                         f"digits, difference {self.difference_at_epsilon:.3e}; this is the "
                         f"difference at step {self.step:g} with Richardson extrapolation, "
                         f"good to {self.uncertainty:.1e})")
        elif self.verdict == "inconclusive":
            if self.difference > self.threshold:
                measured = f"difference = {self.difference:.3e} > {self.threshold:g}, but"
            else:           # small enough, but not measured well enough to say so
                measured = (f"difference = {self.difference:.3e} at step {self.step:g}, below "
                            f"{self.threshold:g}, but")
            text = (f"The check cannot tell: the numerical gradient is unreliable here, not "
                    f"necessarily the backward propagation. {measured} the numerical "
                    f"estimates at steps {self.step:g} and {2 * self.step:g} themselves "
                    f"disagree by {self.uncertainty:.3e} on the same scale\n{worst}\n  the cost loses "
                    "digits under small changes of the parameters (a saturated output, or "
                    "gradients near rounding noise): check on other examples")
        else:
            text = (f"There is a mistake in the backward propagation! difference = "
                    f"{self.difference:.3e} > {self.threshold:g}\n{worst}")
            if self.step != self.epsilon:
                text += (f"\n  (measured at step {self.step:g}, where the numerical gradient "
                         f"is good to {self.uncertainty:.1e}: the mismatch is not rounding)")
        for op in self.bad_ops:
            text += f"\n  the derivative of '{op}' disagrees with its numerical derivative"
        return text


def course_gradient_check(loss_fn, parameters, epsilon=1e-7, threshold=2e-7,
                          raise_exception=False) -> CourseCheck:
    """The course's gradient check over all parameters at once.

    ``loss_fn()`` recomputes the scalar cost from ``parameters`` (a dict name -> Tensor, e.g.
    ``dict(model.named_parameters())``).  Each element is nudged by ±ε in turn;
    ``difference = ‖grad − gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂)`` is flagged above
    ``threshold`` — but only after the numerical side has been found reliable (see the
    module's notes: wider steps and Richardson extrapolation, and an "inconclusive" verdict
    when no step gives trustworthy differences).  Parameters are restored exactly afterwards.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor([[0.5, -1.0]], requires_grad=True)
    >>> x = ag.tensor([[1.0], [2.0]])
    >>> check = course_gradient_check(lambda: ag.sigmoid(w @ x).sum(), {"w": w})
    >>> check.passed, check.verdict
    (True, 'passed')
    """
    from .gradcheck import GradcheckError, _returned, find_bad_ops

    params = dict(parameters)
    loss = _returned(loss_fn(), "course_gradient_check", "loss_fn")
    grads = _grad(loss, list(params.values()), allow_unused=True)
    a = np.concatenate([np.zeros(p.size) if g is None else
                        g._data.reshape(-1).astype(np.float64)
                        for p, g in zip(params.values(), grads)] or [np.zeros(0)])
    where = [(name, np.unravel_index(i, p.shape)) for name, p in params.items()
             for i in range(p.size)]
    n = central_differences(loss_fn, params, epsilon)
    first = _difference(a, n)
    step, uncertainty, verdict, difference = epsilon, 0.0, "passed", first
    if first > threshold:
        step, n, uncertainty, verdict = _second_look(loss_fn, params, a, n, epsilon,
                                                     threshold)
        difference = _difference(a, n)
    worst = int(np.argmax(np.abs(a - n))) if a.size else 0
    name, index = where[worst] if where else ("", ())
    result = CourseCheck(difference, threshold, name, tuple(int(i) for i in index),
                         float(a[worst]) if a.size else 0.0,
                         float(n[worst]) if a.size else 0.0, [], epsilon=epsilon, step=step,
                         difference_at_epsilon=first, uncertainty=uncertainty,
                         verdict=verdict)
    if verdict == "mistake":
        result.bad_ops = find_bad_ops(loss_fn())
        if raise_exception:
            raise GradcheckError(str(result))
    return result


def central_differences(loss_fn, params, step):
    """``(J(θ + h) − J(θ − h)) / 2h`` for every element of every parameter, as one vector.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> central_differences(lambda: (w ** 2).sum(), {"w": w}, 1e-6).round(6)
    array([2., 4.])
    """
    out = []
    for p in params.values():
        data = p._data
        # index the array itself (not a reshape, which copies a non-C-ordered array)
        for index in np.ndindex(data.shape):
            keep = data[index]
            with no_grad(), np.errstate(all="ignore"):     # a step may leave log's domain
                data[index] = keep + step
                plus = float(loss_fn()._data)
                data[index] = keep - step
                minus = float(loss_fn()._data)
            data[index] = keep
            out.append((plus - minus) / (2 * step))
    return np.array(out, dtype=np.float64)


def _second_look(loss_fn, params, a, at_epsilon, epsilon, threshold):
    """``(step, numerical gradient, error bar, verdict)`` once ε has failed.

    At each step h, ``R(h) = D(h) + (D(h) − D(2h)) / 3`` cancels the h² error of central
    differences, and ``|R(h) − R(2h)|`` (from D(4h) too) is its truncation error bar.
    Rounding noise grows as 1/h, so the mismatch seen at ε could contribute at most
    ``mismatch(ε)·ε/h`` at h; that is added to the bar.  A wrong backward pass gives the
    same mismatch at every step: it is called a mistake only when it is well outside the
    bar at every step and two neighbouring steps agree with each other.  A step at which some
    element's J(θ + h) and J(θ − h) are exactly equal (all digits lost) is not used.
    """
    scale = lambda x: _scaled(x, a, at_epsilon)             # noqa: E731
    rounding = float(np.linalg.norm(a - at_epsilon)) * epsilon
    looks = []
    for factor in STEP_FACTORS:
        h = epsilon * factor
        d = [at_epsilon if factor == 1 else central_differences(loss_fn, params, h),
             central_differences(loss_fn, params, 2 * h),
             central_differences(loss_fn, params, 4 * h)]
        if not all(np.all(np.isfinite(x)) for x in d):
            continue                                   # a step left the cost's domain
        if any(np.any((x == 0) & (a != 0)) for x in d):
            continue                 # J(θ + h) == J(θ − h) exactly: no digits left at all
        r1, r2 = d[0] + (d[0] - d[1]) / 3, d[1] + (d[1] - d[2]) / 3
        looks.append((h, r1, float(np.linalg.norm(r1 - r2)) + rounding / h))
    if not looks:
        return epsilon, at_epsilon, np.inf, "inconclusive"
    fine = [look for look in looks if _difference(a, look[1]) <= threshold
            and scale(look[2]) <= threshold]
    if fine:
        h, r, bar = min(fine, key=lambda look: _difference(a, look[1]))
        return h, r, scale(bar), "passed"
    # a mistake: `a` is outside the bar at every step, and two neighbouring steps agree
    # with each other (a term lost to rounding at small steps is found again at large ones)
    # (not counting ε itself, whose bar holds all of its mismatch by construction)
    outside = all(np.linalg.norm(a - r) > NOISE_MARGIN * bar for h, r, bar in looks
                  if h != epsilon)
    for (h, r, bar), (_, r2, bar2) in zip(looks, looks[1:]):
        if outside and np.linalg.norm(r - r2) <= NOISE_MARGIN * (bar + bar2):
            return h, r, scale(bar), "mistake"
    h, r, bar = min(looks, key=lambda look: look[2])
    return h, r, scale(bar), "inconclusive"


def _difference(a, n):
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-300))


def _scaled(noise, a, n):
    """An error bar on the scale of the course's difference."""
    return float(noise / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-300))
