"""Reliability: every misuse a learner makes ends in a clear error naming the operation and
the shapes or values involved — never a silent wrong result.

``CASES`` is a table: one row per misuse, with the exception type expected and the pieces of
text the message must contain (plain substrings: the operation, the shapes, the values).
The course's rank-1 pitfall (a shape (n,) array meeting a matrix) is a warning, tested at
the end together with where it points.
"""
import re
import sys
import warnings
from dataclasses import dataclass

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn import functional as F


@dataclass
class Case:
    id: str
    run: object          # a function of no arguments that must raise
    error: type
    says: tuple          # substrings the message must contain


def _x_and_y(n_x=3, m=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n_x, m)), (rng.random((1, m)) > 0.5).astype(float)


def _with(array, index, value):
    array = array.copy()
    array[index] = value
    return array


def _backward_twice():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    y.backward()
    y.backward()


def _modified_in_place(assign):
    w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    y = (w * w).sum()
    assign(w)
    y.backward()


def _subtract_in_place(w):
    w.data -= 0.5                       # an optimizer step between forward and backward


def _replace_data(w):
    w.data = np.zeros(2)


def _constant_changed_in_place():
    W = ag.tensor([[1.0, 2.0]], requires_grad=True, name="W")
    X = ag.tensor([[1.0], [1.0]], name="X")
    J = (W @ X).sum()
    X.data = X.data * 2                 # dW = dZ · Xᵀ needs the old X
    J.backward()


def _fit(model, X, Y, **options):
    options.setdefault("iterations", 2)
    return model.fit(X, Y, progress=False, **options)


class _Forgetful(nn.Module):
    def __init__(self):
        self.w = nn.Parameter([1.0])     # before super().__init__()


X, Y = _x_and_y()
M = ag.tensor(np.ones((2, 3)), requires_grad=True)
deep = nn.DeepNN([3, 2, 1], seed=0)

