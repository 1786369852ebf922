"""The exact pass: what a program computes twice is computed once, bitwise eager.

``"exact"`` (:mod:`autograd_lite.exact`, in the default passes) reads an earlier value
instead of computing it again: the same call on the same values, ``1 - a`` for ``c2 - a``
where the dtypes make them one, ``−(−x)``, transposes that cancel, constants moved the same
way on every call.  Every result, gradient and updated parameter stays bitwise eager's,
alone and with the other passes, first and second order, float32 and float64.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.compile import ALL_PASSES, PASSES
from autograd_lite.exact import remove_repeats
from bench.compiled import _hvp_engine_step, _shallow_problem, hvp_numpy

from test_compile_passes import (NAMES, _assert_bitwise, _bits, _calls_unchanged_by_later_calls,
                                 _inputs, _program)

pytestmark = pytest.mark.filterwarnings("ignore::autograd_lite.errors.NumericalWarning")

EXACT_SETS = [("exact",), ("direct", "exact"), ("exact", "buffers"), PASSES]


def _run(ops, second_order, passes, inputs, dtype, cost):
    step, w = _program(ops, second_order, dtype=dtype, cost=cost)
    if passes is not None:
        step = ag.compile(step, passes=passes)
    seen = []
    with np.errstate(all="ignore"):
        for x in inputs:
            seen.extend(step(x.astype(dtype)))
    return seen + [w]


random_steps = given(ops=st.lists(st.sampled_from(NAMES), min_size=1, max_size=4),
                     second_order=st.booleans(), seed=st.integers(0, 2**16),
                     dtype=st.sampled_from([np.float64, np.float32]),
                     cost=st.sampled_from(["square", "cross-entropy"]))


def test_exact_is_a_default_pass_between_direct_and_buffers():
    assert PASSES == ("direct", "exact", "buffers")
    assert ALL_PASSES == ("direct", "simplify", "exact", "buffers")
    assert ag.compile(lambda: None, passes=("buffers", "exact")).passes == ("exact", "buffers")


@settings(max_examples=40, deadline=None)
@random_steps
def test_random_programs_are_bitwise_eager_with_exact_alone_and_with_the_others(
        ops, second_order, seed, dtype, cost):
    inputs = _inputs(seed)
    eager = _run(ops, second_order, None, inputs, dtype, cost)
    for passes in EXACT_SETS:
        _assert_bitwise(eager, _run(ops, second_order, passes, inputs, dtype, cost))


@settings(max_examples=25, deadline=None)
@random_steps
def test_with_simplify_exact_changes_no_bit(ops, second_order, seed, dtype, cost):
    """simplify is eager up to rounding; exact after it changes none of its bits."""
    inputs = _inputs(seed)
    simplified = _run(ops, second_order, ("direct", "simplify"), inputs, dtype, cost)
    for passes in [("direct", "simplify", "exact"), ALL_PASSES]:
        _assert_bitwise(simplified, _run(ops, second_order, passes, inputs, dtype, cost))


# --- the Hessian-vector product of the shallow network ----------------------------------------

def _hvp(passes):
    X, Y, p, v = _shallow_problem()
    params = {k: ag.tensor(a, requires_grad=True, name=k) for k, a in p.items()}
    step = _hvp_engine_step(params, {k: ag.tensor(a) for k, a in v.items()})
    if passes is not None:
        step = ag.compile(step, passes=passes)
    return step, [step(X, Y) for _ in range(3)]


def test_the_hessian_vector_product_does_its_repeated_work_once_and_stays_bitwise():
    _, eager = _hvp(None)
    for passes in [("direct", "exact"), PASSES]:
        step, compiled = _hvp(passes)
        for e, c in zip(eager, compiled):
            _assert_bitwise(e, c)
    X, Y, p, v = _shallow_problem()
    by_hand = hvp_numpy(X, Y, p, v)
    for k, t in zip(p, eager[-1]):
        assert np.abs(t.data - by_hand[k]).max() <= 1e-10 * np.abs(by_hand[k]).max()

    step, _ = _hvp(("direct", "exact"))
    source = step.source
    body = source[source.index("# forward"):]
    assert "(99 operations, 86 after exact)" in source.splitlines()[1]
    assert body.count("tanh * tanh") == 1            # tanh' and the derivative of tanh'
    assert "1 - sigmoid" not in body and "c2 - sigmoid" in body   # one 1 − a, float64
    assert "dtanh_3" not in body                     # dmul_11 * tanh, computed twice before
    assert "ddiv" not in body                        # −(−dadd) is dadd
    assert "transpose.T" not in body and "transpose_5.T" not in body   # xᵀᵀ is x
    assert ".backward(" not in body                  # Transpose's backward is inlined
    assert body.count("_fold_") == 4                 # the four sums' broadcast ones
    assert "broadcast_to" not in body and "_expand(" not in body   # read as what they broadcast
    plain, _ = _hvp(("direct",))
    assert plain.source.count("tanh * tanh") == 2


# --- the pass on lines: what it may reuse and what not ----------------------------------------

class _Slot:
    def __init__(self, shape, dtype=np.float64):
        self.shape, self.dtype = shape, np.dtype(dtype)


def _exact(lines, shapes, namespace=(), dtypes=()):
    """The pass on ``lines`` (their variables of ``shapes``, float64 but for ``dtypes``),
    and both programs run on the same random arrays: their results' bits must agree."""
    dtypes = dict(dtypes)
    slots = {k: _Slot(s, dtypes.get(k, np.float64)) for k, s in shapes.items()}
    ns = {"np": np, **dict(namespace)}
    out = remove_repeats(lines, slots.get, ns)
    results = []
    for program in (lines, out):
        rng = np.random.RandomState(0)
        env = dict(ns, v={})
        for name in sorted(slots):
            if not any(line.startswith(f"{name} =") for line in lines):
                env[name] = np.asarray(rng.randn(*slots[name].shape), slots[name].dtype)
        exec("\n".join(line for line in program if line), env)
        results.append({k: _bits(a) for k, a in env["v"].items()})
    assert results[0] == results[1]
    return [line.split("  #")[0].strip() for line in out]


