"""A convolutional network for the course's pictures, with the dense models' fit/predict/score.

The course keeps data as X of shape (n_x, m): each column is one picture flattened from
(height, width, channels) — ``x_orig.reshape(m, -1).T / 255``.  Convolutions need the
pictures back: :func:`to_images` turns X into (m, C, H, W) explicitly, and :class:`CNN`
does so as the first step of its forward pass, so ``fit``, mini-batches, ``predict``,
``score``, ``nn.save`` / ``nn.load`` and the ``autograd-lite`` command take the same X as
for the dense models.

Examples
--------
>>> import numpy as np, nn
>>> X = np.random.default_rng(0).random((3 * 8 * 8, 10))       # ten 8×8 RGB pictures
>>> Y = (X.mean(axis=0, keepdims=True) > 0.5).astype(int)
>>> model = nn.CNN((3, 8, 8), channels=(4,), seed=0)
>>> model(X).shape, [p.name for p in model.parameters()]
((1, 10), ['layer1.W', 'layer1.b', 'layer4.W', 'layer4.b'])
"""
from __future__ import annotations

import numbers

import numpy as np

import autograd_lite as ag

from .conv import Conv2d, Flatten, MaxPool2d
from .errors import ConfigError, NNShapeError
from .init import make_rng
from .layers import Linear, _positive_int
from .models import HIDDEN, OUTPUT_LOSSES, Model
from .module import Module


def _image_shape(image_shape, what="image_shape"):
    if isinstance(image_shape, (str, bytes)) or not hasattr(image_shape, "__len__") \
            or len(image_shape) != 3:
        raise ConfigError(f"{what} must be (C, H, W), e.g. (3, 64, 64), not {image_shape!r}")
    return tuple(_positive_int(n, f"{what}[{i}]") for i, n in enumerate(image_shape))


def to_images(X, image_shape=(3, 64, 64)):
    """The course's X (n_x, m), each column a (H, W, C) picture flattened, as (m, C, H, W).

    Works on arrays and Tensors (differentiably); the inverse of :func:`from_images`.

    Examples
    --------
    >>> import numpy as np
    >>> from nn.cnn import to_images
    >>> pictures = np.random.default_rng(0).random((2, 4, 5, 3))   # (m, H, W, C), as stored
    >>> X = pictures.reshape(2, -1).T                               # the course's (n_x, m)
    >>> images = to_images(X, (3, 4, 5))
    >>> images.shape, bool((images[1, 2] == pictures[1, :, :, 2]).all())
    ((2, 3, 4, 5), True)
    """
    C, H, W = _image_shape(image_shape)
    if X.ndim != 2 or X.shape[0] != C * H * W:
        raise NNShapeError(f"to_images: X has shape {tuple(X.shape)} but pictures of shape "
                           f"(C, H, W) = {(C, H, W)} need (n_x, m) = ({C * H * W}, m)")
    m = X.shape[1]
    return X.T.reshape(m, H, W, C).transpose(0, 3, 1, 2)


def from_images(images):
    """(m, C, H, W) pictures as the course's X (n_x, m) ((H, W, C) order in each column).

    Examples
    --------
    >>> import numpy as np
    >>> from nn.cnn import from_images, to_images
    >>> X = np.arange(24.0).reshape(12, 2)
    >>> bool((from_images(to_images(X, (3, 2, 2))) == X).all())
    True
    """
    m = images.shape[0]
    return images.transpose(0, 2, 3, 1).reshape(m, -1).T


