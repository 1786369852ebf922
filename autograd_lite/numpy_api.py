"""numpy on Tensors: which ufunc or function runs which differentiable op.

``Tensor.__array_ufunc__`` and ``Tensor.__array_function__`` look numpy's callables up in
:data:`UFUNCS` and :data:`FUNCTIONS`; anything not listed here is refused by numpy with a
TypeError (no silent conversion to an array).  The ops' ``backward`` formulas are written
with these same numpy names, which is how one definition serves every order.
"""
from __future__ import annotations

import numpy as np

from .ops import activation as act
from .ops import einsum as _einsum
from .ops import elementwise as ew
from .ops import grids as _grids
from .ops import indexing as _indexing
from .ops import joining as _joining
from .ops import linalg, movement, reduce
from .ops import linalg_solve as _linalg_solve
from .ops import piecewise as _piecewise
from .ops import products as _products
from .ops import shape as _shape
from .ops import sorting as _sorting
from .tensor_math import numpy_tables

def _comparison(ufunc):
    return lambda a, b: ew.compare(ufunc, a, b)


# numpy ufuncs on Tensors -> our ops (ops' backward formulas are written with these).
UFUNCS = {
    np.add: ew.add, np.subtract: ew.sub, np.multiply: ew.mul, np.true_divide: ew.div,
    np.negative: ew.neg, np.positive: lambda a: a, np.power: ew.pow, np.exp: ew.exp,
    np.log: ew.log, np.sqrt: ew.sqrt, np.absolute: ew.abs, np.maximum: ew.maximum,
    np.minimum: ew.minimum, np.tanh: act.tanh, np.matmul: linalg.matmul,
    **{u: _comparison(u) for u in (np.less, np.less_equal, np.greater, np.greater_equal,
                                   np.equal, np.not_equal)},
}

# numpy functions on Tensors -> our ops.
def _np_clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    return ew.clip(a, a_min if a_min is not None else min, a_max if a_max is not None else max)


def _np_reshape(a, shape, order="C"):
    if order != "C":
        raise ValueError("reshape: only order='C' is supported for tensors")
    return movement.reshape(a, shape)


def _np_transpose(a, axes=None):
    return movement.transpose(a) if axes is None else movement.transpose(a, axes)


FUNCTIONS = {
    np.where: ew.where, np.clip: _np_clip, np.sum: reduce.sum, np.mean: reduce.mean,
    np.max: reduce.max, np.min: reduce.min, np.amax: reduce.max, np.amin: reduce.min,
    np.reshape: _np_reshape, np.transpose: _np_transpose,
    np.swapaxes: movement.swapaxes, np.expand_dims: movement.unsqueeze,
    np.squeeze: movement.squeeze, np.broadcast_to: movement.broadcast_to,
    np.concatenate: movement.concatenate, np.stack: movement.stack, np.dot: linalg.dot,
}


# --- numpy's math vocabulary on Tensors (the ops of tensor_math's families) ------------------

_math_ufuncs, _math_functions = numpy_tables()
UFUNCS.update(_math_ufuncs)
FUNCTIONS.update(_math_functions)


# --- numpy's shape, indexing and linear-algebra functions on Tensors -------------------------


def _np_concatenate(arrays, axis=0, out=None, dtype=None, casting=None):
    if out is not None or dtype is not None:
        raise TypeError("concatenate: out= and dtype= are not supported for tensors")
    return movement.concatenate(arrays, axis)


def _np_einsum(*operands, out=None, optimize=False):
    if out is not None:
        raise TypeError("einsum: out= is not supported for tensors")
    return _einsum.einsum(*operands, optimize=optimize)


def _np_trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if dtype is not None or out is not None:
        raise TypeError("trace: dtype= and out= are not supported for tensors")
    return _indexing.trace(a, offset, axis1, axis2)


def _np_take(a, indices, axis=None, out=None, mode="raise"):
    if out is not None:
        raise TypeError("take: out= is not supported for tensors")
    return _indexing.take(a, indices, axis, mode)


def _np_linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
                 device=None):
    if device not in (None, "cpu"):
        raise TypeError(f"linspace: device={device!r} is not supported for tensors")
    return _grids.linspace(start, stop, num, endpoint, retstep, dtype, axis)


def _np_partition(a, kth, axis=-1, kind="introselect", order=None):
    if order is not None or kind != "introselect":
        raise TypeError("partition: kind= and order= are not supported for tensors")
    return _sorting.partition(a, kth, axis)


def _np_argpartition(a, kth, axis=-1, kind="introselect", order=None):
    if order is not None or kind != "introselect":
        raise TypeError("argpartition: kind= and order= are not supported for tensors")
    return _sorting.argpartition(a, kth, axis)


def _np_size(a, axis=None):
    return a.size if axis is None else a.shape[axis]


FUNCTIONS.update({
    np.split: _joining.split, np.array_split: _joining.array_split,
    np.vsplit: _joining.vsplit, np.hsplit: _joining.hsplit, np.dsplit: _joining.dsplit,
    np.vstack: _joining.vstack, np.hstack: _joining.hstack,
    np.column_stack: _joining.column_stack, np.dstack: _joining.dstack,
    np.atleast_1d: _joining.atleast_1d, np.atleast_2d: _joining.atleast_2d,
    np.atleast_3d: _joining.atleast_3d, np.append: _joining.append,
    np.moveaxis: _joining.moveaxis, np.rollaxis: _joining.rollaxis, np.ravel: _joining.ravel,
    np.expand_dims: _joining.expand_dims, np.concatenate: _np_concatenate,
    np.pad: _shape.pad, np.tile: _shape.tile, np.repeat: _shape.repeat, np.flip: _shape.flip,
    np.fliplr: _shape.fliplr, np.flipud: _shape.flipud, np.roll: _shape.roll,
    np.rot90: _shape.rot90,
    np.take: _np_take, np.take_along_axis: _indexing.take_along_axis,
    np.diag: _indexing.diag, np.diagonal: _indexing.diagonal, np.trace: _np_trace,
    np.tril: _indexing.tril, np.triu: _indexing.triu, np.select: _indexing.select,
    np.tensordot: _products.tensordot, np.inner: _products.inner, np.outer: _products.outer,
    np.kron: _products.kron, np.cross: _products.cross, np.einsum: _np_einsum,
    np.linalg.inv: _linalg_solve.inv, np.linalg.solve: _linalg_solve.solve,
    np.linalg.det: _linalg_solve.det, np.linalg.slogdet: _linalg_solve.slogdet,
    np.ndim: lambda a: a.ndim, np.shape: lambda a: a.shape, np.size: _np_size,
    # lists mixing tensors and numbers (np.array and np.asarray only with like=tensor)
    np.array: _joining._np_array, np.asarray: _joining._np_asarray,
    np.stack: _joining.stack_arrays,
    np.linspace: _np_linspace, np.gradient: _grids.gradient,
    np.partition: _np_partition, np.argpartition: _np_argpartition,
})
UFUNCS[np.divmod] = lambda a, b: (_piecewise.floor_divide(a, b), _piecewise.remainder(a, b))