def test_the_same_call_on_the_same_values_is_computed_once():
    out = _exact(["a = x * y", "b = x * y", "c = np.tanh(a) + np.tanh(b)", "v[0] = c"],
                 {"x": (3,), "y": (3,), "a": (3,), "b": (3,), "c": (3,)})
    assert out == ["a = x * y", "c = np.tanh(a) + np.tanh(a)", "v[0] = c"]


def test_operands_are_never_commuted():
    out = _exact(["a = x * y", "b = y * x", "v[0] = a + b"],
                 {"x": (3,), "y": (3,), "a": (3,), "b": (3,)})
    assert "b = y * x" in out                       # a NaN's payload comes from x or y


def test_a_value_written_in_between_is_computed_again():
    shapes = {"x": (3,), "y": (3,), "a": (3,), "b": (3,), "c": (3,), "t": (3,)}
    lines = ["a = x * y", "np.subtract(x, y, out=x, casting='same_kind')", "b = x * y",
             "c = a - b", "v[0] = c"]
    assert _exact(lines, shapes) == lines
    # a write into a view of an operand: the operand changed too
    lines = ["a = x * y", "t = x.T", "t += y", "b = x * y", "c = a - b", "v[0] = c"]
    assert _exact(lines, shapes) == lines
    # and a write into the earlier value while the later one is still read
    lines = ["a = x * y", "b = x * y", "a += y", "c = a - b", "v[0] = c"]
    assert _exact(lines, shapes) == lines


