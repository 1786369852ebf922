"""The program passes of compiled steps, each alone and together, against eager: bitwise.

``ag.compile(step, passes=())`` calls every op's own ``forward``/``backward`` method; each
pass (``autograd_lite.compile.PASSES``) rewrites that program and must not change a bit of
any result, gradient or updated parameter.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import inlining
from autograd_lite.compile import PASSES
from autograd_lite.function import Function
import nn
from bench.memory import call_peak


def _bits(x):
    """What must be equal: dtype, shape and every byte (so -0.0 and 0.0 differ)."""
    if isinstance(x, ag.Tensor):
        x = x.data
    x = np.asarray(x)
    return x.dtype.str, x.shape, x.tobytes()


def _assert_bitwise(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if x is None or y is None:
            assert x is None and y is None
        else:
            assert _bits(x) == _bits(y)


PASS_SETS = [()] + [(p,) for p in PASSES] + [PASSES]


# --- random programs over a wide vocabulary ------------------------------------------------

def _row(x):
    return x.sum(axis=0, keepdims=True)


UNARY = {
    "tanh": ag.tanh, "sigmoid": ag.sigmoid, "exp": lambda x: ag.exp(x * 0.3),
    "log": lambda x: ag.log(ag.abs(x) + 1.0), "sqrt": lambda x: ag.sqrt(x * x + 0.5),
    "relu": ag.relu, "leaky_relu": lambda x: ag.leaky_relu(x, 0.1),
    "softplus": ag.softplus, "sin": ag.sin, "cos": ag.cos, "square": ag.square,
    "clip": lambda x: ag.clip(x, -0.5, 0.7), "neg": lambda x: -x,
    "scalar ops": lambda x: (2.0 - x) / 3.0 + 1.0, "pow": lambda x: x ** 2,
    "rpow": lambda x: 1.5 ** x, "max": lambda x: ag.max(x, axis=1, keepdims=True) * x,
    "mean": lambda x: x - x.mean(axis=0, keepdims=True), "sum": lambda x: x * x.sum(),
    "logsumexp": lambda x: x - ag.logsumexp(x, axis=0, keepdims=True),
    "softmax": lambda x: ag.softmax(x, axis=0), "log_softmax": lambda x: ag.log_softmax(x, 0),
    "transpose": lambda x: x.T.T, "reshape": lambda x: x.reshape(-1).reshape(x.shape),
    "slice": lambda x: ag.concatenate([x[:, :2], x[:, 2:] * 2.0], axis=1),
    "stack": lambda x: ag.stack([x, x * x]).sum(axis=0),
    "where": lambda x: ag.where(x > 0, x, x * 0.5), "maximum": lambda x: ag.maximum(x, 0.2),
    "minimum": lambda x: ag.minimum(x, _row(x)), "row": lambda x: x + _row(x),
    "abs": ag.abs, "div": lambda x: x / (x * x + 1.0), "erf": ag.erf,
    "matmul": lambda x: ag.tensor(np.linspace(-1, 1, 9).reshape(3, 3)) @ x,
}
NAMES = sorted(UNARY)


def _program(ops, second_order, dtype=np.float64, cost="square"):
    w = ag.tensor(np.linspace(-1.0, 1.2, 12).reshape(3, 4).astype(dtype), requires_grad=True,
                  name="w")

    def step(x):
        w.grad = None
        h = w * x
        for name in ops:
            h = UNARY[name](h)
        if cost == "square":
            J = (h * h).sum()
        else:                                  # the course's cross-entropy of sigmoid(h)
            A = ag.sigmoid(h)
            Y = ag.tensor((np.arange(12).reshape(3, 4) % 2).astype(x.dtype))
            J = -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).mean()
        if second_order:
            g, = ag.grad(J, [w], create_graph=True)
            (g * x).sum().backward()
        else:
            J.backward()
        with ag.no_grad():
            w.__isub__(0.01 * w.grad)
        return J, h, w.grad
    return step, w


def _run(ops, second_order, passes, inputs):
    step, w = _program(ops, second_order)
    if passes is not None:
        step = ag.compile(step, passes=passes)
    seen = []
    with np.errstate(all="ignore"):
        for x in inputs:
            seen.extend(step(x))
    return seen + [w]


#: random programs: a chain of 1 to 4 ops, first or second order, three calls' inputs
random_programs = given(ops=st.lists(st.sampled_from(NAMES), min_size=1, max_size=4),
                        second_order=st.booleans(), seed=st.integers(0, 2**16))


def _inputs(seed):
    rng = np.random.RandomState(seed)
    return [rng.randn(3, 4) for _ in range(3)]


@settings(max_examples=40, deadline=None)
@random_programs
def test_every_pass_alone_and_all_together_are_bitwise_eager(ops, second_order, seed):
    inputs = _inputs(seed)
    eager = _run(ops, second_order, None, inputs)
    for passes in PASS_SETS:
        _assert_bitwise(eager, _run(ops, second_order, passes, inputs))


def test_the_course_models_are_bitwise_eager_with_each_pass_set():
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    runs = {}
    for passes in [None] + PASS_SETS:
        model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
        if passes is not None:
            object.__setattr__(model, "step_", ag.compile(model._train_step, passes=passes))
        costs = model.fit(X, Y, iterations=300, learning_rate=1.2, compile=passes is not None,
                          progress=False)
        runs[passes] = list(costs) + [p.data for p in model.parameters()]
    for passes in PASS_SETS:
        _assert_bitwise(runs[None], runs[passes])
    assert round(runs[None][0], 6) == 0.693048         # the course's cost at iteration 0


def test_passes_are_checked():
    with pytest.raises(ValueError, match="unknown pass 'fast'.*'direct'"):
        ag.compile(lambda: None, passes=("fast",))
    with pytest.raises(TypeError, match="tuple of pass names"):
        ag.compile(lambda: None, passes="direct")


# --- direct calls: what is inlined, and how it reads ---------------------------------------

class Scaled(Function):
    """A user's op: branches on needs and shapes, saves an array for backward."""
    def forward(self, a, b, factor):
        self.twice = a * factor
        if a.ndim == 2:
            return self.twice + b
        return self.twice - b

    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        if need_a:
            da = grad * self.params["factor"]
        else:
            da = None
        return da, (grad * 1.0 if need_b else None)


