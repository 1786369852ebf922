"""The convolution workloads: conv2d forward + backward, and one training step of the CNN.

* **conv2d**: x (32, 3, 64, 64), 16 filters 3×3, padding 1, bias; L = Σ out · v, then the
  gradients of x, W and b.
* **cnn step**: one Adam step of ``examples/cnn_cats.py``'s network on a batch of 32 cat
  pictures (forward, cost, backward, update).

Each is timed for autograd_lite and PyTorch eager (CPU) in float64 and float32, interleaved,
with the same data and parameters; the answers are checked against each other first.
Peak memory is tracemalloc's peak of one engine call (PyTorch's allocator is invisible to
it).  Run inside ``make bench`` (``bench/run.py --only conv``); ``markdown(result)`` is the
table of docs/cnn.md.
"""
from __future__ import annotations

import numpy as np

import autograd_lite as ag
import nn

from .harness import interleaved
from .memory import _peak
from .workloads import _ratio, cat_data, check, target

SHAPE, FILTERS, BATCH = (32, 3, 64, 64), 16, 32
DTYPES = {"f64": np.float64, "f32": np.float32}
TOLERANCE = {"f64": 1e-9, "f32": 1e-3}          # relative, on results and gradients


def conv_inputs(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(SHAPE)
    w = rng.standard_normal((FILTERS, SHAPE[1], 3, 3)) * np.sqrt(2 / 27)
    b = rng.standard_normal(FILTERS) * 0.1
    v = rng.standard_normal((SHAPE[0], FILTERS, *SHAPE[2:]))
    return x, w, b, v


def engine_conv(arrays, iterations, dtype):
    x, w, b, v = (a.astype(dtype) for a in arrays)

    def run():
        for _ in range(iterations):
            X, W, B = (ag.tensor(a, requires_grad=True) for a in (x, w, b))
            L = (ag.conv2d(X, W, B, padding=1) * v).sum()
            L.backward()
        return {"final_cost": L.item(), "grads": [t.grad.numpy() for t in (X, W, B)]}
    return run


def torch_conv(arrays, iterations, dtype):
    import torch
    x, w, b, v = (torch.as_tensor(a, dtype=dtype) for a in arrays)

    def run():
        for _ in range(iterations):
            X, W, B = (t.clone().requires_grad_() for t in (x, w, b))
            L = (torch.nn.functional.conv2d(X, W, B, padding=1) * v).sum()
            L.backward()
        return {"final_cost": L.item(), "grads": [t.grad.numpy() for t in (X, W, B)]}
    return run


def engine_cnn(X, Y, init, steps, dtype, learning_rate=0.002):
    model = nn.CNN((3, 64, 64), channels=(8, 16), pool=4, init="zeros", dtype=dtype)
    model.load_state_dict({k: a.astype(dtype) for k, a in init.items()})
    opt = nn.optim.Adam(model.parameters(), learning_rate)
    X, Y = X.astype(dtype), Y.astype(dtype)

    def run():
        grads = None
        for _ in range(steps):
            opt.zero_grad()
            cost = model.cost(X, Y)
            cost.backward()
            grads = grads or [p.grad.numpy().copy() for p in model.parameters()]
            opt.step()
        return {"final_cost": cost.item(), "grads": grads}
    return run


def torch_cnn(X, Y, init, steps, dtype, learning_rate=0.002):
    """The same network in torch.nn.functional; X is converted to pictures as CNN does."""
    import torch
    F = torch.nn.functional
    names = ["layer1.W", "layer1.b", "layer3.W", "layer3.b", "layer6.W", "layer6.b"]
    params = [torch.tensor(init[k], dtype=dtype, requires_grad=True) for k in names]
    opt = torch.optim.Adam(params, lr=learning_rate)
    images = torch.as_tensor(nn.cnn.to_images(X), dtype=dtype)
    Y_t = torch.as_tensor(Y, dtype=dtype)

    def forward():
        W1, b1, W2, b2, W3, b3 = params
        A = F.max_pool2d(F.relu(F.conv2d(images, W1, b1, padding=1)), 4)
        A = F.max_pool2d(F.relu(F.conv2d(A, W2, b2, padding=1)), 4)
        return torch.sigmoid(W3 @ A.reshape(A.shape[0], -1).T + b3)

    def run():
        grads = None
        for _ in range(steps):
            opt.zero_grad()
            A = forward()
            cost = -(Y_t * torch.log(A) + (1 - Y_t) * torch.log(1 - A)).mean()
            cost.backward()
            grads = grads or [p.grad.numpy().copy() for p in params]
            opt.step()
        return {"final_cost": cost.item(), "grads": grads}
    return run


def _agree(name, mine, theirs, rtol):
    """One check: cost and every gradient within ``rtol`` (relative to the largest value)."""
    worst = abs(mine["final_cost"] - theirs["final_cost"]) / max(abs(theirs["final_cost"]), 1e-30)
    for a, b in zip(mine["grads"], theirs["grads"]):
        worst = max(worst, float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30)))
    return check(name, worst <= rtol, f"max relative difference {worst:.1e} (limit {rtol:.0e})")