def test_an_unknown_call_writes_what_it_was_handed_and_nothing_else():
    class Op:
        def backward(self, g):
            g *= 2.0                                # it may: it was handed g
            return g
    lines = ["g = x * y", "h = np.exp(z)", "k = op_1.backward(g)", "g2 = x * y",
             "h2 = np.exp(z)", "v[0] = g2 + h2 + k + h"]
    out = _exact(lines, {n: (3,) for n in ("x", "y", "z", "g", "h", "k", "g2", "h2")},
                 {"op_1": Op()})
    assert "g2 = x * y" in out                       # g was handed to the method
    assert "h2 = np.exp(z)" in out                   # z is an input: the method might
    #                                                  reach it (all inputs are one group)


def test_a_value_handed_out_stays_its_own_array():
    lines = ["a = x * y", "b = x * y", "v[0] = a", "v[1] = b"]
    assert _exact(lines, {"x": (3,), "y": (3,), "a": (3,), "b": (3,)}) == lines


def test_a_python_number_is_a_constant_of_the_same_float_dtype():
    c2 = np.array(1.0)
    out = _exact(["a = c2 - s", "b = x * (1 - s)", "v[0] = a", "v[1] = b"],
                 {"s": (3,), "x": (3,), "a": (3,), "b": (3,)}, {"c2": c2})
    assert out[1] == "b = x * a"
    # float32: c2 - s is float64, 1 - s float32: two values
    lines = ["a = c2 - s", "b = x * (1 - s)", "v[0] = a", "v[1] = b"]
    shapes = {"s": (3,), "x": (3,), "a": (3,), "b": (3,)}
    f32 = {n: np.float32 for n in ("s", "x", "b")}
    assert _exact(lines, shapes, {"c2": c2}, f32) == lines
    # a number not exact in the dtype (taken as no constant), a constant of another value
    lines = ["a = c2 - s", "b = x * (0.1 - s)", "v[0] = a", "v[1] = b"]
    assert _exact(lines, shapes, {"c2": np.array(0.1, np.float32)},
                  dict(f32, a=np.float32)) == lines
    lines = ["a = c3 - s", "b = x * (1 - s)", "v[0] = a", "v[1] = b"]
    assert _exact(lines, {"s": (3,), "x": (3,), "a": (3,), "b": (3,)},
                  {"c3": np.array(2.0)}) == lines


def test_double_negation_and_transposes_that_cancel_read_the_value_itself():
    shapes = {"d": (2, 3), "w": (2, 3), "n": (2, 3), "m": (2, 3), "x": (3, 4), "t": (4, 3),
              "a": (2, 3), "p": (2, 4), "b": (3, 3)}
    out = _exact(["d = np.dot(a, b)", "n = -d", "m = -n * w", "t = x.transpose((1, 0))",
                  "p = np.dot(a, t.T)", "v[0] = m", "v[1] = p", "v[2] = t"], shapes)
    assert out == ["d = np.dot(a, b)", "m = d * w", "t = x.transpose((1, 0))",
                   "p = np.dot(a, x)", "v[0] = m", "v[1] = p", "v[2] = t"]
    # an input may be in any layout (a transposed view): −(−x) is then in compact order, x
    # not, and a sum of either adds in its own memory order
    lines = ["n = -d", "m = -n * w", "v[0] = m"]
    assert _exact(lines, shapes) == lines
    # a 0-d value: −(−s) would be a numpy scalar, s is an array: kept
    lines = ["n = -s", "m = -n", "v[0] = m"]
    assert _exact(lines, {"s": (), "n": (), "m": ()}) == lines


def test_a_reuse_inside_a_view_is_an_alias_and_is_refused_if_written():
    shapes = {"x": (2, 3), "y": (2, 3), "m": (2, 3), "t": (3, 2), "z": (3, 2)}
    lines = ["m = x * y", "t = (x * y).T", "t += z", "v[0] = m", "v[1] = t"]
    assert _exact(lines, shapes) == lines            # t would be a view of m
    out = _exact(["m = x * y", "t = (x * y).T", "u = t + z", "v[0] = m", "v[1] = u"],
                 dict(shapes, u=(3, 2)))
    assert out[1] == "t = m.T"