class Looping(Function):
    def forward(self, a):
        out = a
        for _ in range(2):
            out = out * 2.0
        return out

    def backward(self, grad, out, a):
        return (grad * 4.0,)


def test_a_users_op_with_branches_on_needs_and_shapes_is_inlined_and_bitwise():
    w = ag.tensor(np.linspace(0.1, 1.0, 6).reshape(2, 3), requires_grad=True, name="w")

    def step(x, y):
        w.grad = None
        out = Scaled.apply(w, x, factor=0.75)
        z = Looping.apply(out)
        total = (z * y).sum()
        value = total.item()                 # a sync point between forward and backward
        total.backward()
        return value, w.grad

    compiled = ag.compile(step)
    rng = np.random.RandomState(0)
    for _ in range(3):
        x, y = ag.tensor(rng.randn(2, 3)), ag.tensor(rng.randn(2, 3))
        eager_value, eager_grad = step(x, y)
        value, grad = compiled(x, y)
        assert value == eager_value and _bits(grad) == _bits(eager_grad)
    source = compiled.source
    assert ".twice = w * 0.75" in source         # self -> the op object, factor -> 0.75
    assert "looping_1.forward(" in source        # a loop: the method is called


def test_templates_of_the_core_ops_are_inlined_and_loops_are_not():
    from autograd_lite.ops import activation, elementwise, linalg, reduce
    for cls in (elementwise.Add, elementwise.Sub, elementwise.Mul, elementwise.Div,
                elementwise.Neg, elementwise.Exp, elementwise.Log, activation.Tanh,
                activation.Sigmoid, activation.ReLU, linalg.MatMul, reduce.Sum):
        assert inlining.template(cls, "forward") is not None, cls
        assert inlining.template(cls, "backward") is not None, cls
    assert inlining.template(Looping, "forward") is None
    assert inlining.template(Looping, "backward") is not None


def _shallow(passes=PASSES, iterations=2):
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
    object.__setattr__(model, "step_", ag.compile(model._train_step, passes=passes))
    model.fit(X, Y, iterations=iterations, learning_rate=1.2, progress=False)
    return model, X, Y


