"""autograd_lite: a small reverse-mode automatic differentiation engine on numpy.

>>> import autograd_lite as ag
>>> w = ag.tensor([[0.5, -0.5]], requires_grad=True, name="w")
>>> x = ag.tensor([[1.0], [2.0]], name="x")
>>> a = ag.sigmoid(w @ x)
>>> a.sum().backward()
>>> w.grad.numpy().round(4).tolist()
[[0.235, 0.47]]
"""
from .tensor import Tensor, as_tensor, tensor  # first: it loads the ops
from .engine import backward, grad
from .errors import (AnomalyError, AutogradError, CaptureError, DTypeError, GraphError,
                     NumericalWarning, RankOneWarning, ShapeError)
from .function import (Function, current_scope, detect_anomaly, enable_grad, is_grad_enabled,
                       name_scope, no_grad, set_grad_enabled)
from .ops.activation import leaky_relu, log_softmax, relu, sigmoid, softmax, softplus, tanh
from .ops.elementwise import (abs, add, astype, clip, div, exp, log, maximum, minimum, mul, neg,
                              pow, sqrt, sub, where)
from .ops.linalg import dot, matmul
from .ops.movement import (broadcast_to, concatenate, getitem, reshape, squeeze, stack, sum_to,
                           swapaxes, transpose, unsqueeze)
from .ops.reduce import logsumexp, max, mean, min, sum
# the numpy vocabulary: trig, exponentials, piecewise, running products, statistics, sorting
from .ops.cumulative import cumprod, cumsum, diff, prod
from .ops.exponential import (erf, exp2, expm1, log1p, log2, log10, logaddexp, logaddexp2,
                              reciprocal, square)
from .ops.piecewise import (ceil, fabs, floor, floor_divide, fmax, fmin, fmod, isfinite, isinf,
                            isnan, mod, nan_to_num, remainder, rint, round, sign, trunc)
from .ops.sorting import all, any, argmax, argmin, argsort, sort
from .ops.stats import norm, std, var
from .ops.trig import (arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, cos, cosh,
                       deg2rad, hypot, rad2deg, sin, sinc, sinh, tan)
# shape, indexing and linear algebra (numpy's names and signatures)
from .ops.einsum import einsum
from .ops.indexing import (add_at, diag, diagonal, index_add, select, take, take_along_axis,
                           trace, tril, triu)
from .ops.joining import (append, array_split, atleast_1d, atleast_2d, atleast_3d,
                          column_stack, dsplit, dstack, expand_dims, hsplit, hstack, moveaxis,
                          ravel, rollaxis, split, vsplit, vstack)
from .ops.linalg_solve import det, inv, slogdet, solve
from .ops.products import cross, inner, kron, outer, tensordot
from .ops.shape import flip, fliplr, flipud, pad, repeat, roll, rot90, tile
# convolution and pooling of NCHW images (ops/conv.py, ops/pool.py)
from .ops.conv import conv2d
from .ops.pool import avg_pool2d, max_pool2d
# issue 19: bitwise and logical answers, closeness, nonzero, copysign, singular values
from .ops.logical import (allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, invert,
                          isclose, left_shift, logical_and, logical_not, logical_or,
                          logical_xor, nonzero, right_shift)
from .ops.piecewise import copysign
from .ops.cumulative import cummax, cummin
from .ops.linalg_solve import singular_values
# issue 19: numpy's spellings on Tensors
from .ops.grids import gradient, linspace
from .ops.joining import array, asarray
from .ops.sorting import argpartition, partition
# issue 19: the missing ops
from .ops.cumulative import logcumsumexp
from .ops.pool import max_unpool2d
from .ops.resample import interpolate
from .ops.indexing import scatter, scatter_reduce
from .ops.movement import sliding_window_view, unfold
from .ops.conv import conv_transpose2d

__version__ = "0.1.0"


def zeros(shape, requires_grad=False, dtype=None, name=None) -> Tensor:
    """A tensor of zeros (float64 unless ``dtype`` says otherwise)."""
    import numpy as np
    return Tensor(np.zeros(shape, dtype=dtype or np.float64), requires_grad, name=name)


def ones(shape, requires_grad=False, dtype=None, name=None) -> Tensor:
    """A tensor of ones (float64 unless ``dtype`` says otherwise)."""
    import numpy as np
    return Tensor(np.ones(shape, dtype=dtype or np.float64), requires_grad, name=name)


from .compile import CompiledStep, compile  # noqa: E402
from .functional import hessian, hvp, jacobian, jvp, vhp, vjp  # noqa: E402
from .gradcheck import (GradcheckError, course_gradient_check, gradcheck,  # noqa: E402
                        gradgradcheck, numerical_grad)
from .viz import (GraphvizNotFoundError, draw_graph, gradient_norms, save_graph,  # noqa: E402
                  trace_backward)