def run_conv(iterations, steps, repeats, torch_models=None, log=print, clock="cpu"):
    """Time conv2d forward + backward and CNN steps; engine vs PyTorch in f64 and f32."""
    arrays = conv_inputs()
    data, source = cat_data(log)
    X, Y = data.train_x[:, :BATCH], data.train_y[:, :BATCH]
    init = nn.CNN(seed=1).state_dict()
    has_torch = torch_models is not None
    result = {"name": "conv", "checks": [], "targets": [], "peak_bytes": {}, "conv_timings": {},
              "config": {"conv": f"x {SHAPE}, {FILTERS} filters 3×3, padding 1, bias",
                         "conv_iterations": iterations, "cnn_steps": steps, "repeats": repeats,
                         "batch": BATCH, "data": source, "torch": has_torch}}
    for work, make_engine, make_torch, count in (
            ("conv2d", lambda d: engine_conv(arrays, iterations, d),
             lambda d: torch_conv(arrays, iterations, d), iterations),
            ("cnn step", lambda d: engine_cnn(X, Y, init, steps, d),
             lambda d: torch_cnn(X, Y, init, steps, d), steps)):
        prepares = {}
        for tag, dtype in DTYPES.items():
            prepares[f"engine_{tag}"] = lambda d=dtype: make_engine(d)
            if has_torch:
                import torch
                prepares[f"torch_{tag}"] = lambda d=getattr(torch, dtype.__name__): make_torch(d)
        log(f"  {work}: {count} per run × {repeats} repeats")
        timings = interleaved(prepares, repeats, log, clock)
        for entry in timings.values():
            entry["per_call_ms"] = entry["time"]["median"] / count * 1e3
        result["conv_timings"][work] = timings
        result["peak_bytes"][work] = _peak(make_engine(np.float64))
        for tag in DTYPES:
            if not has_torch:
                continue
            mine, theirs = timings[f"engine_{tag}"], timings[f"torch_{tag}"]
            result["checks"].append(_agree(f"{work} {tag}: engine = PyTorch (cost, gradients)",
                                           mine["result"], theirs["result"], TOLERANCE[tag]))
            r, text = _ratio(timings, f"engine_{tag}", f"torch_{tag}")
            result["targets"].append(target("conv", f"{work} {tag}: engine / PyTorch (time)",
                                            r, 2.0, r <= 2.0, text, "≤ 2"))
        for entry in timings.values():
            entry["result"].pop("grads", None)
    return result


def markdown(result):
    """The table of docs/cnn.md: ms per call (median), ratios, peak memory."""
    lines = ["| workload | dtype | autograd_lite | PyTorch | ratio | engine peak memory |",
             "|---|---|---|---|---|---|"]
    for work, timings in result["conv_timings"].items():
        for tag in DTYPES:
            mine = timings[f"engine_{tag}"]["per_call_ms"]
            theirs = timings.get(f"torch_{tag}", {}).get("per_call_ms")
            ratio = f"{mine / theirs:.2f}" if theirs else "–"
            peak = f"{result['peak_bytes'][work] / 2**20:.0f} MiB" if tag == "f64" else ""
            lines.append(f"| {work} | {tag} | {mine:.1f} ms | "
                         f"{f'{theirs:.1f} ms' if theirs else '–'} | {ratio} | {peak} |")
    return "\n".join(lines)
