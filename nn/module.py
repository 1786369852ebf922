"""Module and Parameter: named containers of trainable tensors.

A :class:`Parameter` is a real ``autograd_lite.Tensor`` with ``requires_grad=True``.  A
:class:`Module` registers the parameters and sub-modules assigned to its attributes and
names them by where they sit: the ``W`` of the sub-module ``layer1`` is called
``layer1.W`` — that qualified name is written into the parameter's ``.name``, which graph
drawings show.  Calling a module runs its ``forward`` inside ``autograd_lite.name_scope``
of its own name, so every operation recorded there remembers its layer.

Examples
--------
>>> import numpy as np, nn
>>> model = nn.Sequential(nn.Linear(2, 3, activation="relu", seed=0),
...                       nn.Linear(3, 1, activation="sigmoid", seed=0))
>>> [p.name for p in model.parameters()]
['layer1.W', 'layer1.b', 'layer2.W', 'layer2.b']
>>> A = model(np.ones((2, 5)))
>>> A.shape, A.grad_fn.scope
((1, 5), 'layer2')
"""
from __future__ import annotations

import numpy as np

import autograd_lite as ag

from .errors import NNError, StateError


class Parameter(ag.Tensor):
    """A trainable tensor: float data, ``requires_grad=True``; its data is copied.

    Integer data becomes float64.

    Examples
    --------
    >>> from nn import Parameter
    >>> b = Parameter([[0], [0]], name="b")
    >>> b.requires_grad, b.dtype, b.shape
    (True, dtype('float64'), (2, 1))
    """

    __slots__ = ()

    def __init__(self, data, name=None, dtype=None):
        data = np.asarray(data._data if isinstance(data, ag.Tensor) else data)
        if dtype is None and not np.issubdtype(data.dtype, np.floating):
            dtype = np.float64
        super().__init__(data, requires_grad=True, dtype=dtype, name=name)


def _join(prefix, name):
    return f"{prefix}.{name}" if prefix else name


