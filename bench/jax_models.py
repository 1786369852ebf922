"""The JAX side of the shallow and overhead workloads: one ``jax.jit`` of the whole step.

A baseline only where JAX imports (never a dependency: ``pip install jax`` into the venv to
see its rows).  float64 (``jax_enable_x64``), CPU, the course's layout (X is (n_x, m)); the
gradients come from ``jax.value_and_grad`` and the update is part of the jitted step, so a
step is one call into XLA.  Compiling happens once, in ``prepare`` (untimed); the jitted
functions are kept per shape, so later repeats reuse them.  Import this module only after
checking that jax is importable.
"""
from __future__ import annotations

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402

_JITTED = {}


def _jitted(key, make):
    """One jitted function per workload and shape: compiled on first use only."""
    if key not in _JITTED:
        _JITTED[key] = make()
    return _JITTED[key]


def _shallow_cost(params, X, Y):
    W1, b1, W2, b2 = params
    A1 = jnp.tanh(W1 @ X + b1)
    A2 = jax.nn.sigmoid(W2 @ A1 + b2)
    m = X.shape[1]
    return -(Y * jnp.log(A2) + (1 - Y) * jnp.log(1 - A2)).sum() / m


def _make_shallow_step(learning_rate):
    def step(params, X, Y):
        cost, grads = jax.value_and_grad(_shallow_cost)(params, X, Y)
        return tuple(p - learning_rate * g for p, g in zip(params, grads)), cost
    return jax.jit(step)


def prepare_shallow(X, Y, parameters, learning_rate, iterations):
    """The 2-layer network (tanh, sigmoid), gradient descent; one jitted call per step."""
    X, Y = jnp.asarray(X, jnp.float64), jnp.asarray(np.asarray(Y), jnp.float64)
    init = tuple(jnp.asarray(parameters[k], jnp.float64) for k in ("W1", "b1", "W2", "b2"))
    step = _jitted(("shallow", learning_rate, X.shape),
                   lambda: _make_shallow_step(learning_rate))
    jax.block_until_ready(step(init, X, Y))          # compiled here, not in the timed run

    def run():
        params, costs = init, []
        for i in range(iterations):
            params, cost = step(params, X, Y)
            costs.append(float(cost))                # the value, as every other baseline
        return {"costs": costs, "final_cost": costs[-1]}
    return run


def _make_chain(n_blocks):
    def total(x, a, b):
        y = jax.lax.fori_loop(0, n_blocks, lambda i, y: jnp.tanh(y * a + b), x)
        return y.sum()
    return jax.jit(jax.value_and_grad(total))


def prepare_chain(x, a, b, n_blocks):
    """Forward and backward of y = tanh(y·a + b), ``n_blocks`` times, as one jitted call
    (the loop is ``lax.fori_loop``, so compiling does not unroll it)."""
    x, a, b = (jnp.asarray(v, jnp.float64) for v in (x, a, b))
    chain = _jitted(("chain", n_blocks, x.shape), lambda: _make_chain(n_blocks))
    jax.block_until_ready(chain(x, a, b))

    def run():
        total, grad = chain(x, a, b)
        return {"final_cost": float(total), "grad": np.asarray(grad)}
    return run


def info():
    """Version and devices, for the report."""
    return {"version": jax.__version__, "devices": [str(d) for d in jax.devices()]}