CASES = [
    # --- shapes in the engine ----------------------------------------------------------------
    Case("matmul-inner-dimensions", lambda: M @ ag.tensor(np.ones((4, 5))), ag.ShapeError,
         ("matmul", "(2, 3)", "(4, 5)", "last dimension of the left (3)",
          "second-to-last of the right (4)")),
    Case("matmul-W-does-not-fit-X", lambda: ag.tensor(np.ones((4, 3))) @ np.ones((2, 5)),
         ag.ShapeError, ("matmul", "(4, 3)", "(2, 5)")),
    Case("matmul-scalar-operand", lambda: ag.matmul(ag.tensor(2.0), M), ag.ShapeError,
         ("matmul", "at least 1-D", "()", "(2, 3)")),
    Case("add-broadcast", lambda: M + np.ones((3, 2)), ag.ShapeError,
         ("add", "(2, 3)", "(3, 2)")),
    Case("mul-broadcast-rank-1-wrong-length", lambda: M * np.ones(2), ag.ShapeError,
         ("mul", "(2, 3)", "(2,)")),
    Case("sub-broadcast", lambda: ag.sub(np.ones((4, 1, 3)), M[:, :2]), ag.ShapeError,
         ("sub", "(4, 1, 3)", "(2, 2)")),
    Case("reshape-size", lambda: M.reshape(4, 2), ag.ShapeError,
         ("reshape", "(2, 3)", "size 6")),
    Case("sum-axis-out-of-range", lambda: M.sum(axis=2), ag.ShapeError,
         ("sum", "axis 2", "(2, 3)")),
    Case("softmax-axis-out-of-range", lambda: ag.softmax(M, axis=-3), ag.ShapeError,
         ("softmax", "axis -3", "(2, 3)")),
    Case("concatenate-shapes", lambda: ag.concatenate([M, ag.tensor(np.ones((2, 2)))], axis=0),
         ag.ShapeError, ("concatenate", "(2, 3)", "(2, 2)")),
    # --- backward misuse ---------------------------------------------------------------------
    Case("backward-non-scalar-without-grad", lambda: (M * 2).backward(), ag.GraphError,
         ("backward", "one-element", "(2, 3)", "grad=", "loss.sum()")),
    Case("backward-grad-of-wrong-shape", lambda: (M * 2).backward(np.ones((3, 2))),
         ag.ShapeError, ("backward", "grad has shape (3, 2)", "output has shape (2, 3)")),
    Case("backward-twice-through-released-graph", _backward_twice, ag.GraphError,
         ("backward", "'sum'", "already released", "retain_graph=True")),
    Case("backward-of-a-constant", lambda: ag.tensor([1.0, 2.0]).sum().backward(),
         ag.GraphError, ("backward", "shape ()", "does not require a gradient")),
    Case("grad-of-an-input-without-requires-grad",
         lambda: ag.grad((M * 2).sum(), ag.tensor(1.0)), ag.GraphError,
         ("grad", "input 0", "does not require a gradient")),
    # --- dtypes ------------------------------------------------------------------------------
    Case("gradient-of-integer-data", lambda: ag.tensor([1, 2, 3], requires_grad=True),
         ag.DTypeError, ("requires_grad", "int64", "(3,)", "float64")),
    Case("requires-grad-switched-on-for-integers",
         lambda: ag.tensor(np.arange(4).reshape(2, 2)).requires_grad_(), ag.DTypeError,
         ("requires_grad", "int64", "(2, 2)")),
    Case("tensor-of-python-objects", lambda: ag.tensor([{"a": 1}, 2]), ag.DTypeError,
         ("tensor", "Python objects", "list")),
    # --- values the graph saved, changed afterwards ----------------------------------------
    Case("data-subtracted-in-place-after-forward", lambda: _modified_in_place(_subtract_in_place),
         ag.GraphError, ("mul", "input 0", "shape (2,)", "name 'w'", "modified in place")),
    Case("data-replaced-after-forward", lambda: _modified_in_place(_replace_data),
         ag.GraphError, ("mul", "input 0", "name 'w'", "modified in place")),
    Case("constant-input-changed-after-forward", _constant_changed_in_place, ag.GraphError,
         ("matmul", "input 1", "shape (2, 1)", "name 'X'", "modified in place")),
    Case("item-assignment", lambda: M.__setitem__((0, 0), 5.0), ag.GraphError,
         ("item assignment", "ag.where")),
    Case("clip-bound-that-needs-a-gradient",
         lambda: ag.clip(M, ag.tensor(0.0, requires_grad=True), 1.0), ag.GraphError,
         ("clip", "bound min", "requires a gradient", "ag.maximum")),
    Case("item-of-a-matrix", lambda: M.item(), ValueError, ("item", "(2, 3)")),
    # --- nn: shapes in the course's layout ----------------------------------------------------
    Case("layer-dims-do-not-match-n_x", lambda: _fit(nn.DeepNN([4, 2, 1], seed=0), X, Y),
         nn.NNShapeError, ("DeepNN", "X has shape (3, 5)", "(n_x, m) = (4, m)")),
    Case("X-transposed", lambda: _fit(deep, X.T, Y), nn.NNShapeError,
         ("DeepNN", "X has shape (5, 3)", "(3, m)", "X.T")),
    Case("Y-of-shape-(m,)", lambda: _fit(deep, X, Y.ravel()), nn.NNShapeError,
         ("DeepNN", "Y has shape (5,)", "(n_y, m) = (1, 5)", "Y.reshape(1, -1)")),
    Case("Y-of-shape-(m,1)", lambda: _fit(deep, X, Y.T), nn.NNShapeError,
         ("DeepNN", "Y has shape (5, 1)", "(1, 5)", "Y.T")),
    Case("cost-Y-of-shape-(m,)",
         lambda: nn.losses.binary_cross_entropy(np.full((1, 5), 0.5), Y.ravel()),
         nn.NNShapeError, ("binary_cross_entropy", "(1, 5)", "(5,)", "Y.reshape(1, -1)")),
    Case("cost-Y-of-shape-(m,1)",
         lambda: nn.losses.binary_cross_entropy_with_logits(np.zeros((1, 5)), Y.T),
         nn.NNShapeError, ("binary_cross_entropy_with_logits", "(1, 5)", "(5, 1)", "Y.T")),
    Case("score-Y-of-shape-(m,)", lambda: deep.score(X, Y.ravel()), nn.NNShapeError,
         ("DeepNN", "Y has shape (5,)")),
    Case("layers-that-do-not-chain",
         lambda: nn.Sequential(nn.Linear(3, 4, seed=0), nn.Linear(5, 1, seed=0))(X),
         nn.NNShapeError, ("layer2", "input has shape (4, 5)", "(n[l-1], m) = (5, m)")),
    Case("linear-bias-of-rank-1", lambda: F.linear(X, np.ones((4, 3)), np.zeros(4)),
         nn.NNShapeError, ("linear", "b has shape (4,)", "(4, 1)", "b.reshape(-1, 1)")),
    Case("no-examples", lambda: _fit(deep, np.ones((3, 0)), np.ones((1, 0))),
         nn.NNShapeError, ("DeepNN", "(3, 0)", "m = 0")),
    # --- nn: values ---------------------------------------------------------------------------
    Case("X-with-NaN-in-fit", lambda: _fit(deep, _with(X, (1, 2), np.nan), Y), nn.DataError,
         ("DeepNN", "X contains 1 NaN or inf", "nan", "row 1, column 2", "example 2")),
    Case("X-with-inf-in-predict", lambda: deep.predict(_with(X, (2, 4), -np.inf)),
         nn.DataError, ("DeepNN", "X contains 1 NaN or inf", "-inf", "row 2, column 4")),
    Case("X-with-NaN-in-predict_proba", lambda: deep.predict_proba(_with(X, (0, 0), np.nan)),
         nn.DataError, ("DeepNN", "X contains", "row 0, column 0")),
    Case("Y-with-NaN-in-fit", lambda: _fit(deep, X, _with(Y, (0, 3), np.nan)), nn.DataError,
         ("DeepNN", "Y contains 1 NaN or inf", "row 0, column 3")),
    Case("Y-with-inf-in-score", lambda: deep.score(X, _with(Y, (0, 1), np.inf)), nn.DataError,
         ("DeepNN", "Y contains 1 NaN or inf", "inf", "column 1")),
    Case("labels-outside-0-1", lambda: _fit(deep, X, Y * 2), nn.DataError,
         ("DeepNN", "labels Y must lie in [0, 1]", "sigmoid", "[0.0, 2.0]")),
    Case("X-of-text", lambda: deep.predict(np.full((3, 2), "1.5")), nn.DataError,
         ("DeepNN", "X is not an array of numbers", "dtype <U3", "(3, 2)", "numbers")),
    Case("Y-of-objects", lambda: deep.score(X, np.array([[None] * 5])), nn.DataError,
         ("DeepNN", "Y is not an array of numbers")),
    # --- nn: names and hyperparameters -------------------------------------------------------
    Case("unknown-hidden-activation", lambda: nn.DeepNN([3, 2, 1], hidden="relux"),
         nn.ConfigError, ("DeepNN", "unknown hidden activation 'relux'", "relu, tanh")),
    Case("unknown-output-activation", lambda: nn.DeepNN([3, 2, 1], output="linear"),
         nn.ConfigError, ("DeepNN", "unknown output activation 'linear'", "sigmoid, softmax")),
    Case("unknown-layer-activation", lambda: nn.Linear(3, 2, activation="swish"),
         nn.ConfigError, ("unknown activation 'swish'", "relu")),
    Case("unknown-optimizer", lambda: _fit(deep, X, Y, optimizer="sgdx"), nn.ConfigError,
         ("unknown optimizer 'sgdx'", "gd", "momentum", "adam")),
    Case("unknown-initializer", lambda: nn.DeepNN([3, 2, 1], init="glorious"), nn.ConfigError,
         ("unknown init 'glorious'", "he", "xavier")),
    Case("unknown-loss", lambda: nn.losses.get_loss("hinge"), nn.ConfigError,
         ("unknown loss 'hinge'", "binary_cross_entropy")),
    Case("learning-rate-zero", lambda: _fit(deep, X, Y, learning_rate=0), nn.ConfigError,
         ("DeepNN.fit", "learning_rate", "positive", "not 0")),
    Case("learning-rate-negative", lambda: _fit(deep, X, Y, learning_rate=-0.1),
         nn.ConfigError, ("DeepNN.fit", "learning_rate", "not -0.1")),
    Case("learning-rate-nan", lambda: _fit(deep, X, Y, learning_rate=float("nan")),
         nn.ConfigError, ("DeepNN.fit", "learning_rate", "finite", "not nan")),
    Case("optimizer-learning-rate-negative",
         lambda: nn.optim.Adam(deep.parameters(), learning_rate=-1e-3), nn.ConfigError,
         ("Adam", "learning_rate", "not -0.001")),
    Case("iterations-zero", lambda: _fit(deep, X, Y, iterations=0), nn.ConfigError,
         ("DeepNN.fit", "iterations", "positive integer", "not 0")),
    Case("iterations-negative", lambda: _fit(deep, X, Y, iterations=-100), nn.ConfigError,
         ("DeepNN.fit", "iterations", "not -100")),
    Case("iterations-fractional", lambda: _fit(deep, X, Y, iterations=2.5), nn.ConfigError,
         ("DeepNN.fit", "iterations", "not 2.5")),
    Case("batch-size-zero", lambda: _fit(deep, X, Y, batch_size=0), nn.ConfigError,
         ("DeepNN.fit", "batch_size", "not 0")),
    Case("momentum-beta-out-of-range", lambda: _fit(deep, X, Y, optimizer="momentum", beta=1.5),
         nn.ConfigError, ("Momentum", "beta", "[0, 1)", "1.5")),
    Case("option-the-optimizer-does-not-take", lambda: _fit(deep, X, Y, beta1=0.9),
         nn.ConfigError, ("optimizer 'gd'", "beta1")),
    Case("layer-dims-too-short", lambda: nn.DeepNN([3]), nn.ConfigError,
         ("DeepNN", "layer_dims", "at least two", "[3]")),
    Case("layer-size-not-an-integer", lambda: nn.DeepNN([3, 2.5, 1]), nn.ConfigError,
         ("DeepNN", "layer_dims[1]", "positive integer", "2.5")),
    Case("state-of-another-shape",
         lambda: deep.load_state_dict({**deep.state_dict(), "layer1.W": np.zeros((3, 2))}),
         nn.StateError, ("load_state_dict", "layer1.W", "(3, 2)", "expects (2, 3)")),
    Case("module-without-super-init", _Forgetful, nn.NNError,
         ("_Forgetful", "super().__init__()", "'w'")),
]