def test_the_shallow_program_reads_like_the_course():
    model, _, _ = _shallow(passes=("direct",))
    source = model.step_.source
    for line in ("layer1_matmul = np.dot(layer1_W, X)", "layer1_add = layer1_matmul + layer1_b",
                 "layer1_tanh = np.tanh(layer1_add)",
                 "dlayer1_add = dlayer1_tanh * (1 - layer1_tanh * layer1_tanh)",
                 "dlayer1_W = np.dot(dlayer1_add, X.T)",
                 "dlayer1_tanh = np.dot(layer2_W.T, dlayer2_add)"):
        assert line in source, line
    assert ".forward(" not in source and ".backward(" not in source


# --- buffers: intermediates in reused memory, never what Python can keep ---------------------

def test_buffers_hold_intermediates_and_never_a_value_python_keeps():
    model, X, Y = _shallow()
    source = model.step_.source
    assert "layer1_tanh = np.tanh(layer1_add, out=_buf_" in source
    assert "cost_log = np.log(layer2_sigmoid, out=_buf_" in source
    for line in source.splitlines():          # what the program hands out is its own array
        if line.strip().startswith("v["):
            assert "_buf_" not in line
    step, opt = model.step_, nn.optim.GradientDescent(model.parameters(), 1.2)
    Xt, Yt = model._check_data(X, Y)
    kept = []
    for _ in range(3):
        J = step(Xt, Yt, opt)
        kept.append((J, [p.grad for p in model.parameters()]))
        kept[-1] = kept[-1] + (_bits(J), [_bits(g) for g in kept[-1][1]])
    for J, grads, J_bits, grad_bits in kept:   # later calls did not write into them
        assert _bits(J) == J_bits and [_bits(g) for g in grads] == grad_bits
    assert len({id(g.data) for _, grads, _, _ in kept for g in grads}) == 12


def test_a_replay_allocates_little_more_than_the_arrays_it_returns():
    X, Y = nn.datasets.planar_flower(m=4000, seed=1)        # intermediates of 32 and 128 KB
    X, Y = ag.tensor(X), ag.tensor(Y.astype(np.float64))
    extra = {}
    for passes in [(), PASSES]:
        params = [ag.tensor(np.full(s, 0.1), requires_grad=True, name=n)
                  for s, n in (((4, 2), "W1"), ((4, 1), "b1"), ((1, 4), "W2"), ((1, 1), "b2"))]

        def step(X, Y):
            W1, b1, W2, b2 = params
            for p in params:
                p.grad = None
            A2 = ag.sigmoid(W2 @ ag.tanh(W1 @ X + b1) + b2)
            J = -(Y * ag.log(A2) + (1 - Y) * ag.log(1 - A2)).mean()
            J.backward()
            with ag.no_grad():
                for p in params:
                    p.__isub__(1.2 * p.grad)
            return J
        step = ag.compile(step, passes=passes)
        for _ in range(3):
            step(X, Y)
        extra[passes] = call_peak(lambda: step(X, Y), calls=5)
    returned = sum(p.data.nbytes for p in params) + 8          # the gradients and J
    # without buffers the intermediates are new arrays (several of 32 and 128 KB at once);
    # with them a call allocates its gradients, J, two arrays of 32 KB (the sigmoid's, whose
    # helper is not inlined, and the mean's gradient, which expand makes) and small objects
    assert extra[()] > 8 * 32_000, extra
    assert extra[PASSES] < returned + 2 * 32_000 + 16_000, (extra, returned)


def test_fit_s_step_with_its_sync_points_allocates_little_per_replay():
    """fit's step reads values twice (the cost's saturation check, the NaN stop): at those
    sync points the values Python no longer holds are buffers too, so a replay allocates
    its gradients, the sigmoid's input and output (Python holds the output; its helper is
    not inlined) and the trace's small objects."""
    from bench.memory import held_at_end
    peaks, arrays = {}, {}
    for m in (400, 4000):
        X, Y = nn.datasets.planar_flower(m=m, seed=1)
        for passes in [(), PASSES]:
            model = nn.TwoLayerNet(2, 4, 1, seed=2)
            object.__setattr__(model, "step_", ag.compile(model._train_step, passes=passes))
            model.fit(X, Y, iterations=3, progress=False)
            opt = nn.optim.GradientDescent(model.parameters(), 1.2)
            Xt, Yt = model._check_data(X, Y)
            peaks[m, passes] = call_peak(lambda: model.step_(Xt, Yt, opt), calls=5)
            arrays[m, passes] = held_at_end(lambda: model.step_(Xt, Yt, opt))[0]
    row = 8 * 4000                                   # one (1, m) float64 array, m = 4000
    assert arrays[4000, PASSES] <= 2 * row + 1024, arrays
    assert arrays[4000, ()] > 10 * row, arrays
    # at m = 400 the trace's objects are a large part; before sync points buffered (when
    # they computed under 256 KiB) the default passes allocated 0.59 of passes=()'s
    assert peaks[400, PASSES] < 0.3 * peaks[400, ()], peaks


