"""Reliability: in-place writes, views and copies never give a silently wrong gradient.

* Views (``X.T``, slices, reshapes that numpy makes without copying, ``broadcast_to``,
  ``squeeze``/``unsqueeze``, ``swapaxes``) and ``detach()`` share the version of the tensor
  whose memory they view, as PyTorch's version counter does: a write through any alias makes a
  graph that saved another alias refuse backward — also for views made under ``no_grad`` or
  of constants.
* In-place operators (``+= -= *= /= **= @=``) write into the tensor's own array: same object,
  still a leaf, dtype kept, version bumped; refused with a clear error while gradients are
  recorded on a tensor that needs one.
* Complex, text and object data is refused with a DTypeError naming the operation.
* Pickle and deepcopy keep the value, never the graph.
"""
import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import arrays, broadcastable_shapes


def _refused(J, *pieces):
    """Assert that backward from ``J`` is refused with a message holding every piece."""
    with pytest.raises(ag.GraphError) as info:
        J.backward()
    message = str(info.value)
    for piece in ("modified in place", "Recompute the forward pass") + pieces:
        assert piece in message, (piece, message)


# --- the two examples of the issue ------------------------------------------------------------

def test_a_write_into_a_constant_is_seen_through_its_transpose():
    X = ag.tensor(np.ones((2, 3)), name="X")
    w = ag.tensor(np.ones((3, 2)), requires_grad=True)
    J = (w * X.T).sum()
    X.data -= 1                     # was: w.grad silently 0 instead of 1
    _refused(J, "mul: input 1", "shape (3, 2)", "a view or detach() of the tensor of shape "
             "(2, 3), name 'X'")
    assert w.grad is None


def test_a_write_into_a_parameter_is_seen_through_its_detached_alias():
    w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    v = ag.tensor([1.0, 1.0], requires_grad=True)
    J = (w.detach() * v).sum()
    w.data -= 1                     # was: v.grad silently [0, 1] instead of [1, 2]
    _refused(J, "mul: input 0", "name 'w'")
    assert v.grad is None


def test_without_a_write_the_same_graphs_give_the_right_gradients():
    X = ag.tensor(np.arange(6.0).reshape(2, 3))
    w = ag.tensor(np.ones((3, 2)), requires_grad=True)
    (w * X.T).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.arange(6.0).reshape(2, 3).T)
    p = ag.tensor([1.0, 2.0])
    v = ag.tensor([1.0, 1.0], requires_grad=True)
    (p.detach() * v).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [1.0, 2.0])


# --- every kind of view shares the version ----------------------------------------------------

VIEWS = {
    "T": lambda x: x.T,
    "transpose": lambda x: ag.transpose(x, (1, 0, 2)),
    "swapaxes": lambda x: x.swapaxes(0, 2),
    "reshape": lambda x: x.reshape(6, 4),
    "flatten": lambda x: x.flatten(),
    "slice": lambda x: x[1:, ::2],
    "ellipsis": lambda x: x[..., 0],
    "unsqueeze": lambda x: x.unsqueeze(1),
    "squeeze": lambda x: x[:, :1].squeeze(1),
    "broadcast_to": lambda x: ag.broadcast_to(x, (5, 2, 3, 4)),
    "expand": lambda x: x[:1].expand(3, 3, 4),
    "detach": lambda x: x.detach(),
    "view of a view": lambda x: x.T[1:][..., ::2].unsqueeze(0).detach(),
}


def _base():
    return ag.tensor(np.arange(24.0).reshape(2, 3, 4) / 10, name="base")


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("grad_mode", [True, False], ids=["recorded", "under no_grad"])
def test_a_write_into_the_base_is_seen_by_a_graph_that_saved_a_view(make, grad_mode):
    base = _base()
    with ag.set_grad_enabled(grad_mode):
        view = make(base)
    assert np.shares_memory(view.numpy(), base.numpy())
    w = ag.tensor(np.ones(view.shape), requires_grad=True)
    J = (w * view).sum()
    base.data *= 2
    _refused(J, "mul: input 1", "name 'base'")


WRITABLE_VIEWS = {name: make for name, make in VIEWS.items()
                  if name not in ("broadcast_to", "expand")}     # numpy's are read-only


