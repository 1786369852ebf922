"""einsum: random subscripts (repeated indices, implicit output, '...' broadcasting, several
operands) — value equal to numpy's, gradients of every operand at first and second order."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import arrays, assert_gradients_match, assert_second_gradients_match
from op_checks import check_compiled_step_is_bitwise_eager

FIRST = settings(max_examples=40, deadline=None)
SECOND = settings(max_examples=15, deadline=None)

LETTERS = "ijkl"


@st.composite
def einsum_case(draw):
    """Random subscripts over a few letters with random sizes (size 1 and 0 included)."""
    sizes = {c: draw(st.integers(0, 3)) for c in LETTERS}
    n_ops = draw(st.integers(1, 3))
    terms = [draw(st.lists(st.sampled_from(LETTERS), max_size=3)) for _ in range(n_ops)]
    use_dots = draw(st.booleans())
    batch = draw(st.lists(st.integers(1, 2), max_size=2)) if use_dots else []
    operands, specs = [], []
    for term in terms:
        shape = [sizes[c] for c in term]
        if use_dots:
            # each operand covers the batch axes from the right; some of them as size 1
            k = draw(st.integers(0, len(batch)))
            dims = [1 if draw(st.booleans()) else n for n in batch[len(batch) - k:]]
            shape = dims + shape
            specs.append("..." + "".join(term))
        else:
            specs.append("".join(term))
        operands.append(draw(arrays(tuple(shape), min_value=-2, max_value=2)))
    seen = "".join("".join(t) for t in terms)
    if draw(st.booleans()):                    # implicit output
        subscripts = ",".join(specs)
    else:
        out = draw(st.lists(st.sampled_from(sorted(set(seen))), unique=True)) if seen else []
        subscripts = ",".join(specs) + "->" + ("..." if use_dots else "") + "".join(out)
    return subscripts, operands


@FIRST
@given(einsum_case())
def test_einsum_value_and_first_order(case):
    subscripts, operands = case
    expected = np.einsum(subscripts, *operands)
    np.testing.assert_array_equal(ag.einsum(subscripts, *operands).numpy(), expected)
    via_numpy = np.einsum(subscripts, *[ag.tensor(x) for x in operands])
    np.testing.assert_array_equal(via_numpy.numpy(), expected)
    assert_gradients_match(lambda *ts: ag.einsum(subscripts, *ts), operands)


@SECOND
@given(einsum_case())
def test_einsum_second_order(case):
    subscripts, operands = case
    assert_second_gradients_match(lambda *ts: ag.einsum(subscripts, *ts) ** 2, operands)


@pytest.mark.parametrize("subscripts, shapes", [
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ij,jk", [(2, 3), (3, 4)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]), ("i,i,i->", [(3,), (3,), (3,)]),
    ("iij,j->i", [(2, 2, 3), (3,)]), ("ij->", [(2, 3)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("i,j->ij", [(2,), (3,)]), ("iji->j", [(2, 3, 2)]),
])
def test_einsum_named_cases_at_both_orders(subscripts, shapes):
    rng = np.random.default_rng(3)
    operands = [rng.standard_normal(s) for s in shapes]
    np.testing.assert_array_equal(ag.einsum(subscripts, *operands).numpy(),
                                  np.einsum(subscripts, *operands))
    assert_gradients_match(lambda *ts: ag.einsum(subscripts, *ts), operands)
    assert_second_gradients_match(lambda *ts: ag.einsum(subscripts, *ts) ** 2, operands)


def test_einsum_optimize_gives_the_same_gradients():
    rng = np.random.default_rng(5)
    a, b, c = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    np.testing.assert_allclose(ag.einsum("ij,jk,k->i", a, b, c, optimize=True).numpy(),
                               np.einsum("ij,jk,k->i", a, b, c, optimize=True), rtol=1e-12)
    assert_gradients_match(lambda *ts: ag.einsum("ij,jk,k->i", *ts, optimize="greedy"),
                           [a, b, c])
    assert_second_gradients_match(
        lambda *ts: ag.einsum("ij,jk,k->i", *ts, optimize=True) ** 2, [a, b, c])


def test_einsum_trace_gradient_is_the_identity_and_diag_gradient_sits_on_the_diagonal():
    A = ag.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    ag.einsum("ii", A).backward()
    np.testing.assert_array_equal(A.grad.numpy(), np.eye(3))
    A.zero_grad()
    ag.einsum("ii->i", A).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(A.grad.numpy(), np.diag([1.0, 2.0, 3.0]))


def test_einsum_errors_name_the_op_and_the_shapes():
    a = ag.tensor(np.ones((2, 3)))
    with pytest.raises(ag.ShapeError, match=r"einsum: cannot apply to shapes \(2, 3\), \(2, 3\)"):
        ag.einsum("ij,jk", a, a)
    with pytest.raises(ag.ShapeError, match="name 1 operand"):
        ag.einsum("ij", a, a)
    with pytest.raises(TypeError, match="einsum: give the subscripts as a string"):
        ag.einsum(a, a)


# --- numpy's sublist form ---------------------------------------------------------------------

SUBLISTS = [
    ("matmul", [(2, 3), (3, 4)], [[0, 1], [1, 2]], [0, 2]),
    ("implicit transpose", [(2, 3)], [[1, 0]], None),
    ("trace", [(3, 3)], [[5, 5]], []),
    ("batched with ellipsis", [(2, 3, 4), (4, 5)], [[Ellipsis, 1], [1, 2]], [Ellipsis, 2]),
    ("high labels", [(2, 3), (3,)], [[30, 51], [51]], [30]),
    ("outer, implicit", [(2,), (3,)], [[7], [3]], None),
]


def sublist_args(operands, subs, out):
    args = [x for pair in zip(operands, subs) for x in pair]
    return args + ([] if out is None else [out])


@pytest.mark.parametrize("name, shapes, subs, out", SUBLISTS, ids=[s[0] for s in SUBLISTS])
def test_sublist_form_equals_numpys(name, shapes, subs, out):
    rng = np.random.default_rng(0)
    arrays_ = [rng.standard_normal(s) for s in shapes]
    expected = np.einsum(*sublist_args(arrays_, subs, out))
    got = ag.einsum(*sublist_args(arrays_, subs, out))
    np.testing.assert_array_equal(got.numpy(), expected)
    via_numpy = np.einsum(*sublist_args([ag.tensor(a) for a in arrays_], subs, out))
    assert isinstance(via_numpy, ag.Tensor)
    np.testing.assert_array_equal(via_numpy.numpy(), expected)
    f = lambda *ts: ag.einsum(*sublist_args(ts, subs, out))
    assert_gradients_match(f, arrays_)
    assert_second_gradients_match(lambda *ts: f(*ts) ** 2, arrays_)


@pytest.mark.parametrize("args, error, words", [
    ((np.ones(2), [52]), ValueError, ["sublist 0", "52", "0 to 51"]),
    ((np.ones(2), [-1]), ValueError, ["sublist 0", "-1"]),
    ((np.ones(2), "i"), TypeError, ["subscripts as a string first", "sublist 0"]),
    ((np.ones(2), [0], np.ones(2), [0], ["a"]), ValueError, ["sublist out", "'a'"]),
])
def test_bad_sublists_are_refused(args, error, words):
    with pytest.raises(error) as info:
        ag.einsum(*args)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_sublist_einsum_in_a_compiled_step_is_bitwise_eager():
    w = ag.tensor(np.random.default_rng(1).standard_normal((3, 3)), requires_grad=True)

    def step(x):
        w.grad = None
        out = np.einsum(x, [0, 1], w, [1, 2], [0, 2])
        (out ** 2).sum().backward()
        return out, w.grad

    rng = np.random.default_rng(2)
    compiled = check_compiled_step_is_bitwise_eager(
        step, [rng.standard_normal((2, 3)) for _ in range(3)])
    assert compiled.replays >= 1