def _calls_unchanged_by_later_calls(step, rng, kept, later, dtype=np.float64):
    """Four calls of ``step`` on new (3, 4) inputs, then ``later`` more: the bits of the four
    calls' results and of what the step kept (``kept``), which the later calls must not
    have written into."""
    calls, frozen = [], []
    with np.errstate(all="ignore"):
        for _ in range(4):
            out = step(ag.tensor(rng.randn(3, 4).astype(dtype)))
            calls.append(out)
            frozen.append([_bits(t) for t in out])
        kept_bits = [_bits(t) for t in kept]
        for _ in range(later):
            step(ag.tensor(rng.randn(3, 4).astype(dtype)))
    for out, bits in zip(calls, frozen):
        assert [_bits(t) for t in out] == bits
    assert [_bits(t) for t in kept[:len(kept_bits)]] == kept_bits
    return [b for bits in frozen for b in bits] + kept_bits


_VIEWS = [lambda x: x.T.T, lambda x: x.reshape(3, 4), lambda x: x[:, ::-1],
          lambda x: x + 0.0]
_BINARY_OPS = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b * 0.5,
               lambda a, b: a / (b * b + 1.0), lambda a, b: ag.maximum(a, b)]
_ONE = [ag.tanh, ag.sigmoid, lambda x: -x, lambda x: x * (1 - x), lambda x: ag.exp(x * 0.1)]


@settings(max_examples=60, deadline=None)
@given(plan=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 99),
                               st.integers(0, 99)), min_size=2, max_size=10),
       keep=st.lists(st.integers(0, 99), max_size=4), seed=st.integers(0, 2**16))
def test_buffers_never_overwrite_a_value_still_read_or_kept(plan, keep, seed):
    """Random programs with many live values, views of them, values read mid-step (sync
    points), some kept in a list and some returned: the compiled runs equal eager, and what
    one call returned or kept is unchanged by later calls."""
    def run(compiled):
        rng = np.random.RandomState(seed)
        w = ag.tensor(rng.randn(3, 4), requires_grad=True, name="w")
        held, read = [], []

        def step(x):
            w.grad = None
            pool = [w * x, x + w]
            for kind, op, i, j in plan:
                a, b = pool[i % len(pool)], pool[j % len(pool)]
                if kind == 0:
                    pool.append(_BINARY_OPS[op](a, b))
                elif kind == 1:
                    pool.append(_ONE[op](a))
                elif kind == 2:
                    pool.append(_VIEWS[op % len(_VIEWS)](a))
                elif kind == 3:
                    read.append(np.float64(a.sum().item()).tobytes())    # a sync point
                else:
                    held.append(b)                        # kept beyond the call
            (pool[-1] * pool[-2]).sum().backward()
            with ag.no_grad():
                w.__isub__(0.01 * w.grad)
            return [pool[k % len(pool)] for k in keep] + [w.grad]
        if compiled:
            step = ag.compile(step)
        return _calls_unchanged_by_later_calls(step, rng, held, 2) + [_bits(w)] + read
    assert run(True) == run(False)


def test_a_detached_value_held_across_a_sync_point_keeps_its_array():
    """detach() shares its tensor's stand-in: Python holding only the detached tensor at a
    sync point still holds the values, which later calls must not write into."""
    w = ag.tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)
    kept = []

    @ag.compile
    def step(x):
        w.grad = None
        kept.append(ag.tanh(w * x).detach())      # its tensor is dropped, the detach kept
        J = (ag.exp(w * x) * 2.0).sum()
        J.item()                                  # a sync point
        J.backward()
        return J

    for k in range(4):
        step(ag.tensor(np.full((3, 4), 0.5 + k)))
    assert step.replays == 3
    for k, t in enumerate(kept):
        assert _bits(t) == _bits(np.tanh(w.data * (0.5 + k)))


