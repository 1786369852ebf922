"""The functional API (ag.vjp, jvp, jacobian, hessian, vhp, hvp): analytic Jacobians and
Hessians of known functions, central differences over random shapes, the laws tying the
products together, create_graph, compiled steps bitwise equal to eager, and clear errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import arrays, shapes

# vectors against matrices are meant here (the course's rank-1 warning is for layers)
pytestmark = pytest.mark.filterwarnings("ignore::autograd_lite.RankOneWarning")

SMOOTH = {   # elementwise-and-mixing functions of one array, with derivatives everywhere
    "tanh_sum_mix": lambda x: ag.tanh(x) * x.sum(),
    "sin_times_exp": lambda x: ag.sin(x) * ag.exp(0.3 * x),
    "softmax_flat": lambda x: ag.softmax(x.reshape(-1), axis=0).reshape(x.shape) * x,
    "cube_and_square": lambda x: x ** 3 - 2.0 * x * x,
    "sigmoid_of_outer": lambda x: ag.sigmoid(x.reshape(-1, 1) * x.reshape(1, -1)),
}


def numerical_jacobian(f, x):
    """Central-difference Jacobian, shape out.shape + x.shape, from ag.numerical_grad."""
    x = np.asarray(x, dtype=np.float64)
    with ag.no_grad():
        out_shape = f(ag.tensor(x)).shape
    rows = []
    for i in range(int(np.prod(out_shape))):
        seed = np.zeros(int(np.prod(out_shape)))
        seed[i] = 1.0
        rows.append(ag.numerical_grad(f, [x], grad_output=seed.reshape(out_shape))[0])
    return np.array(rows).reshape(out_shape + x.shape)


def engine_gradient(f):
    """x -> ∇f(x) by the engine (a function numerical_grad can difference)."""
    def gradient(t):
        with ag.enable_grad():
            y = t.detach().requires_grad_()
            return ag.grad(f(y), y)
    return gradient


# --- analytic Jacobians -----------------------------------------------------------------------

def test_jacobian_of_a_linear_map_is_its_matrix():
    A = np.arange(6.0).reshape(3, 2)
    J = ag.jacobian(lambda x: ag.tensor(A) @ x, np.array([1.0, -1.0]))
    assert isinstance(J, ag.Tensor) and J.shape == (3, 2)
    np.testing.assert_array_equal(J.numpy(), A)


def test_jacobian_of_an_elementwise_square_is_diagonal():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_array_equal(ag.jacobian(lambda t: t * t, x).numpy(), np.diag(2 * x))


def test_jacobian_of_a_matrix_product_has_shape_out_plus_in():
    # Z = X @ B: dZ[i, j] / dX[k, l] = δ_ik B[l, j]
    B = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    X = np.random.default_rng(0).standard_normal((4, 2))
    J = ag.jacobian(lambda t: t @ ag.tensor(B), X)
    assert J.shape == (4, 3, 4, 2)
    expected = np.einsum("ik,lj->ijkl", np.eye(4), B)
    np.testing.assert_array_equal(J.numpy(), expected)


def test_jacobian_of_softmax_is_diag_minus_outer():
    x = np.array([0.5, -1.0, 2.0])
    s = np.exp(x) / np.exp(x).sum()
    J = ag.jacobian(lambda t: ag.softmax(t, axis=0), x)
    np.testing.assert_allclose(J.numpy(), np.diag(s) - np.outer(s, s), rtol=1e-12, atol=1e-15)


def test_jacobian_of_a_scalar_function_is_its_gradient_and_of_a_scalar_input_a_column():
    x = np.array([1.0, 2.0, 3.0])
    g = ag.jacobian(lambda t: (t ** 2).sum(), x)
    assert g.shape == (3,)
    np.testing.assert_array_equal(g.numpy(), 2 * x)
    c = ag.jacobian(lambda s: s * ag.tensor(x), 2.0)          # a float input
    assert c.shape == (3,)
    np.testing.assert_array_equal(c.numpy(), x)


def test_jacobian_of_several_inputs_is_a_tuple_per_input():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 5.0])
    dx, dy = ag.jacobian(lambda a, b: a * b, (x, y))
    np.testing.assert_array_equal(dx.numpy(), np.diag(y))
    np.testing.assert_array_equal(dy.numpy(), np.diag(x))
    one = ag.jacobian(lambda a: a * 3.0, (x,))                 # a 1-tuple gives a 1-tuple
    assert isinstance(one, tuple) and len(one) == 1


def test_jacobian_of_several_outputs_is_a_tuple_over_outputs():
    x, y = np.array([1.0, 2.0]), np.array(3.0)
    J = ag.jacobian(lambda a, b: (a * b, (a ** 2).sum()), (x, y))
    (d0x, d0y), (d1x, d1y) = J
    np.testing.assert_array_equal(d0x.numpy(), np.diag([3.0, 3.0]))
    np.testing.assert_array_equal(d0y.numpy(), x)
    np.testing.assert_array_equal(d1x.numpy(), 2 * x)
    assert d1y.shape == () and d1y.item() == 0.0               # not used: zeros


def test_an_input_the_output_does_not_use_gets_zeros():
    dx, dy = ag.jacobian(lambda a, b: a * 2.0, (np.ones(2), np.ones(3)))
    np.testing.assert_array_equal(dy.numpy(), np.zeros((2, 3)))
    J = ag.jacobian(lambda a: ag.tensor([1.0, 2.0]), np.ones(3))   # a constant output
    np.testing.assert_array_equal(J.numpy(), np.zeros((2, 3)))


def test_a_list_is_one_array_like_input():
    J = ag.jacobian(lambda a: a * a, [1.0, 2.0])
    np.testing.assert_array_equal(J.numpy(), np.diag([2.0, 4.0]))


@pytest.mark.parametrize("name", sorted(SMOOTH))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_jacobian_matches_central_differences(name, data):
    x = data.draw(arrays(shape=shapes(min_dims=0, max_dims=2, max_side=3),
                         min_value=-2.0, max_value=2.0))
    f = SMOOTH[name]
    J = ag.jacobian(f, x)
    with ag.no_grad():
        out_shape = f(ag.tensor(x)).shape
    assert J.shape == out_shape + x.shape
    np.testing.assert_allclose(J.numpy(), numerical_jacobian(f, x), rtol=1e-5, atol=1e-6)


# --- analytic Hessians ------------------------------------------------------------------------

def test_hessian_of_a_quadratic_form_is_the_symmetric_part():
    A = np.array([[2.0, 1.0, 0.0], [3.0, -1.0, 4.0], [0.5, 0.0, 1.0]])
    H = ag.hessian(lambda x: x @ ag.tensor(A) @ x, np.array([0.3, -0.2, 1.0]))
    np.testing.assert_allclose(H.numpy(), A + A.T, rtol=1e-15)


def test_hessian_of_sum_exp_is_diagonal_and_of_a_linear_function_zero():
    x = np.array([0.0, 1.0, -1.0])
    np.testing.assert_array_equal(ag.hessian(lambda t: ag.exp(t).sum(), x).numpy(),
                                  np.diag(np.exp(x)))
    np.testing.assert_array_equal(
        ag.hessian(lambda t: (t * ag.tensor([1.0, 2.0, 3.0])).sum(), x).numpy(),
        np.zeros((3, 3)))


def test_hessian_of_a_matrix_input_has_shape_in_plus_in():
    # f(X) = Σ X² ⇒ H = 2 I over the 6 entries
    H = ag.hessian(lambda X: (X * X).sum(), np.ones((2, 3)))
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_array_equal(H.numpy().reshape(6, 6), 2 * np.eye(6))


def test_hessian_of_several_inputs_has_blocks():
    # f(x, y) = x² y + sin(y): f_xx = 2y, f_xy = 2x, f_yy = -sin(y)
    x, y = 1.5, 0.7
    (hxx, hxy), (hyx, hyy) = ag.hessian(lambda a, b: a * a * b + ag.sin(b), (x, y))
    assert hxx.item() == 2 * y and hxy.item() == 2 * x and hyx.item() == 2 * x
    assert hyy.item() == -np.sin(y)
    blocks = ag.hessian(lambda a, b: (a * a).sum() * (b ** 3).sum(),
                        (np.ones(2), np.array([1.0, 2.0, 3.0])))
    assert [[b.shape for b in row] for row in blocks] == [[(2, 2), (2, 3)], [(3, 2), (3, 3)]]
    np.testing.assert_array_equal(blocks[0][1].numpy(), np.outer(2 * np.ones(2),
                                                                 3 * np.array([1, 4, 9.0])))


@pytest.mark.parametrize("name", sorted(SMOOTH))
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_hessian_is_symmetric_and_matches_differences_of_the_gradient(name, data):
    x = data.draw(arrays(shape=shapes(min_dims=1, max_dims=2, max_side=3),
                         min_value=-2.0, max_value=2.0))
    with ag.no_grad():
        w = data.draw(arrays(shape=st.just(SMOOTH[name](ag.tensor(x)).shape)))

    def f(t):
        return (SMOOTH[name](t) * ag.tensor(w)).sum()
    H = ag.hessian(f, x).numpy()
    n = x.size
    flat = H.reshape(n, n)
    np.testing.assert_allclose(flat, flat.T, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(H, numerical_jacobian(engine_gradient(f), x),
                               rtol=1e-4, atol=1e-5)


def test_hessian_refuses_a_non_scalar_output():
    with pytest.raises(ag.ShapeError, match=r"hessian: .*single-element.*\(3,\)"):
        ag.hessian(lambda t: t * t, np.ones(3))
    with pytest.raises(ag.ShapeError, match="hessian: .*tuple"):
        ag.hessian(lambda t: (t.sum(), t.sum()), np.ones(3))
    assert ag.hessian(lambda t: (t * t).sum().reshape(1, 1), np.ones(2)).shape == (2, 2)


# --- products with vectors --------------------------------------------------------------------

def _point_and_vectors(data, f, min_dims, max_dims):
    """A point x, a tangent u shaped like x and a cotangent v shaped like f(x)."""
    x = data.draw(arrays(shape=shapes(min_dims=min_dims, max_dims=max_dims, max_side=3),
                         min_value=-2.0, max_value=2.0))
    with ag.no_grad():
        out_shape = f(ag.tensor(x)).shape
    u = data.draw(arrays(shape=st.just(x.shape)))
    return x, u, data.draw(arrays(shape=st.just(out_shape)))

@settings(max_examples=25, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(SMOOTH)))
def test_vjp_and_jvp_are_adjoint(data, name):
    # <vᵀJ, u> == <v, J u> for any u, v: the double-vjp jvp is the transpose of vjp
    f = SMOOTH[name]
    x, u, v = _point_and_vectors(data, f, min_dims=0, max_dims=3)
    out1, vJ = ag.vjp(f, x, v)
    out2, Ju = ag.jvp(f, x, u)
    np.testing.assert_array_equal(out1.numpy(), out2.numpy())
    lhs, rhs = np.sum(vJ.numpy() * u), np.sum(v * Ju.numpy())
    np.testing.assert_allclose(lhs, rhs, rtol=1e-10, atol=1e-10)


@settings(max_examples=15, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(SMOOTH)))
def test_vjp_matches_numerical_grad_and_jvp_the_jacobian(data, name):
    f = SMOOTH[name]
    x, u, v = _point_and_vectors(data, f, min_dims=1, max_dims=2)
    out_shape = v.shape
    _, vJ = ag.vjp(f, x, v)
    np.testing.assert_allclose(vJ.numpy(), ag.numerical_grad(f, [x], grad_output=v)[0],
                               rtol=1e-5, atol=1e-6)
    _, Ju = ag.jvp(f, x, u)
    J = ag.jacobian(f, x).numpy().reshape(int(np.prod(out_shape)), x.size)
    np.testing.assert_allclose(Ju.numpy().reshape(-1), J @ u.reshape(-1),
                               rtol=1e-10, atol=1e-10)


def test_jvp_of_several_inputs_and_outputs():
    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    (o1, o2), (t1, t2) = ag.jvp(lambda a, b: (a * b, ag.exp(a).sum()), (x, y),
                                v=(np.array([1.0, 0.5]), np.array([0.0, 2.0])))
    np.testing.assert_array_equal(o1.numpy(), x * y)
    np.testing.assert_array_equal(t1.numpy(), y * [1.0, 0.5] + x * [0.0, 2.0])
    np.testing.assert_allclose(t2.item(), np.exp(1.0) + 0.5 * np.exp(2.0), rtol=1e-15)


def test_vjp_of_several_outputs_takes_one_v_each():
    x = np.array([1.0, 2.0])
    (o1, o2), g = ag.vjp(lambda a: (a * a, a.sum()), x, v=(np.array([1.0, 1.0]), 2.0))
    np.testing.assert_array_equal(g.numpy(), 2 * x + 2.0)


def test_v_may_be_left_out_for_one_element():
    _, g = ag.vjp(lambda a: (a * a).sum(), np.array([1.0, 3.0]))
    np.testing.assert_array_equal(g.numpy(), [2.0, 6.0])
    _, t = ag.jvp(lambda a: ag.stack([a, a * a]), 3.0)
    np.testing.assert_array_equal(t.numpy(), [1.0, 6.0])


@settings(max_examples=15, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(SMOOTH)))
def test_hvp_and_vhp_equal_the_hessian_times_v(data, name):
    x = data.draw(arrays(shape=shapes(min_dims=1, max_dims=2, max_side=3),
                         min_value=-2.0, max_value=2.0))
    v = data.draw(arrays(shape=st.just(x.shape)))

    def f(t):
        return SMOOTH[name](t).sum()
    H = ag.hessian(f, x).numpy().reshape(x.size, x.size)
    out, Hv = ag.hvp(f, x, v)
    _, vH = ag.vhp(f, x, v)
    with ag.no_grad():
        assert out.item() == f(ag.tensor(x)).item()
    np.testing.assert_allclose(Hv.numpy().reshape(-1), H @ v.reshape(-1), rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(vH.numpy().reshape(-1), v.reshape(-1) @ H, rtol=1e-9,
                               atol=1e-9)


def test_hvp_of_several_inputs():
    # f = x² y: H = [[2y, 2x], [2x, 0]]
    _, (px, py) = ag.hvp(lambda a, b: (a * a * b).sum(), (np.array([2.0]), np.array([5.0])),
                         v=(np.array([1.0]), np.array([1.0])))
    assert px.item() == 10.0 + 4.0 and py.item() == 4.0


# --- create_graph -----------------------------------------------------------------------------

def test_create_graph_makes_the_jacobian_differentiable():
    x = ag.tensor([0.5, -1.0, 2.0], requires_grad=True)
    J = ag.jacobian(lambda t: t ** 3, x, create_graph=True)   # diag(3x²)
    assert J.requires_grad
    (J * J).sum().backward()                                 # Σ 9x⁴ ⇒ 36 x³
    np.testing.assert_allclose(x.grad.numpy(), 36 * x.numpy() ** 3, rtol=1e-14)


def test_without_create_graph_results_are_constants_and_grad_is_untouched():
    x = ag.tensor([0.5, -1.0], requires_grad=True)
    out, g = ag.vjp(lambda t: ag.sin(t), x, v=np.ones(2))
    for t in (out, g, ag.jacobian(ag.sin, x), ag.hessian(lambda t: ag.sin(t).sum(), x)):
        assert not t.requires_grad
    assert x.grad is None


def test_jacobian_of_a_jacobian_is_the_hessian():
    f = lambda t: (ag.sin(t) * t.sum()).sum()
    x = np.array([0.3, -0.7, 1.1])
    H1 = ag.hessian(f, x).numpy()
    H2 = ag.jacobian(lambda t: ag.jacobian(f, t, create_graph=True), x).numpy()
    np.testing.assert_allclose(H1, H2, rtol=1e-13, atol=1e-14)


def test_create_graph_hvp_and_jvp_differentiate_again():
    # d/dx of (H v) for f = Σ x⁴: H v = 12 x² v ⇒ d/dx Σ (H v) = 24 x v
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    v = np.array([0.5, 3.0])
    _, Hv = ag.hvp(lambda t: (t ** 4).sum(), x, v, create_graph=True)
    np.testing.assert_allclose(ag.grad(Hv.sum(), x).numpy(), 24 * x.numpy() * v, rtol=1e-14)
    _, Ju = ag.jvp(lambda t: ag.exp(2.0 * t), x, v, create_graph=True)   # 2 e^{2x} v
    np.testing.assert_allclose(ag.grad(Ju.sum(), x).numpy(), 4 * np.exp(2 * x.numpy()) * v,
                               rtol=1e-14)


def test_third_derivative_by_nesting():
    # f = x⁵: f''' = 60 x²
    x = 1.5
    third = ag.jacobian(lambda t: ag.hessian(lambda s: s ** 5, t, create_graph=True), x)
    np.testing.assert_allclose(third.item(), 60 * x ** 2, rtol=1e-14)


# --- inputs of every kind ---------------------------------------------------------------------

def test_float32_and_tensor_inputs_keep_their_dtype():
    x = ag.tensor(np.array([1.0, 2.0], dtype=np.float32))
    J = ag.jacobian(lambda t: t * t, x)
    assert J.dtype == np.float32
    np.testing.assert_array_equal(J.numpy(), np.diag([2.0, 4.0]).astype(np.float32))


def test_the_inputs_data_is_not_changed():
    x = np.array([1.0, 2.0])
    ag.hessian(lambda t: (t ** 3).sum(), x)
    ag.jvp(lambda t: t * t, x, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [ag.jacobian, ag.hessian,
                                  lambda f, x: ag.vjp(f, x, 1.0), lambda f, x: ag.jvp(f, x, 1.0),
                                  lambda f, x: ag.hvp(f, x, 1.0), lambda f, x: ag.vhp(f, x, 1.0)])
def test_a_function_returning_a_non_tensor_is_refused(call):
    with pytest.raises(TypeError, match="must return a Tensor.*float"):
        call(lambda t: float(t.item()) * 2.0, 1.0)
    with pytest.raises(TypeError, match="must return a Tensor.*ndarray"):
        call(lambda t: np.ones(1), 1.0)


def test_an_integer_input_is_refused():
    with pytest.raises(ag.DTypeError, match=r"jacobian: input 1 \(shape \(2,\)\) has dtype int"):
        ag.jacobian(lambda a, b: a * b, (1.0, np.array([1, 2])))
    with pytest.raises(ag.DTypeError, match="hessian: input 0 .* dtype int"):
        ag.hessian(lambda a: a * a, 3)
    with pytest.raises(ag.DTypeError, match="vjp: input 0 .*bool"):
        ag.vjp(lambda a: a, ag.tensor([True, False]), v=[1.0, 1.0])


def test_an_integer_output_is_refused():
    with pytest.raises(ag.DTypeError, match=r"jacobian: the output \(shape \(\)\).*int64"):
        ag.jacobian(lambda a: ag.argmax(a), np.ones(3))


def test_v_of_the_wrong_shape_or_count_is_refused():
    f = lambda t: t * 2.0
    with pytest.raises(ag.ShapeError, match=r"vjp: v has shape \(2,\) but the output has "
                                            r"shape \(3,\)"):
        ag.vjp(f, np.ones(3), np.ones(2))
    with pytest.raises(ag.ShapeError, match=r"jvp: v\[1\] has shape \(\) but the input 1 "
                                            r"has shape \(2,\)"):
        ag.jvp(lambda a, b: a * b, (np.ones(2), np.ones(2)), v=(np.ones(2), 1.0))
    with pytest.raises(ag.ShapeError, match="jvp: v has 1 entries but there are 2 inputs"):
        ag.jvp(lambda a, b: a * b, (np.ones(2), np.ones(2)), v=np.ones(2))
    with pytest.raises(ag.ShapeError, match=r"vjp: v can only be left out .*\(3,\)"):
        ag.vjp(f, np.ones(3))
    with pytest.raises(ag.ShapeError, match=r"hvp: v has shape \(3,\) but the input"):
        ag.hvp(lambda t: t.sum(), np.ones(2), np.ones(3))


def test_a_ragged_input_is_refused():
    with pytest.raises(TypeError, match="jacobian: input 0 is not an array of numbers"):
        ag.jacobian(lambda t: t, [[1.0], [1.0, 2.0]])


# --- in a compiled step -----------------------------------------------------------------------

def _flat(results):
    if isinstance(results, (list, tuple)):
        for r in results:
            yield from _flat(r)
    else:
        yield results


def _assert_bitwise(a, b):
    a, b = list(_flat(a)), list(_flat(b))
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, ag.Tensor):
            assert isinstance(y, ag.Tensor) and x.dtype == y.dtype and x.shape == y.shape
            assert np.array_equal(x.numpy(), y.numpy(), equal_nan=True), (x, y)
        else:
            assert x == y


def test_every_function_in_a_compiled_step_equals_eager_bitwise():
    rng = np.random.RandomState(0)
    W = ag.tensor(rng.randn(3, 2), requires_grad=True, name="W")

    def model(x, y):
        return ag.tanh(W @ x) * (y * y).sum(), ag.sigmoid(x).sum()

    def loss(x, y):
        return (ag.sin(W @ x) ** 2).sum() * ag.exp(y).mean()

    def step(x, y):
        W.grad = None
        J = ag.jacobian(model, (x, y), create_graph=True)
        out, Ju = ag.jvp(model, (x, y), v=(np.ones(2), y))
        _, vJ = ag.vjp(model, (x, y), v=(np.arange(3.0), 2.0))
        H = ag.hessian(loss, (x, y))
        _, Hv = ag.hvp(loss, (x, y), v=(x, np.ones(4)))
        _, vH = ag.vhp(loss, (x, y), v=(x, np.ones(4)))
        (J[0][0] ** 2).sum().backward()          # through the Jacobian, into W
        return J, out, Ju, vJ, H, Hv, vH, W.grad

    compiled = ag.compile(step)
    for _ in range(4):
        x, y = rng.randn(2, 1).reshape(2), rng.randn(4)
        _assert_bitwise(step(x, y), compiled(x, y))
    assert compiled.captures == 1 and compiled.replays == 3


def test_a_compiled_hessian_follows_the_data_of_a_tensor_argument():
    def step(x):
        return ag.hessian(lambda t: (t ** 4).sum() + (t[0] * t[1]), x)
    compiled = ag.compile(step)
    for values in ([1.0, 2.0], [-3.0, 0.5], [0.0, 0.0]):
        x = ag.tensor(values)
        expected = np.diag(12 * np.array(values) ** 2) + np.array([[0.0, 1.0], [1.0, 0.0]])
        _assert_bitwise(step(x), compiled(x))
        np.testing.assert_array_equal(compiled(x).numpy(), expected)
    assert compiled.replays >= 2


def test_a_missing_function_or_point_is_refused():
    with pytest.raises(TypeError, match="jacobian: expected a function .* got int"):
        ag.jacobian(3, 1.0)
    with pytest.raises(TypeError, match="hvp: inputs is an empty tuple"):
        ag.hvp(lambda: ag.tensor(1.0), ())
    for call in (ag.hvp, ag.vhp):
        with pytest.raises(ag.ShapeError, match=r"v?h?p: the function must return a "
                                                r"single-element Tensor .*\(2,\)"):
            call(lambda t: t * t, np.ones(2), np.ones(2))


# --- PyTorch's options: strategy, strict ------------------------------------------------------

@settings(max_examples=10, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(SMOOTH)))
def test_forward_mode_jacobian_and_hessian_equal_reverse_mode(data, name):
    f = SMOOTH[name]
    x = data.draw(arrays(shape=shapes(min_dims=0, max_dims=2, max_side=3),
                         min_value=-2.0, max_value=2.0))
    forward = ag.jacobian(f, x, strategy="forward-mode")
    reverse = ag.jacobian(f, x)
    assert forward.shape == reverse.shape
    np.testing.assert_allclose(forward.numpy(), reverse.numpy(), rtol=1e-12, atol=1e-14)
    g = lambda t: f(t).sum()
    np.testing.assert_allclose(ag.hessian(g, x, outer_jacobian_strategy="forward-mode").numpy(),
                               ag.hessian(g, x).numpy(), rtol=1e-10, atol=1e-12)


def test_forward_mode_jacobian_of_several_inputs_and_outputs():
    def f(a, b):
        return a * b.sum(), ag.exp(a).sum() * b[0]
    point = (np.array([1.0, -0.5]), np.array([0.3, 2.0, -1.0]))
    forward = ag.jacobian(f, point, strategy="forward-mode")
    reverse = ag.jacobian(f, point)
    for row_f, row_r in zip(forward, reverse):
        for jf, jr in zip(row_f, row_r):
            assert jf.shape == jr.shape
            np.testing.assert_allclose(jf.numpy(), jr.numpy(), rtol=1e-14)


def test_forward_mode_with_create_graph_differentiates_again():
    x = ag.tensor([0.5, -1.0], requires_grad=True)
    J = ag.jacobian(lambda t: t ** 3, x, create_graph=True, strategy="forward-mode")
    (J * J).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 36 * x.numpy() ** 3, rtol=1e-14)


def test_strict_refuses_an_output_independent_of_an_input():
    f = lambda a, b: a * 2.0
    point = (np.ones(2), np.ones(3))
    for call in (lambda **k: ag.jacobian(f, point, **k),
                 lambda **k: ag.jacobian(f, point, strategy="forward-mode", **k),
                 lambda **k: ag.vjp(f, point, np.ones(2), **k),
                 lambda **k: ag.jvp(f, point, (np.ones(2), np.ones(3)), **k),
                 lambda **k: ag.hessian(lambda a, b: (a * a).sum(), point, **k),
                 lambda **k: ag.hvp(lambda a, b: (a * a).sum(), point,
                                    (np.ones(2), np.ones(3)), **k)):
        call()                                             # zeros without strict
        with pytest.raises(ag.GraphError, match="does not depend on input 1.*strict=True"):
            call(strict=True)


def test_an_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="jacobian: the strategy must be 'reverse-mode' or "
                                         "'forward-mode', not 'sideways'"):
        ag.jacobian(lambda t: t, 1.0, strategy="sideways")


def test_a_forward_mode_jacobian_in_a_compiled_step_equals_eager():
    W = ag.tensor(np.random.default_rng(1).standard_normal((3, 2)), requires_grad=True)

    def step(x):
        return ag.jacobian(lambda t: ag.tanh(W @ t) * t.sum(), x, strategy="forward-mode")
    compiled = ag.compile(step)
    rng = np.random.default_rng(2)
    for _ in range(3):
        x = rng.standard_normal(2)
        _assert_bitwise(step(x), compiled(x))
    assert compiled.replays == 2