def test_constants_moved_the_same_way_every_call_are_computed_once():
    from autograd_lite.ops.movement import expand
    ns = {"c2": np.array(1.0), "_expand": expand}
    shapes = {"x": (1, 4), "d": (1, 4), "g": (1, 4)}
    out = _exact(["d = _expand(c2.reshape((1, 1)), (1, 4))", "g = d * x", "v[0] = g"],
                 shapes, ns)
    assert out[0] == "d = _fold_d"
    namespace = {"np": np, **ns}
    remove_repeats(["d = _expand(c2.reshape((1, 1)), (1, 4))", "v[0] = d * x"],
                   {k: _Slot(s) for k, s in shapes.items()}.get, namespace)
    folded = namespace["_fold_d"]
    assert not folded.flags.writeable and _bits(folded) == _bits(np.ones((1, 4)))
    # handed out, or written later: a new array every call, as before
    for lines in (["d = _expand(c2.reshape((1, 1)), (1, 4))", "v[0] = d"],
                  ["d = _expand(c2.reshape((1, 1)), (1, 4))", "d += x", "v[0] = d * x"]):
        assert _exact(lines, shapes, ns) == lines


def test_an_operand_that_only_broadcasts_a_value_is_read_as_that_value():
    from autograd_lite.ops.movement import expand
    ns = {"_expand": expand}
    shapes = {"d": (1, 1), "y": (1, 4), "e": (1, 4), "g": (1, 4), "z": (2, 4), "f": (2, 4)}
    out = _exact(["e = _expand(d, (1, 4))", "b = np.broadcast_to(d, (1, 4))", "g = e * y",
                  "h = y - b", "v[0] = g", "v[1] = h"], dict(shapes, b=(1, 4), h=(1, 4)), ns)
    assert out == ["g = d * y", "h = y - d", "v[0] = g", "v[1] = h"]
    # the other operand does not make the broadcast shape, or not +−*/: as it was
    for lines in (["e = _expand(d, (2, 4))", "f = e * y", "v[0] = f"],
                  ["e = _expand(d, (1, 4))", "g = np.power(e, y)", "v[0] = g"]):
        assert _exact(lines, dict(shapes, e=(2, 4) if "(2, 4)" in lines[0] else (1, 4)),
                      ns) == lines


def test_a_note_of_an_op_is_read_as_its_value_until_a_method_may_change_it():
    class Op:
        def forward(self, x):
            self.kept = (4, 1)
            return x
    op = Op()
    shapes = {"x": (4,), "a": (4, 1), "b": (4, 1), "y": (4,)}
    out = _exact(["op_1.kept = (4, 1)", "a = x.reshape(op_1.kept)", "y = op_1.forward(x)",
                  "b = x.reshape(op_1.kept)", "v[0] = a + b"], shapes, {"op_1": op})
    assert out[1] == "a = x.reshape((4, 1))" and out[3] == "b = x.reshape(op_1.kept)"


@pytest.mark.parametrize("passes", [("direct", "buffers"), PASSES])
def test_a_transposed_value_keeps_its_layout_as_eagerly(passes):
    """A ufunc gives its result its operands' order: (wᵀ·x)ᵀ · 3 is in F order eagerly, and a
    sum adds in memory order, so a buffer (C order) would change the sum's last bits; the
    −(−a) and the broadcast of exact keep the layout too."""
    rng = np.random.RandomState(0)
    w = ag.tensor(rng.randn(6, 6), requires_grad=True, name="w")
    b = ag.tensor(rng.randn(6, 1))

    def step(x):
        a = (w.T @ x).T                              # F order
        c = (a * 3.0 + 1.0) + -(-a) + b * ag.tensor(np.ones((1, 6)))
        return c.sum(), (a * 3.0 + 1.0).sum()
    compiled = ag.compile(step, passes=passes)
    for _ in range(6):
        x = ag.tensor(rng.randn(6, 6) * 100)
        _assert_bitwise(step(x), compiled(x))