@pytest.mark.parametrize("make", WRITABLE_VIEWS.values(), ids=WRITABLE_VIEWS.keys())
def test_a_write_through_a_view_is_seen_by_a_graph_that_saved_the_base(make):
    base = _base()
    w = ag.tensor(np.ones(base.shape), requires_grad=True)
    J = (w * base).sum()
    view = make(base)
    view.data += 0                  # the setter: a write into the shared memory
    _refused(J, "mul: input 1", "name 'base'")


def test_two_views_of_one_base_see_each_others_writes():
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, name="x")
    a, b = x[0], x.T                # a row (a view) and the transpose
    J = (ag.exp(b) * 2).sum()
    with ag.no_grad():
        a[1:] += 1                  # through a view of a view
    _refused(J, "exp: input 0")


def test_copies_are_not_views_and_their_graphs_still_run():
    # a reshape numpy must copy, fancy indexing and a scalar element own their memory
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    copies = [x.T.reshape(-1), x[[1, 0]], x[0, 1]]
    assert not any(np.shares_memory(c.numpy(), x.numpy()) for c in copies)
    ws = [ag.tensor(np.ones(c.shape), requires_grad=True) for c in copies]
    J = sum((w * c).sum() for w, c in zip(ws, copies))
    x.data += 100                   # x changed; the copies did not
    J.backward()
    np.testing.assert_array_equal(ws[0].grad.numpy(), [0.0, 3.0, 1.0, 4.0, 2.0, 5.0])
    np.testing.assert_array_equal(ws[1].grad.numpy(), [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]])
    assert ws[2].grad.item() == 1.0


def test_a_view_given_new_data_is_no_longer_an_alias():
    x = ag.tensor([1.0, 2.0])
    v = x.detach()
    w = ag.tensor([1.0, 1.0], requires_grad=True)
    J = (w * x).sum()
    v.data = np.array([7.0, 7.0])   # a new array: x's memory is untouched
    J.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])
    K = (w * v).sum()
    v.data = np.array([0.0, 0.0])   # v's own data changed: K's graph is stale
    _refused(K, "mul: input 1")


def test_a_changed_output_that_its_derivative_reads_is_refused():
    w = ag.tensor([0.5, 1.0], requires_grad=True)
    A = ag.sigmoid(w)                       # dA/dw = A (1 - A) reads the output
    with ag.no_grad():
        A *= 2
    _refused(A.sum(), "sigmoid: its output", "shape (2,)")
    assert w.grad is None


# Steps that work on any shape; some give views, some copies (numpy decides for flatten).
STEPS = {
    "T": lambda x: x.T,
    "detach": lambda x: x.detach(),
    "reverse": lambda x: x[::-1],
    "flatten": lambda x: x.reshape(-1),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "broadcast": lambda x: x.broadcast_to((2,) + x.shape),
    "fancy index": lambda x: x[[0]],
    "times one": lambda x: x * 1.0,
}


def _memory_owner(array):
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=5), st.data())
def test_backward_is_refused_exactly_when_the_write_hit_the_memory_of_a_saved_tensor(steps,
                                                                                    data):
    members = [_base()]
    for name in steps:
        members.append(STEPS[name](data.draw(st.sampled_from(members))))
    saved = data.draw(st.sampled_from(members), label="saved")
    written = data.draw(st.sampled_from([m for m in members if m.numpy().flags.writeable]),
                        label="written")
    expected = saved.numpy().copy()
    w = ag.tensor(np.ones(saved.shape), requires_grad=True)
    J = (w * saved).sum()
    with ag.no_grad():
        written += 1.0
    if _memory_owner(written.numpy()) is _memory_owner(saved.numpy()):
        _refused(J, "mul: input 1")
    else:
        J.backward()
        np.testing.assert_array_equal(w.grad.numpy(), expected)


# --- in-place operators ------------------------------------------------------------------------

def test_an_optimizer_step_updates_the_parameter_itself():
    w = ag.tensor([1.0, -2.0], requires_grad=True, name="w")
    array = w.numpy()
    J = (w * w).sum()
    J.backward()                            # dJ/dw = 2w
    K = (w * 3).sum()
    with ag.no_grad():
        w -= 0.25 * w.grad                  # was: w rebound to a new tensor without gradient
    assert w.numpy() is array and w.is_leaf and w.requires_grad and w.name == "w"
    np.testing.assert_array_equal(w.numpy(), [0.5, -1.0])
    _refused(K, "mul: input 0", "name 'w'")  # a graph from before the step is stale
    (w * w).sum().backward()                # a new forward pass is fine
    np.testing.assert_array_equal(w.grad.numpy(), [2.0 * 1.0 + 1.0, 2.0 * -2.0 + -1.0 * 2.0])