@settings(max_examples=80, deadline=None)
@given(plan=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4), st.integers(0, 99)),
                     min_size=3, max_size=14), seed=st.integers(0, 2**16))
def test_a_sync_point_buffers_only_what_python_no_longer_holds(plan, seed):
    """Values dropped before a sync point may be buffers of the programs after it; what
    Python still holds at the sync — in a local, in a list, through detach() — keeps its
    values, in this call and after later calls; and everything equals eager, bitwise."""
    def run(compiled):
        rng = np.random.RandomState(seed)
        w = ag.tensor(rng.randn(3, 4), requires_grad=True, name="w")
        kept, read = [], []

        def step(x):
            w.grad = None
            cur, other = w * x, x - w          # rebinding cur drops its last value
            for kind, op, i in plan:
                if kind <= 1:
                    cur = _ONE[op](cur)
                elif kind == 2:
                    cur, other = _BINARY_OPS[op](cur, other), cur
                elif kind == 3:
                    read.append(np.float64(cur.sum().item()).tobytes())    # a sync point
                elif kind == 4:
                    kept.append(cur.detach() if i % 2 else cur)   # held across syncs
                elif kind == 5:
                    other = _ONE[op](other)
                else:
                    read.append(np.float64(float((cur * other).mean())).tobytes())
            (cur * other).sum().backward()
            with ag.no_grad():
                w.__isub__(0.01 * w.grad)
            return cur, w.grad
        if compiled:
            step = ag.compile(step)
        return _calls_unchanged_by_later_calls(step, rng, kept, 1) + [_bits(w)] + read
    assert run(True) == run(False)


def test_the_buffers_pass_parses_a_program_at_once_as_line_by_line():
    import ast
    from autograd_lite import buffers
    lines = ["", "# forward", "a = np.tanh(x)                     # tanh", "b = a * (1 - a)",
             "relu_1.positive = b > 0", "v[3] = b"]
    nodes = buffers._parse_all(lines)
    assert [None if n is None else ast.dump(n) for n in nodes] == \
        [None if n is None else ast.dump(n) for n in map(buffers._parse, lines)]
    assert nodes[0] is None and nodes[1] is None and isinstance(nodes[3], ast.Assign)
    # a line of two statements: its node is its first statement, as line by line
    two = ["a = x + 1; b = a * 2", "c = a - b"]
    assert [ast.dump(n) for n in buffers._parse_all(two)] == \
        ["Assign(targets=[Name(id='a', ctx=Store())], value=BinOp(left=Name(id='x', "
         "ctx=Load()), op=Add(), right=Constant(value=1)))",
         "Assign(targets=[Name(id='c', ctx=Store())], value=BinOp(left=Name(id='a', "
         "ctx=Load()), op=Sub(), right=Name(id='b', ctx=Load())))"]


def test_an_input_in_fortran_order_keeps_its_layout_as_eagerly():
    """Elementwise work on an F-ordered input is in F order eagerly, and a sum adds in memory
    order: its buffer must not be a C-ordered one (it changed the last bits), and an input's
    layout is part of the path, so a path captured in C order is not replayed in F order."""
    def run(compiled):
        w = ag.tensor(np.random.RandomState(0).randn(40, 300), requires_grad=True)
        X = np.random.RandomState(1).randn(40, 300)

        def step(X):
            w.grad = None
            J = ((ag.as_tensor(X) * 3.0 + 1.0) * 0.7).sum() * w.sum()
            J.backward()
            return J
        step = ag.compile(step) if compiled else step
        layouts = (np.asfortranarray, np.asfortranarray, np.ascontiguousarray,
                   np.asfortranarray, np.ascontiguousarray)
        out = [_bits(step(layout(X * (k + 1)))) + _bits(w.grad)
               for k, layout in enumerate(layouts)]
        return out, step
    eager, _ = run(False)
    compiled, step = run(True)
    assert compiled == eager
    assert step.captures == 2