# --- buffers see the values the pass reuses -----------------------------------------------

_MIX = ag.tensor(np.linspace(-1.0, 1.0, 16).reshape(4, 4))
_OPS = [lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b * 0.5,
        lambda a, b: -(-a), lambda a, b: ag.tanh(a) * (1 - b),
        lambda a, b: -(_MIX @ a.T).T * 0.5,               # in F order, as a transpose is
        lambda a, b: a / (b * b + 1.0)]


@settings(max_examples=60, deadline=None)
@given(plan=st.lists(st.tuples(st.integers(0, 4), st.integers(0, len(_OPS) - 1),
                               st.integers(0, 99), st.integers(0, 99)),
                     min_size=2, max_size=12),
       keep=st.lists(st.integers(0, 99), max_size=3), seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_reused_values_are_never_overwritten_by_buffers(plan, keep, seed, dtype):
    """Random steps that compute the same values again and again (so that the exact pass
    reuses them far from where they were made), update a state tensor in place between
    equal-looking expressions, read values mid-step (sync points) and keep some: compiled
    with the default passes, every result equals eager's bitwise, and what one call
    returned or kept is unchanged by later calls."""
    def run(passes):
        rng = np.random.RandomState(seed)
        w = ag.tensor(rng.randn(3, 4).astype(dtype), requires_grad=True, name="w")
        state = ag.tensor(np.ones((3, 4), dtype))
        held, read = [], []

        def step(x):
            w.grad = None
            pool = [w * x, x + w, x * state]
            for kind, op, i, j in plan:
                a, b = pool[i % len(pool)], pool[j % len(pool)]
                if kind in (0, 1):
                    pool.append(_OPS[op](a, b))
                    pool.append(_OPS[op](a, b))          # the same work again
                elif kind == 2:
                    with ag.no_grad():
                        state.__iadd__(a * 0.25)         # then x * state is another value
                    pool.append(x * state)
                elif kind == 3:
                    read.append(np.asarray(a.sum().item(), dtype).tobytes())   # sync point
                else:
                    held.append(b)
            g, = ag.grad((pool[-1] * pool[-2] * w * w).sum(), [w], create_graph=True)
            (g * pool[-1]).sum().backward()
            with ag.no_grad():
                w.__isub__(0.01 * w.grad)
            return [pool[k % len(pool)] for k in keep] + [w.grad, g]
        if passes is not None:
            step = ag.compile(step, passes=passes)
        return _calls_unchanged_by_later_calls(step, rng, held, 1, dtype) \
            + [_bits(w), _bits(state)] + read
    eager = run(None)
    assert run(PASSES) == eager
    assert run(("direct", "exact")) == eager


def test_a_program_with_nothing_to_reuse_is_left_as_it_is():
    lines = ["", "# forward", "a = x * y   # mul", "b = [t for t in a]", "c = x * b",
             "v[0] = c"]
    assert remove_repeats(lines, lambda name: None, {"np": np}) == lines


@pytest.mark.parametrize("passes", [("direct",), ("direct", "exact")])
def test_transpose_backward_is_inlined_when_its_axes_decide_its_branch(passes):
    w = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, name="w")

    def step(x):
        w.grad = None
        (w.T * x).sum().backward()
        return w.grad
    compiled = ag.compile(step, passes=passes)
    x = ag.tensor(np.linspace(0, 1, 6).reshape(3, 2))
    for _ in range(3):
        _assert_bitwise([step(x)], [compiled(x)])
    assert ".backward(" not in compiled.source and ".transpose((1, 0))" in compiled.source