OPERATORS = {
    "+=": (lambda t, x: t.__iadd__(x), np.add),
    "-=": (lambda t, x: t.__isub__(x), np.subtract),
    "*=": (lambda t, x: t.__imul__(x), np.multiply),
    "/=": (lambda t, x: t.__itruediv__(x), np.true_divide),
    "**=": (lambda t, x: t.__ipow__(x), np.power),
}


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(OPERATORS)), broadcastable_shapes(2), st.data(),
       st.sampled_from(["tensor", "array", "number"]), st.booleans())
def test_in_place_operators_give_exactly_the_out_of_place_result(op, shapes, data, kind,
                                                                 float32):
    dtype = np.float32 if float32 else np.float64
    target = np.broadcast_shapes(*shapes)
    start = data.draw(arrays(target, dtype, min_value=0.5, max_value=2.0), label="t")
    other = data.draw(arrays(shapes[1], np.float64, min_value=0.5, max_value=2.0), label="x")
    if kind == "number":
        other = float(other.reshape(-1)[0]) if other.size else 1.5
    elif kind == "tensor":
        other = ag.tensor(other)
    t = ag.tensor(start, requires_grad=True)
    array = t.numpy()
    call, ufunc = OPERATORS[op]
    expected = ufunc(ag.tensor(start), other).numpy().astype(dtype)     # the library's own
    with ag.no_grad():
        result = call(t, other)
    assert result is t and t.numpy() is array and t.dtype == dtype and t.is_leaf
    np.testing.assert_array_equal(t.numpy(), expected)


def test_matmul_in_place():
    A = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    B = np.array([[0.0, 1.0], [1.0, 0.0]])
    array = A.numpy()
    A @= B
    assert A.numpy() is array
    np.testing.assert_array_equal(A.numpy(), [[2.0, 1.0], [4.0, 3.0]])
    with pytest.raises(ag.ShapeError, match=r"@=: a tensor of shape \(2, 2\) .* shape \(2, 3\)"):
        A @= np.ones((2, 3))
    np.testing.assert_array_equal(A.numpy(), [[2.0, 1.0], [4.0, 3.0]])


def test_constants_update_in_place_while_gradients_are_recorded():
    X = ag.tensor([1.0, 2.0])
    w = ag.tensor([3.0, 3.0], requires_grad=True)
    J = (w * X).sum()
    X += 1                                  # no gradient needed: allowed, version bumped
    np.testing.assert_array_equal(X.numpy(), [2.0, 3.0])
    _refused(J, "mul: input 1")


def test_an_item_updated_through_a_slice_writes_the_tensor():
    w = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with ag.no_grad():
        w[1:] *= 10                         # getitem, in-place on the view, setitem of itself
    np.testing.assert_array_equal(w.numpy(), [1.0, 20.0, 30.0])
    assert w.is_leaf and w.requires_grad
    X = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    X[:, 0] -= 1
    np.testing.assert_array_equal(X.numpy(), [[0.0, 2.0], [2.0, 4.0]])
    with pytest.raises(ag.GraphError, match="item assignment"):
        X[0, 0] += 1                        # a single element is a copy, not a view
    with pytest.raises(ag.GraphError, match="item assignment"):
        X[0] = X[1]                         # another region: assignment stays refused
    np.testing.assert_array_equal(X.numpy(), [[0.0, 2.0], [2.0, 4.0]])


def _unchanged_after(error, match, t, update):
    before = t.numpy().copy()
    with pytest.raises(error) as info:
        update()
    for piece in match:
        assert piece in str(info.value), (piece, str(info.value))
    np.testing.assert_array_equal(t.numpy(), before)     # nothing half-written


def test_updating_a_tensor_that_requires_grad_while_recording_is_refused():
    w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")

    def update():
        nonlocal w
        w -= 0.1
    _unchanged_after(ag.GraphError, ("-=", "tensor 'w'", "shape (2,)", "requires a gradient",
                                     "with ag.no_grad():", "w -= learning_rate * w.grad"),
                     w, update)
    assert w.is_leaf and w.requires_grad


