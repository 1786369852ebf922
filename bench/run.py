"""Benchmark the engine against hand-written numpy (and PyTorch when importable).

Run by ``make bench``.  Prints a Markdown table, writes ``docs/performance.md`` and the
raw results as JSON under ``bench/results/`` (not tracked by git).

    .venv/bin/python bench/run.py                 # the full suite, a few minutes
    .venv/bin/python bench/run.py --quick         # a smoke test; docs are left alone
    .venv/bin/python bench/run.py --only shallow overhead --no-docs

BLAS and OpenMP are pinned to ``--threads`` threads (default 1) before numpy is imported,
and PyTorch gets the same number, so every implementation computes with the same threads.
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("deep", "shallow", "overhead", "memory", "mlp", "hvp", "capture", "rerun", "conv",
             "sweep")

# (full, quick) sizes: chosen so that the full suite takes a few minutes on 2 cores.
SIZES = {
    "deep_iterations": (200, 10), "deep_repeats": (5, 2),
    "shallow_iterations": (2000, 100), "shallow_repeats": (9, 2),
    "overhead_blocks": (300, 100), "overhead_repeats": (41, 3),
    "peak_iterations": (5, 2), "growth_iterations": (10000, 1000), "growth_first": (1000, 100),
    "mlp_epochs": (3, 1), "mlp_repeats": (5, 2), "hvp_calls": (500, 20), "hvp_repeats": (7, 2),
    "capture_repeats": (9, 2),
    "rerun_calls": (300, 20), "rerun_repeats": (5, 2), "rerun_growth": (10000, 500),
    "conv_iterations": (5, 1), "cnn_steps": (5, 1), "conv_repeats": (5, 2),
    "sweep_iterations": (5000, 50), "sweep_repeats": (3, 1),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP/torch threads for every implementation (default 1)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, to check that the suite runs; implies --no-docs")
    parser.add_argument("--only", nargs="+", choices=WORKLOADS, default=list(WORKLOADS),
                        help="run only these workloads")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="what the ratios compare: process CPU time (default; robust to other "
                        "processes on the machine) or wall-clock time; both are recorded")
    parser.add_argument("--no-torch", action="store_true",
                        help="skip the PyTorch baselines (eager and torch.compile)")
    parser.add_argument("--no-jax", action="store_true", help="skip the jax.jit baseline")
    parser.add_argument("--no-docs", action="store_true",
                        help="do not rewrite docs/performance.md")
    parser.add_argument("--no-profile", action="store_true",
                        help="do not profile the workloads that miss their target")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results",
                        help="folder for the JSON of raw results")
    for key, (full, _) in SIZES.items():
        parser.add_argument("--" + key.replace("_", "-"), type=int, default=None,
                            help=f"(default {full})")
    args = parser.parse_args(argv)
    for key, (full, quick) in SIZES.items():
        if getattr(args, key) is None:
            setattr(args, key, quick if args.quick else full)
    if args.quick:
        args.no_docs = True
    return args


def load_torch(threads, log):
    """The torch side of the bench, or None (with a message) when torch is not importable."""
    try:
        import torch  # noqa: F401
    except ImportError:
        log("PyTorch is not importable: skipping the PyTorch baseline "
            "(`make bench-torch` installs torch==2.13.0 and runs the bench)")
        return None
    from bench import torch_models
    torch_models.set_threads(threads)
    return torch_models


def load_jax(log):
    """The jax side of the bench, or None (with a message) when jax is not importable."""
    try:
        import jax  # noqa: F401
    except ImportError:
        log("JAX is not importable: skipping the jax.jit baseline (pip install jax to see it)")
        return None
    from bench import jax_models
    return jax_models


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.harness import pin_threads
    pin_threads(args.threads)

    from bench import compiled, harness, memory, profiling, report, workloads

    def log(*parts):
        print(*parts, flush=True)

    if args.no_torch:
        log("--no-torch: skipping the PyTorch baseline")
    torch_models = None if args.no_torch else load_torch(args.threads, log)
    jax_models = None if args.no_jax else load_jax(log)
    machine = harness.machine_info()
    if torch_models is not None:
        machine["torch"] = torch_models.info()
    if jax_models is not None:
        machine["jax"] = jax_models.info()
    log(f"machine: {machine['cpu']}, {machine['cores']} cores, load {machine['load_average']}, "
        f"BLAS threads {machine['blas_threads']}")

    started = time.time()
    results = []
    if "deep" in args.only:
        log(f"deep: {args.deep_iterations} iterations × {args.deep_repeats} repeats")
        results.append(workloads.run_deep(args.deep_iterations, args.deep_repeats,
                                          torch_models, log=log, clock=args.clock))
    if "shallow" in args.only:
        log(f"shallow: {args.shallow_iterations} iterations × {args.shallow_repeats} repeats")
        results.append(workloads.run_shallow(args.shallow_iterations, args.shallow_repeats,
                                             torch_models, log=log, clock=args.clock,
                                             jax_models=jax_models))
    if "overhead" in args.only:
        log(f"overhead: {3 * args.overhead_blocks + 1} ops × {args.overhead_repeats} repeats")
        results.append(workloads.run_overhead(args.overhead_blocks, args.overhead_repeats,
                                              torch_models, log=log, clock=args.clock,
                                              jax_models=jax_models))
    if "memory" in args.only:
        log(f"memory: peak over {args.peak_iterations} deep iterations, growth over "
            f"{args.growth_iterations} shallow iterations")
        results.append(memory.run_memory(args.peak_iterations, args.growth_iterations,
                                         args.growth_first, log=log))
    if "mlp" in args.only:
        log(f"mlp: {args.mlp_epochs} epochs × {args.mlp_repeats} repeats")
        results.append(compiled.run_mlp(args.mlp_epochs, args.mlp_repeats, log=log,
                                        clock=args.clock))
    if "hvp" in args.only:
        log(f"hvp: {args.hvp_calls} Hessian-vector products × {args.hvp_repeats} repeats")
        results.append(compiled.run_hvp(args.hvp_calls, args.hvp_repeats, log=log,
                                        clock=args.clock))
    if "capture" in args.only:
        log(f"capture: {args.capture_repeats} captures of the shallow step")
        results.append(compiled.run_capture(args.capture_repeats, log=log))
    if "rerun" in args.only:                     # bench/rerun.py: issue 17's costs
        from bench import rerun
        log(f"rerun: fit(iterations=1) × {args.rerun_calls} × {args.rerun_repeats}, lr schedule, "
            f"memory over {args.rerun_growth} fits")
        results.append(rerun.run_rerun(args.rerun_calls, args.rerun_repeats, args.rerun_growth,
                                       log=log))
    if "conv" in args.only:                      # bench/conv.py; its table goes to docs/cnn.md
        from bench import conv
        log(f"conv: conv2d forward + backward and CNN training steps × {args.conv_repeats} "
            "repeats")
        results.append(conv.run_conv(args.conv_iterations, args.cnn_steps, args.conv_repeats,
                                     torch_models, log=log, clock=args.clock))
        log(conv.markdown(results[-1]))
    if "sweep" in args.only:                     # bench/sweep.py: 2 worker processes against 1
        from bench import sweep
        log(f"sweep: the hidden-size sweep, {args.sweep_iterations} iterations × "
            f"{args.sweep_repeats} repeats")
        results.append(sweep.run_sweep(args.sweep_iterations, args.sweep_repeats, log=log))
    profiles = []
    if not args.no_profile:
        profiles = profiling.explain_misses(results, args, log=log)
    elapsed = time.time() - started

    run = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "command": "make bench" if argv is None and not sys.argv[1:]
           else "bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
           "threads": args.threads, "clock": args.clock, "seconds": round(elapsed, 1),
           "machine": machine, "results": results, "profiles": profiles}
    table = report.summary_table(run)
    print()
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (args.out / name).write_text(json.dumps(run, indent=1, default=_jsonable))
    log(f"raw results: {args.out / f'bench-{stamp}.json'}")
    if not args.no_docs:
        path = ROOT / "docs" / "performance.md"
        path.write_text(report.performance_md(run))
        log(f"wrote {path.relative_to(ROOT)}")

    failed = [c for r in results for c in r["checks"] if not c["passed"]]
    if failed:
        log(f"{len(failed)} correctness check(s) failed: the timings above are not results")
        return 1
    return 0


def _jsonable(x):
    try:
        import numpy as np
        if isinstance(x, np.ndarray):
            return x.tolist()
        if isinstance(x, np.generic):
            return x.item()
    except ImportError:
        pass
    return str(x)


if __name__ == "__main__":
    sys.exit(main())
