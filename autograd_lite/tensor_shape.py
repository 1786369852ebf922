"""Tensor methods for shape, indexing and linear algebra (numpy's and PyTorch's names).

A mixin of :class:`~autograd_lite.Tensor`: every method delegates to a function in
``autograd_lite.ops`` (imported by ``tensor.py`` once ``Tensor`` exists).
"""
from __future__ import annotations

from . import ops as _ops


class ShapeMethods:
    """``t.ravel()``, ``t.repeat(2)``, ``t.diagonal()``, ``t.trace()``, ``t.take(i)``, ..."""

    __slots__ = ()

    def ravel(self): return _ops.joining.ravel(self)
    def repeat(self, repeats, axis=None): return _ops.shape.repeat(self, repeats, axis)
    def tile(self, reps): return _ops.shape.tile(self, reps)
    def flip(self, axis=None): return _ops.shape.flip(self, axis)
    def roll(self, shift, axis=None): return _ops.shape.roll(self, shift, axis)
    def moveaxis(self, source, destination):
        return _ops.joining.moveaxis(self, source, destination)
    def diagonal(self, offset=0, axis1=0, axis2=1):
        return _ops.indexing.diagonal(self, offset, axis1, axis2)
    def trace(self, offset=0, axis1=0, axis2=1):
        return _ops.indexing.trace(self, offset, axis1, axis2)
    def take(self, indices, axis=None, mode="raise"):
        return _ops.indexing.take(self, indices, axis, mode)
    def tril(self, k=0): return _ops.indexing.tril(self, k)
    def triu(self, k=0): return _ops.indexing.triu(self, k)
    def index_add(self, axis, index, values):
        return _ops.indexing.index_add(self, axis, index, values)
    def inner(self, other): return _ops.products.inner(self, other)
    def outer(self, other): return _ops.products.outer(self, other)
    def tensordot(self, other, axes=2): return _ops.products.tensordot(self, other, axes)