def test_an_update_by_a_tensor_that_requires_grad_while_recording_is_refused():
    acc = ag.zeros(2)
    w = ag.tensor([1.0, 2.0], requires_grad=True)

    def update():
        nonlocal acc
        acc += w
    _unchanged_after(ag.GraphError, ("+=", "right-hand side", "requires a gradient",
                                     "t = t + x", "no_grad"), acc, update)
    with ag.no_grad():
        acc += w                            # the value only
    np.testing.assert_array_equal(acc.numpy(), [1.0, 2.0])


@pytest.mark.parametrize("start, update, error, pieces", [
    (np.ones(3), lambda t: t.__iadd__(np.ones((2, 3))), ag.ShapeError,
     ("+=", "shape (3,)", "shape (2, 3)")),
    (np.ones((2, 1)), lambda t: t.__imul__(np.ones(3)), ag.ShapeError,
     ("*=", "shape (2, 1)", "shape (3,)")),
    (np.ones(2), lambda t: t.__isub__(np.ones(3)), ag.ShapeError,
     ("-=", "shape (2,)", "shape (3,)")),
    (np.array([4, 6]), lambda t: t.__itruediv__(2), ag.DTypeError, ("/=", "int64")),
    (np.array([4, 6]), lambda t: t.__iadd__(0.5), ag.DTypeError, ("+=", "int64", "float64")),
    (np.array([True, False]), lambda t: t.__isub__(True), ag.DTypeError, ("-=", "bool")),
    (np.array([2, 3]), lambda t: t.__ipow__(np.array([2, -1])), ag.DTypeError,
     ("**=", "negative power")),
    (np.ones(2), lambda t: t.__iadd__(np.array([1j, 1])), ag.DTypeError, ("+=", "complex")),
    (np.ones(2), lambda t: t.__iadd__(np.array(["a", "b"])), ag.DTypeError,
     ("+=", "dtype <U1")),
])
def test_bad_in_place_updates_name_the_operator_and_change_nothing(start, update, error,
                                                                  pieces):
    t = ag.tensor(start)
    _unchanged_after(error, pieces, t, lambda: update(t))


def test_in_place_keeps_the_dtype_of_the_tensor():
    t = ag.tensor([1.0, 2.0], dtype=np.float32)
    t += np.array([0.1, 0.2])               # float64 operand, float32 result (same_kind)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.numpy(), np.float32([1.0, 2.0]) + np.float32([0.1, 0.2]))
    n = ag.tensor([1, 2])
    n *= 3
    assert n.dtype == np.int64 and n.tolist() == [3, 6]


def test_a_broadcast_view_cannot_be_written_in_place():
    x = ag.tensor([1.0, 2.0])
    b = x.broadcast_to(3, 2)
    _unchanged_after(ag.GraphError, ("+=", "read-only", "broadcast_to", "t = t * 1"), b,
                     lambda: b.__iadd__(1))


# --- complex, text and objects ----------------------------------------------------------------

@pytest.mark.parametrize("make, pieces", [
    (lambda: ag.tensor([1 + 2j, 1]), ("tensor", "complex", "complex128", "np.real")),
    (lambda: ag.tensor([1.0], dtype=complex), ("tensor", "complex")),
    (lambda: ag.as_tensor(np.array([1j])), ("as_tensor", "complex")),
    (lambda: ag.tensor(["a", "b"]), ("tensor", "dtype <U1", "shape (2,)", "numbers")),
    (lambda: ag.tensor([{"a": 1}]), ("tensor", "Python objects")),
])
def test_tensors_hold_real_numbers_only(make, pieces):
    with pytest.raises(ag.DTypeError) as info:
        make()
    assert all(piece in str(info.value) for piece in pieces), str(info.value)


W = ag.tensor([1.0, 2.0], requires_grad=True)


