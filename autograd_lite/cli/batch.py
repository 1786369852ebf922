"""The small batch a model is drawn and checked on: real examples of its data set.

``autograd-lite train`` records its data set in ``metrics.json``; ``graph`` and
``gradcheck`` read it back and take the first training examples of both classes in turn
(1, 0, 1, …), so that a picture or a check shows the model on the data it knows — not on
made-up points where a trained model is confidently wrong and its gradients explode.
Models without a data set (the built-in ``logreg`` and ``deep``, a model file saved by
``nn.save`` alone) get random examples, and the description says so.

Examples
--------
>>> import nn
>>> from autograd_lite.cli.batch import example_batch
>>> X, Y, what = example_batch(nn.TwoLayerNet(2, 4, 1, seed=0), "shallow", m=3)
>>> X.shape, Y.tolist(), what
((2, 3), [[1.0, 0.0, 1.0]], '3 training examples of the planar flower (numbers 200, 0, 201)')
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .common import picture_side
from .data import load_dataset

BUILTIN_DATASETS = {"shallow": "planar"}     # the built-in week-3 model is the flower's


def recorded_dataset(spec):
    """``(dataset name, data folder)`` that ``metrics.json`` beside the model records, or
    ``(None, None)``; the built-in ``shallow`` model is the planar flower's.

    Examples
    --------
    >>> recorded_dataset("shallow"), recorded_dataset("no/such/model.npz")
    (('planar', None), (None, None))
    """
    if spec in BUILTIN_DATASETS and not Path(spec).exists():
        return BUILTIN_DATASETS[spec], None
    path = Path(spec)
    metrics = (path if path.is_dir() else path.parent) / "metrics.json"
    try:
        recorded = json.loads(metrics.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if not isinstance(recorded, dict):
        return None, None
    return recorded.get("dataset"), recorded.get("data_dir")


def pick_examples(X, Y, m):
    """The first ``m`` examples of (X, Y) taking the classes in turn (1, 0, 1, …), and
    their column numbers.

    Examples
    --------
    >>> X = np.arange(10.0).reshape(1, 10)
    >>> Y = np.array([[0, 0, 1, 0, 1, 1, 0, 0, 0, 0]])
    >>> Xs, Ys, columns = pick_examples(X, Y, 4)
    >>> columns, Ys.tolist()
    ([2, 0, 4, 1], [[1, 0, 1, 0]])
    """
    labels = Y.argmax(axis=0) if Y.shape[0] > 1 else (Y[0] > 0.5).astype(int)
    classes = sorted(set(labels.tolist()), reverse=True)        # 1 before 0, as the course
    queues = {c: list(np.flatnonzero(labels == c)) for c in classes}
    columns = []
    while len(columns) < min(m, labels.size):
        for c in classes:
            if queues[c] and len(columns) < m:
                columns.append(int(queues[c].pop(0)))
    return X[:, columns], Y[:, columns], columns


def example_batch(model, spec, m=3):
    """``(X, Y, description)``: m examples of the model's own data set, else random ones.

    Examples
    --------
    >>> import nn
    >>> X, Y, what = example_batch(nn.LogisticRegression(4), "logreg", m=2)
    >>> X.shape, what
    ((4, 2), '2 random examples (the model records no data set)')
    """
    name, data_dir = recorded_dataset(spec)
    if name is not None:
        data = load_dataset(name, data_dir)
        if data.train_x.shape[0] == model.layer_dims[0]:
            X, Y, columns = pick_examples(data.train_x, data.train_y, m)
            numbers = ", ".join(map(str, columns[:6])) + (", …" if len(columns) > 6 else "")
            return (X.astype(model.dtype), Y.astype(model.dtype),
                    f"{len(columns)} training examples of {data.title} (numbers {numbers})")
    X, Y = random_batch(model, m)
    return X, Y, f"{m} random examples (the model records no data set)"


def random_batch(model, m=3, seed=1):
    """``(X, Y)``: m random examples fitting ``model``, to draw or check its graph.

    X is uniform in [0, 1] for picture models (like scaled pixels) and standard normal
    otherwise; Y alternates 1, 0, 1, … (one-hot classes for a softmax output).

    Examples
    --------
    >>> import nn
    >>> X, Y = random_batch(nn.TwoLayerNet(2, 4, 1, seed=0), m=3)
    >>> X.shape, Y.tolist()
    ((2, 3), [[1.0, 0.0, 1.0]])
    """
    rng = np.random.RandomState(seed)
    n_x, n_y = model.layer_dims[0], model.layer_dims[-1]
    if picture_side(model):
        X = rng.uniform(0.0, 1.0, size=(n_x, m))
    else:
        X = rng.standard_normal((n_x, m))
    if n_y == 1:
        Y = (np.arange(m) % 2 == 0).astype(np.float64).reshape(1, m)
    else:
        Y = (np.arange(n_y)[:, None] == np.arange(m) % n_y).astype(np.float64)
    return X.astype(model.dtype), Y


def model_cost(model, X, Y):
    """The model's cost J on (X, Y) as a Tensor with named inputs, ready to draw.

    Recorded like one step of ``fit``: the layers, then the cost in ``name_scope("cost")``,
    so a picture shows one box per layer and one for the cost.

    Examples
    --------
    >>> import numpy as np, nn
    >>> J = model_cost(nn.LogisticRegression(2), np.zeros((2, 3)), np.ones((1, 3)))
    >>> J.name, round(J.item(), 6)
    ('J', 0.693147)
    """
    import autograd_lite as ag
    from nn.models import OUTPUT_LOSSES

    X = ag.tensor(np.asarray(X, dtype=model.dtype), name="X")
    Y = ag.tensor(np.asarray(Y, dtype=model.dtype), name="Y")
    A = model(X)
    with ag.name_scope("cost"):
        J = OUTPUT_LOSSES[model.output](A, Y)
    J.name = "J"
    return J