# --- values and dtypes: comparisons, min, integer powers, masked data --------------------------
MASKED = np.ma.masked_array([[1.0, 2.0], [3.0, 4.0]], mask=[[False, True], [False, False]])
X_MASKED = np.ma.masked_array(X, mask=np.zeros(X.shape, bool))
X_MASKED[1, 3] = np.ma.masked
Y_MASKED = np.ma.masked_array(Y, mask=[[False, False, True, False, False]])

CASES += [
    Case("compare-shapes-that-do-not-broadcast",
         lambda: ag.tensor([1.0, 2.0]) < ag.tensor([1.0, 2.0, 3.0]), ag.ShapeError,
         ("less (<)", "cannot compare shapes (2,) and (3,)", "do not broadcast")),
    Case("equal-to-an-array-of-another-shape", lambda: M == np.ones((3, 2)), ag.ShapeError,
         ("equal (==)", "(2, 3)", "(3, 2)")),
    Case("min-axis-out-of-range", lambda: M.min(axis=2), ag.ShapeError,
         ("min", "axis 2", "(2, 3)")),
    Case("integer-to-a-negative-power", lambda: ag.tensor([1, 2]) ** -1, ag.DTypeError,
         ("pow", "negative integer powers", "int64", "astype('float64')")),
    Case("tensor-of-a-masked-array", lambda: ag.tensor(MASKED), ag.DTypeError,
         ("tensor", "masked array", "(2, 2)", "1 masked value", "x.filled(0)", "drop")),
    Case("as-tensor-of-a-masked-array", lambda: ag.as_tensor(MASKED), ag.DTypeError,
         ("as_tensor", "masked array", "x.filled(0)")),
    Case("masked-array-as-an-operand", lambda: M[:, :2] * MASKED, ag.DTypeError,
         ("masked array", "values under it")),
    Case("masked-X-in-fit", lambda: _fit(deep, X_MASKED, Y), nn.DataError,
         ("DeepNN", "X is a masked array", "1 masked value(s) of 15", "row 1, column 3",
          "X.filled(X.mean())", "drop those examples")),
    Case("masked-Y-in-fit", lambda: _fit(deep, X, Y_MASKED), nn.DataError,
         ("DeepNN", "Y is a masked array", "column 2", "labels cannot be filled in",
          "drop those examples")),
    Case("masked-X-in-predict", lambda: deep.predict(X_MASKED), nn.DataError,
         ("DeepNN", "X is a masked array", "row 1, column 3")),
    Case("masked-Y-in-score", lambda: deep.score(X, Y_MASKED), nn.DataError,
         ("DeepNN", "Y is a masked array", "drop those examples")),
]