@pytest.mark.parametrize("run, pieces", [
    (lambda: W * np.array([1j, 1]), ("mul: complex", "shape (2,)")),
    (lambda: np.array([1j, 1]) * W, ("mul: complex",)),
    (lambda: W + 1j, ("add: complex",)),
    (lambda: 2j / W, ("div: complex",)),
    (lambda: W - np.array(["a", "b"]), ("sub: cannot make a tensor of dtype <U1",)),
    (lambda: W ** np.array([None, 1]), ("pow: cannot make a tensor of Python objects",)),
    (lambda: ag.where(W > 1, W, "x"), ("where: cannot make a tensor of dtype <U1",)),
    (lambda: ag.maximum(W, np.array([1j, 0])), ("maximum: complex",)),
])
def test_an_operand_that_is_not_real_numbers_is_refused_naming_the_op(run, pieces):
    with pytest.raises(ag.DTypeError) as info:
        run()
    assert all(piece in str(info.value) for piece in pieces), str(info.value)


def test_complex_or_text_gradients_and_data_are_refused():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    for seed, piece in [(np.array([1 + 1j, 1]), "complex128"), (np.array(["a", "b"]), "<U1")]:
        with pytest.raises(ag.DTypeError, match=f"backward: the gradient .* dtype {piece}"):
            y.backward(seed, retain_graph=True)
        with pytest.raises(ag.DTypeError, match="real numbers"):
            ag.grad(y, x, grad_outputs=seed, retain_graph=True)
    assert x.grad is None
    with pytest.raises(ag.DTypeError, match="data: complex"):
        x.data = np.array([1j, 2])
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])


# --- pickle and deepcopy: the value, never the graph ------------------------------------------

def _computed():
    X = ag.tensor(np.ones((200, 500)), name="X")          # 800 kB that must not be stored
    w = ag.tensor(np.full((1, 200), 0.5), requires_grad=True, name="w")
    return w, ag.sigmoid(w @ X).mean()


def test_pickle_keeps_the_value_and_a_computed_tensor_loads_as_a_leaf():
    w, J = _computed()
    blob = pickle.dumps(J)
    assert len(blob) < 1000                               # was 1.9 MB: the graph and X
    loaded = pickle.loads(blob)
    assert loaded.is_leaf and loaded.requires_grad and loaded.grad_fn is None
    assert loaded.item() == J.item() and loaded.dtype == J.dtype
    loaded.backward()
    assert loaded.grad.item() == 1.0 and w.grad is None

    w.grad = ag.tensor(np.ones((1, 200)))
    again = pickle.loads(pickle.dumps(w))
    assert (again.name, again.requires_grad, again.grad, again.is_leaf) == ("w", True, None,
                                                                           True)
    np.testing.assert_array_equal(again.numpy(), w.numpy())


def test_pickle_of_a_view_stores_only_its_values():
    big = ag.tensor(np.arange(10000.0))
    blob = pickle.dumps(big[:3])
    assert len(blob) < 1000                               # not the 80 kB of its base
    np.testing.assert_array_equal(pickle.loads(blob).numpy(), [0.0, 1.0, 2.0])


def test_deepcopy_of_a_computed_tensor_is_refused_as_in_pytorch():
    w, J = _computed()
    for copier in (copy.deepcopy, copy.copy):
        with pytest.raises(ag.GraphError, match=r"copy: only leaf tensors .* computed by "
                                                r"'div'.*copy\.deepcopy\(t\.detach\(\)\)"):
            copier(J)
    value = copy.deepcopy(J.detach())
    assert value.is_leaf and value.item() == J.item()
    J.backward()                                          # the original graph still works
    assert w.grad is not None


def test_deepcopy_of_a_leaf_copies_value_grad_and_flags_and_is_a_new_leaf():
    w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    (w * w).sum().backward()
    twin = copy.deepcopy(w)
    assert twin is not w and not np.shares_memory(twin.numpy(), w.numpy())
    assert (twin.name, twin.requires_grad, twin.is_leaf) == ("w", True, True)
    np.testing.assert_array_equal(twin.grad.numpy(), [2.0, 4.0])
    assert twin.grad is not w.grad
    twin.grad = None
    (twin * 3).sum().backward()                           # a backward fills the copy's grad
    np.testing.assert_array_equal(twin.grad.numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])
    pair = copy.deepcopy([w, w])                          # one tensor stays one tensor
    assert pair[0] is pair[1]
    view = copy.deepcopy(w.detach())                      # a copy is not an alias
    w_data = w.numpy()
    J = (w * 2).sum()
    view.data += 1
    J.backward()                                          # not refused
    assert w.numpy() is w_data