class Module:
    """Base class of layers and models.

    Assign :class:`Parameter` objects and sub-modules to attributes in ``__init__`` (after
    ``super().__init__()``) and define ``forward``; call the module to run it.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag, nn
    >>> class Scale(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.k = nn.Parameter([[2.0]])
    ...     def forward(self, X):
    ...         return self.k * X
    >>> net = nn.Module()
    >>> net.scale = Scale()
    >>> [name for name, _ in net.named_parameters()], net.scale.k.name
    (['scale.k'], 'scale.k')
    >>> net.scale(np.ones((1, 2)))
    tensor([[2., 2.]], grad_fn=mul)
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_scope", None)     # own name in the parent, e.g. "layer1"
        object.__setattr__(self, "_prefix", "")      # qualified name, e.g. "net.layer1"
        self.training = True

    # --- registration -----------------------------------------------------------------------
    def __setattr__(self, key, value):
        if "_parameters" not in self.__dict__:
            raise NNError(f"{type(self).__name__}: call super().__init__() before assigning "
                          f"attributes (while setting {key!r})")
        if isinstance(value, Parameter):
            self._modules.pop(key, None)
            self._parameters[key] = value
            value.name = _join(self._prefix, key)
        elif isinstance(value, Module):
            self.add_module(key, value)
            return
        else:
            self._parameters.pop(key, None)
            self._modules.pop(key, None)
        object.__setattr__(self, key, value)

    def __delattr__(self, key):
        self._parameters.pop(key, None)
        self._modules.pop(key, None)
        object.__delattr__(self, key)

    def add_module(self, name, module):
        """Register ``module`` as the sub-module ``name`` (also reachable as an attribute).

        Examples
        --------
        >>> import nn
        >>> net = nn.Module()
        >>> net.add_module("layer1", nn.Linear(2, 1, seed=0))
        >>> net.layer1.W.name
        'layer1.W'
        """
        if not isinstance(module, Module):
            raise NNError(f"add_module: {name!r} must be a Module, not {type(module).__name__}")
        if not isinstance(name, str) or not name or "." in name:
            raise NNError(f"add_module: a module name must be a non-empty string without "
                          f"dots, not {name!r}")
        self._parameters.pop(name, None)
        self._modules[name] = module
        object.__setattr__(module, "_scope", name)
        module._rename(_join(self._prefix, name))
        object.__setattr__(self, name, module)

    def _rename(self, prefix):
        """Give this module the qualified name ``prefix`` and rename everything below it."""
        object.__setattr__(self, "_prefix", prefix)
        for key, p in self._parameters.items():
            p.name = _join(prefix, key)
        for key, m in self._modules.items():
            m._rename(_join(prefix, key))

    # --- running ----------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        """The computation of this module; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        if self._scope is None:
            return self.forward(*args, **kwargs)
        with ag.name_scope(self._scope):
            return self.forward(*args, **kwargs)

    # --- parameters -------------------------------------------------------------------------
    def named_parameters(self, prefix=""):
        """(name, parameter) pairs of this module and its sub-modules, in registration order.

        Names are relative to this module (``layer1.W``, ``layer1.b``, …).

        Examples
        --------
        >>> import nn
        >>> [n for n, p in nn.Linear(3, 2, seed=0).named_parameters()]
        ['W', 'b']
        """
        for key, p in self._parameters.items():
            yield _join(prefix, key), p
        for key, m in self._modules.items():
            yield from m.named_parameters(_join(prefix, key))

    def parameters(self):
        """The list of all parameters (W[1], b[1], W[2], …).

        Examples
        --------
        >>> import nn
        >>> [p.shape for p in nn.Linear(3, 2, seed=0).parameters()]
        [(2, 3), (2, 1)]
        """
        return [p for _, p in self.named_parameters()]

    def named_modules(self, prefix=""):
        """(name, module) pairs of this module ("" for itself) and every sub-module.

        Examples
        --------
        >>> import nn
        >>> [n for n, m in nn.Sequential(nn.Linear(2, 2, seed=0)).named_modules()]
        ['', 'layer1']
        """
        yield prefix, self
        for key, m in self._modules.items():
            yield from m.named_modules(_join(prefix, key))

    def zero_grad(self):
        """Forget every parameter's gradient (``.grad = None``).

        Examples
        --------
        >>> import numpy as np, nn
        >>> layer = nn.Linear(2, 1, seed=0)
        >>> layer(np.ones((2, 3))).sum().backward()
        >>> layer.zero_grad()
        >>> layer.W.grad is None
        True
        """
        for p in self.parameters():
            p.grad = None

    def train(self, mode=True):
        """Set training mode (``training = mode``) here and below; returns self.

        Examples
        --------
        >>> import nn
        >>> nn.Linear(2, 1, seed=0).train().training
        True
        """
        for _, m in self.named_modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self):
        """Set evaluation mode (``training = False``); returns self.

        Examples
        --------
        >>> import nn
        >>> nn.Linear(2, 1, seed=0).eval().training
        False
        """
        return self.train(False)

    # --- state ------------------------------------------------------------------------------
    def state_dict(self):
        """A dict ``{name: copy of the parameter's array}``, in parameter order.

        Examples
        --------
        >>> import nn
        >>> {k: v.shape for k, v in nn.Linear(3, 2, seed=0).state_dict().items()}
        {'W': (2, 3), 'b': (2, 1)}
        """
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy the arrays of ``state`` (as from :meth:`state_dict`) into the parameters.

        Every name must be present, with the parameter's shape and dtype; otherwise a
        :class:`~nn.errors.StateError` names the problem and nothing is changed.  Assigning
        through ``.data`` bumps each parameter's version, so graphs recorded before refuse
        to run backward.

        Examples
        --------
        >>> import nn
        >>> a, b = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)
        >>> b.load_state_dict(a.state_dict())
        >>> bool((a.W.data == b.W.data).all())
        True
        """
        params = dict(self.named_parameters())
        missing = [k for k in params if k not in state]
        unexpected = [k for k in state if k not in params]
        if missing or unexpected:
            raise StateError(
                f"load_state_dict: the saved parameters do not match {type(self).__name__}: "
                + "; ".join(part for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unexpected {', '.join(unexpected)}" if unexpected else "") if part))
        arrays = {}
        for name, p in params.items():
            value = state[name]
            value = np.asarray(value._data if isinstance(value, ag.Tensor) else value)
            if value.shape != p.shape:
                raise StateError(f"load_state_dict: {name} has shape {value.shape}, the "
                                 f"model expects {p.shape}")
            if value.dtype != p.dtype:
                raise StateError(f"load_state_dict: {name} has dtype {value.dtype}, the "
                                 f"model expects {p.dtype}")
            arrays[name] = value
        for name, p in params.items():
            p.data = arrays[name].copy()

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for key, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({key}): {child}")
        return lines[0] + ")" if len(lines) == 1 else "\n".join(lines) + "\n)"

    def extra_repr(self):
        """Text shown inside the parentheses of ``repr``; layers override it."""
        return ""