def test_masked_arrays_that_hide_nothing_are_their_plain_data():
    plain = np.ma.masked_array(X)                      # no mask at all
    assert np.shares_memory(ag.as_tensor(plain).data, X)            # no copy
    np.testing.assert_array_equal(ag.tensor(plain).numpy(), X)
    model = nn.DeepNN([3, 2, 1], seed=0)
    np.testing.assert_array_equal(model.predict(np.ma.masked_array(X, mask=False)),
                                  model.predict(X))


def test_there_are_at_least_25_distinct_cases():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 25


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_misuse_raises_a_clear_error(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # numpy's own, not the point here
        with pytest.raises(case.error) as info:
            case.run()
    message = str(info.value)
    missing = [piece for piece in case.says if piece not in message]
    assert not missing, f"the message {message!r} does not mention {missing}"
    # the library's own exception types, so `except ag.AutogradError` catches all of them
    assert isinstance(info.value, ag.AutogradError) or case.error is ValueError


def test_nothing_is_trained_when_the_data_is_refused():
    model = nn.DeepNN([3, 2, 1], seed=0)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(nn.DataError):
        model.fit(_with(X, (0, 0), np.nan), Y, iterations=3, progress=False)
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert model.costs_ == []


def test_integer_and_boolean_data_are_accepted_as_numbers():
    model = nn.LogisticRegression(2)
    X_int = np.array([[0, 1, 2, 3], [1, 0, 1, 0]])
    Y_bool = np.array([[False, False, True, True]])
    costs = model.fit(X_int, Y_bool, iterations=3, learning_rate=0.1, progress=False)
    assert costs[0] == pytest.approx(np.log(2))
    assert model.predict(X_int).dtype == np.int64


# --- the course's pitfall: a rank-1 array of shape (n,) --------------------------------------
# The engine warns when a rank-1 operand and a matrix expand each other into a bigger result
# ((n,) with (n, 1) gives (n, n)); a plain row broadcast ((n,) with (m, n)) stays quiet.

# One line per op, so the warning's line is the lambda's first line.
RANK_ONE_OPS = {
    "add": lambda A, v: A + v,
    "sub": lambda A, v: A - v,
    "mul": lambda A, v: A * v,
    "div": lambda A, v: A / v,
    "pow": lambda A, v: A ** v,
    "maximum": lambda A, v: ag.maximum(A, v),
    "minimum": lambda A, v: ag.minimum(A, v),
    "where": lambda A, v: ag.where(A.data > 0, A, v),
}


def _rank_one_warnings(record):
    return [w for w in record if issubclass(w.category, ag.RankOneWarning)]


def _next_line():
    """The line number of the caller's current line."""
    return sys._getframe(1).f_lineno


@pytest.mark.parametrize("op", list(RANK_ONE_OPS))
@pytest.mark.parametrize("vector_kind", ["ndarray", "Tensor"])
def test_a_rank_one_operand_expanded_by_a_column_warns_naming_op_shapes_and_users_line(
        op, vector_kind):
    A = ag.tensor(np.full((3, 1), 2.0), requires_grad=True)     # a column (n, 1)
    v = np.array([1.0, 2.0, 3.0])                               # meant as a column too
    v = ag.tensor(v) if vector_kind == "Tensor" else v
    f = RANK_ONE_OPS[op]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = f(A, v)
    assert out.shape == (3, 3)                                  # an outer table, not a column
    [w] = _rank_one_warnings(record)
    assert issubclass(w.category, UserWarning)
    message = str(w.message)
    assert message.startswith(f"{op}: ")
    for piece in ("rank-1", "(3,)", "(3, 1)", "giving (3, 3)", "reshape(3, 1)",
                  "reshape(1, 3)"):
        assert piece in message
    assert w.filename == __file__
    assert w.lineno == f.__code__.co_firstlineno


def test_the_rank_one_warning_also_comes_when_the_vector_is_on_the_left():
    A = ag.tensor(np.ones((2, 1)))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = _next_line(); np.arange(4.0) - A          # noqa: E702 (same line on purpose)
    [w] = _rank_one_warnings(record)
    assert re.match(r"sub: a rank-1 array of shape \(4,\) was broadcast against shape "
                    r"\(2, 1\), giving \(2, 4\)", str(w.message))
    assert (w.filename, w.lineno) == (__file__, line)


def test_labels_of_shape_m_against_a_column_of_outputs_warn_at_the_users_line():
    # Y (m,) against A (m, 1): the (m, m) table the issue warns about, written by hand
    A = ag.sigmoid(ag.tensor(np.zeros((4, 1)), requires_grad=True))
    Y = np.array([1.0, 0.0, 1.0, 0.0])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = _next_line(); J = -(Y * ag.log(A)).sum()    # noqa: E702
    [w] = _rank_one_warnings(record)
    assert "mul: a rank-1 array of shape (4,) was broadcast against shape (4, 1), giving " \
           "(4, 4)" in str(w.message)
    assert (w.filename, w.lineno) == (__file__, line)
    assert J.item() == pytest.approx(-4 * 2 * np.log(0.5))     # 16 terms instead of 4


@pytest.mark.parametrize("a, b", [
    (np.ones((2, 3)), np.ones((1, 3))),           # a row vector (1, n): what is meant
    (np.ones((3, 2)), np.ones((3, 1))),           # a column vector (n, 1)
    (np.ones((2, 3)), np.ones(3)),                # a row broadcast: same size as the matrix
    (np.ones((2, 3)), np.ones(1)),                # one element: a scalar in disguise
    (np.ones(3), np.ones(3)),                     # two rank-1 arrays
    (np.ones((2, 3)), 2.0),                       # a Python number
    (np.ones((2, 3)), np.float64(2.0)),           # a 0-d numpy scalar
])
def test_no_rank_one_warning_for_proper_vectors_row_broadcasts_and_scalars(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ag.RankOneWarning)
        out = ag.tensor(a, requires_grad=True) + b
        assert out.shape == np.broadcast_shapes(np.shape(a), np.shape(b))
        b + ag.tensor(a)
        ag.tensor(a) * b


def test_the_rank_one_warning_can_be_made_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ag.RankOneWarning)
        with pytest.raises(ag.RankOneWarning, match=r"mul: a rank-1 array of shape \(5,\)"):
            ag.tensor(np.ones((5, 1))) * np.ones(5)


def test_a_rank_one_bias_row_broadcast_is_caught_by_nn_linear():
    # The course's other rank-1 bug: b of shape (n,) instead of (n, 1).  With m == n it is a
    # row broadcast of the same size (no engine warning): every column j would get b[j].
    # nn's linear refuses it.
    W, A_prev, b = np.ones((4, 3)), np.ones((3, 4)), np.arange(4.0)
    with pytest.raises(nn.NNShapeError, match=r"linear: b has shape \(4,\) but must be "
                                              r"\(n\[l\], 1\) = \(4, 1\).*b.reshape\(-1, 1\)"):
        F.linear(A_prev, W, b)
    Z = F.linear(A_prev, W, b.reshape(-1, 1))
    np.testing.assert_array_equal(Z.data[:, 0], 3.0 + np.arange(4.0))