class CNN(Model):
    """``[CONV → hidden → MAXPOOL] × len(channels) → FLATTEN → LINEAR → output``, for pictures.

    Takes the course's X (n_x, m) with n_x = C·H·W (converted by :func:`to_images`) — or
    pictures (m, C, H, W) directly in ``forward`` — and gives A[L] of shape (n_y, m).

    Parameters
    ----------
    image_shape : (C, H, W)
        (3, 64, 64) for the cat pictures.
    channels : tuple of int
        Filters of each convolution (kernel ``kernel_size``, "same" padding), each followed
        by a ``pool``×``pool`` max-pool.
    kernel_size, pool : int
    n_y, hidden, output, init, seed, dtype
        As for :class:`~nn.models.Model`; ``init`` (default ``"he"``) draws every W, conv
        layers with fan-in C·kh·kw.

    Examples
    --------
    >>> import nn
    >>> model = nn.CNN((3, 64, 64), channels=(8, 16), seed=0)
    >>> [type(layer).__name__ for layer in model.layers]
    ['Conv2d', 'MaxPool2d', 'Conv2d', 'MaxPool2d', 'Flatten', 'Linear']
    >>> model.layer6.W.shape                      # 16 channels × 4 × 4 after two 4×4 pools
    (1, 256)
    """

    default_iterations = 30           # epochs: train with optimizer="adam", batch_size=32
    default_learning_rate = 0.002

    def __init__(self, image_shape=(3, 64, 64), channels=(8, 16), kernel_size=3, pool=4,
                 n_y=1, hidden="relu", output="sigmoid", init="he", seed=None,
                 dtype=np.float64):
        Module.__init__(self)
        self.image_shape = _image_shape(image_shape, "CNN: image_shape")
        if isinstance(channels, numbers.Integral):
            channels = (channels,)
        self.channels = tuple(_positive_int(c, "CNN: channels") for c in channels)
        self.kernel_size = _positive_int(kernel_size, "CNN: kernel_size")
        self.pool = _positive_int(pool, "CNN: pool")
        if hidden not in HIDDEN or output not in OUTPUT_LOSSES:
            raise ConfigError(f"CNN: hidden must be one of {', '.join(HIDDEN)} and output one "
                              f"of {', '.join(OUTPUT_LOSSES)}, not {hidden!r} and {output!r}")
        C, H, W = self.image_shape
        if min(H, W) < self.pool ** len(self.channels):
            raise ConfigError(f"CNN: pictures of {H}×{W} are too small for "
                              f"{len(self.channels)} max-pools of {self.pool}×{self.pool}")
        self.hidden, self.output, self.dtype = hidden, output, np.dtype(dtype)
        self._cost_fn = OUTPUT_LOSSES[output]
        n_y = _positive_int(n_y, "CNN: n_y")
        self.layer_dims = [C * H * W, n_y]    # what fit and score check: X (n_x, m), Y (n_y, m)
        rng = None if init == "zeros" else make_rng(seed)
        layers = []
        for c_out in self.channels:
            layers.append(Conv2d(C, c_out, self.kernel_size, padding="same",
                                 activation=hidden, init=init, seed=rng, dtype=self.dtype))
            layers.append(MaxPool2d(self.pool))
            C, H, W = c_out, H // self.pool, W // self.pool
        layers += [Flatten(), Linear(C * H * W, n_y, activation=output, init=init, seed=rng,
                                     dtype=self.dtype)]
        for l, layer in enumerate(layers, start=1):
            self.add_module(f"layer{l}", layer)
        self.costs_ = []

    def forward(self, X):
        """A[L] (n_y, m) for X (n_x, m) in the course's layout, or pictures (m, C, H, W).

        Examples
        --------
        >>> import numpy as np, nn
        >>> nn.CNN((3, 8, 8), channels=(2,), pool=2, seed=0).predict(np.zeros((192, 0))).shape
        (1, 0)
        """
        X = ag.as_tensor(X)
        A = X if X.ndim == 4 else to_images(X, self.image_shape)
        if A is not X and A.name is None:
            A.name = "pictures"          # X's columns as (m, C, H, W), named so in pictures
        if A.shape[0] == 0:           # no pictures: an empty result (n_y, 0), as PyTorch's
            return ag.tensor(np.zeros((self.layer_dims[-1], 0), dtype=self.dtype))
        for layer in self._modules.values():
            A = layer(A)
        return A

    def config(self):
        """The constructor arguments that rebuild this architecture (JSON-ready).

        Examples
        --------
        >>> import nn
        >>> nn.CNN((1, 8, 8), channels=(2,), seed=0).config()["channels"]
        [2]
        """
        return {"class": "CNN", "image_shape": list(self.image_shape),
                "channels": list(self.channels), "kernel_size": self.kernel_size,
                "pool": self.pool, "n_y": self.layer_dims[-1], "hidden": self.hidden,
                "output": self.output, "dtype": self.dtype.name}

    @classmethod
    def expected_shapes(cls, config):
        """{parameter name: shape} that ``config`` declares, computed without building it.

        Examples
        --------
        >>> import nn
        >>> nn.CNN.expected_shapes({"image_shape": [1, 8, 8], "channels": [2], "n_y": 1})
        {'layer1.W': (2, 1, 3, 3), 'layer1.b': (2,), 'layer4.W': (1, 8), 'layer4.b': (1, 1)}
        """
        C, H, W = _image_shape(config.get("image_shape"), "CNN: image_shape")
        channels = [_positive_int(c, "CNN: channels") for c in config.get("channels", ())]
        k = _positive_int(config.get("kernel_size", 3), "CNN: kernel_size")
        pool = _positive_int(config.get("pool", 4), "CNN: pool")
        shapes = {}
        for i, c_out in enumerate(channels):
            shapes[f"layer{2 * i + 1}.W"] = (c_out, C, k, k)
            shapes[f"layer{2 * i + 1}.b"] = (c_out,)
            C, H, W = c_out, H // pool, W // pool
        last, n_y = 2 * len(channels) + 2, _positive_int(config.get("n_y", 1), "CNN: n_y")
        shapes[f"layer{last}.W"], shapes[f"layer{last}.b"] = (n_y, C * H * W), (n_y, 1)
        return shapes

    def extra_repr(self):
        return (f"image_shape={self.image_shape}, channels={self.channels}, "
                f"kernel_size={self.kernel_size}, pool={self.pool}, output={self.output!r}")

