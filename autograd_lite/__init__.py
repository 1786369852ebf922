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
from .gradcheck import (GradcheckError, course_gradient_check, gradcheck,  # noqa: E402
                        gradgradcheck, numerical_grad)
from .viz import (GraphvizNotFoundError, draw_graph, gradient_norms, save_graph,  # noqa: E402
                  trace_backward)
