"""Markdown for the terminal and for docs/performance.md, from one run's results."""
from __future__ import annotations

LABELS = {
    "numpy": "hand-written numpy (course formulas)",
    "engine": "autograd_lite (nn API)",
    "engine_f32": "autograd_lite, float32",
    "engine_raw": "autograd_lite ops, no nn",
    "compiled": "autograd_lite (nn API), ag.compile",
    "simplified": "autograd_lite (nn API), ag.compile(simplify=True)",
    "numpy_f32": "hand-written numpy (course formulas), float32",
    "compiled_warm": "autograd_lite (nn API), ag.compile, captured before the clock",
    "compiled_f32": "autograd_lite, float32, ag.compile",
    "hand_rop": "hand-written R-operator (numpy)",
    "torch": "PyTorch eager, float64",
    "torch_compile": "PyTorch, torch.compile of the whole step, float64",
    "jax": "JAX, jax.jit of the whole step, float64",
}
# The overhead chain uses autograd_lite's operations directly (there is no nn model in it).
WORKLOAD_LABELS = {("overhead", "engine"): "autograd_lite ops"}


def _label(workload, name):
    return WORKLOAD_LABELS.get((workload, name), LABELS.get(name, name))


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _status(t, invalid):
    if t["workload"] in invalid:
        return "INVALID"
    return "PASS" if t["passed"] else "**MISS**"


def _invalid(run):
    return {r["name"] for r in run["results"] if any(not c["passed"] for c in r["checks"])}


def targets_table(run):
    invalid = _invalid(run)
    rows = [(t["workload"], t["what"], t["measured"], t["target"], _status(t, invalid))
            for r in run["results"] for t in r["targets"]]
    return _table(("workload", "measure", "measured", "target", "result"), rows)


def _ms(seconds):
    return f"{seconds * 1e3:,.1f} ms" if seconds < 10 else f"{seconds:,.2f} s"


def timings_table(run):
    clock = run.get("clock", "cpu")
    rows = []
    for r in run["results"]:
        timings = r.get("timings")
        if not timings:
            continue
        base = timings[r.get("baseline", "numpy")]["time"]["median"]
        steps = r["config"].get("iterations") or r["config"].get("ops")
        unit = "iteration" if "iterations" in r["config"] else "op"
        for name, entry in timings.items():
            t = entry["time"]
            rows.append((r["name"], _label(r["name"], name), _ms(t["median"]), _ms(t["min"]),
                         f"{t['median'] / steps * 1e6:,.1f} µs/{unit}",
                         f"{t['median'] / base:.2f}", _ms(entry["wall"]["median"])))
    return _table(("workload", "implementation", f"median ({clock})", f"min ({clock})",
                   "per step", "÷ baseline", "median (wall)"), rows)


def checks_table(run):
    rows = [(r["name"], c["check"], "ok" if c["passed"] else "**FAILED**", c["detail"])
            for r in run["results"] for c in r["checks"]]
    return _table(("workload", "check", "result", "detail"), rows)


def summary_table(run):
    """The targets, timings and checks — what the terminal shows."""
    return "\n\n".join([targets_table(run), timings_table(run), checks_table(run)])


def machine_section(run):
    m = run["machine"]
    blas = m.get("blas", {})
    lines = [
        f"- CPU: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable by this process); "
        f"load average at start {', '.join(str(x) for x in m['load_average'])}",
        f"- OS: {m['platform']}",
        f"- Python {m['python']}, numpy {m['numpy']}, BLAS: {blas.get('name', '?')} "
        f"{blas.get('version', '')} "
        f"({blas.get('openblas configuration', 'configuration unknown')})",
        f"- Threads: {run['threads']} for every implementation "
        f"(OPENBLAS/OMP/MKL_NUM_THREADS={run['threads']}; OpenBLAS reports "
        f"{m['blas_threads']}"
        + (f"; torch.set_num_threads({m['torch']['threads']})" if "torch" in m else "")
        + ")",
    ]
    if "torch" in m:
        lines.append(f"- PyTorch {m['torch']['version']} (CPU): "
                     + "; ".join(m["torch"]["parallel"]))
    else:
        lines.append("- PyTorch: not importable in this run (its columns are absent)")
    lines.append(f"- Run: {run['date']}, `{run['command']}`, {run['seconds']:.0f} s in total")
    return "\n".join(lines)


def _workload_details(run):
    out = []
    for r in run["results"]:
        c = r["config"]
        if r["name"] == "deep":
            out.append(f"- **deep**: the course's L-layer model {c['layer_dims']} (ReLU, sigmoid "
                       f"output), full-batch gradient descent, α = {c['learning_rate']}, "
                       f"{c['iterations']} iterations on m = {c['m']} ({c['data']}; one "
                       f"{c.get('X_layout', '?')}-ordered X array shared by every "
                       f"implementation); {c['repeats']} interleaved repeats.")
        elif r["name"] == "shallow":
            out.append(f"- **shallow**: the planar flower network {c['layer_dims']} (tanh, "
                       f"sigmoid output), m = {c['m']}, α = {c['learning_rate']}, "
                       f"{c['iterations']} iterations; {c['repeats']} interleaved repeats.")
        elif r["name"] == "overhead":
            out.append(f"- **overhead**: {c['chain']} on a {tuple(c['shape'])} tensor, "
                       f"{c['ops']} ops, forward + backward; {c['repeats']} interleaved "
                       "repeats.")
        elif r["name"] == "memory":
            out.append(f"- **memory**: tracemalloc peak over {c['peak_iterations']} iterations "
                       f"of the deep model; traced bytes (after gc.collect) at iterations "
                       f"{c['growth_first']:,} and {c['growth_iterations']:,} of the flower "
                       "network's training step.")
    return "\n".join(out)


def _overhead_section(run):
    r = next((r for r in run["results"] if r["name"] == "overhead"), None)
    if r is None:
        return ""
    def cell(v, key):
        return f"{v[key]:.2f}" if key in v else "–"
    rows = [(_label("overhead", name), cell(v, "total"), cell(v, "min"), cell(v, "forward"),
             cell(v, "backward")) for name, v in r["per_op_us"].items()]
    return ("### Per-op cost (µs per elementwise op, median)\n\n"
            + _table(("implementation", "forward + backward", "min", "forward", "backward"),
                     rows)
            + "\n\nThe numpy row is the floor: numpy's own per-call cost on a tiny array.")


def _memory_section(run):
    r = next((r for r in run["results"] if r["name"] == "memory"), None)
    if r is None:
        return ""
    p, g = r["peak"], dict(r["growth"])
    for key in ("engine", "numpy"):          # int keys (str once read back from the JSON)
        g[key] = {int(i): v for i, v in g[key].items()}
    first, last = g["first"], g["iterations"]
    rows = [("peak of a deep run", f"{p['engine'] / 2**20:.2f} MiB",
             f"{p['numpy'] / 2**20:.2f} MiB")]
    for i in sorted(g["engine"]):
        rows.append((f"held at iteration {i:,}", f"{g['engine'][i]:,} B", f"{g['numpy'][i]:,} B"))
    rows.append((f"growth {first:,} → {last:,}", f"{g['engine'][last] - g['engine'][first]:+,} B",
                 f"{g['numpy'][last] - g['numpy'][first]:+,} B"))
    text = ("### Memory (tracemalloc)\n\n"
            + _table(("", "autograd_lite", "hand-written numpy"), rows)
            + f"\n\nX alone is {p['X_bytes'] / 2**20:.1f} MiB (allocated before tracing).")
    for note in r.get("notes", []):
        text += "\n\n" + note
    return text


def performance_md(run):
    """The whole of docs/performance.md."""
    parts = [
        "# Performance",
        "_Written by `make bench` (`bench/run.py`); the numbers below are from the latest run. "
        "Edit `bench/report.py`, not this file._",
        "Each workload runs the engine side by side with a hand-written numpy implementation "
        "of the same model using the course's explicit backward formulas (`bench/handwritten.py`)"
        " and, when importable, PyTorch eager on the CPU in float64 (`bench/torch_models.py`), "
        "and for the shallow and overhead workloads `torch.compile` and `jax.jit` of the "
        "whole step (`bench/jax_models.py`; compiled once, before the clock starts), "
        "all in one process, interleaved (A B C, B C A, …), with the same data, the same "
        "initial parameters and the same number of threads. Times are the median (and minimum)"
        " of the repeats; a ratio is engine time / baseline time from the same run, shown "
        "with the range of the per-round ratios. Every implementation's final cost is checked "
        "against the hand-written one before its time counts.",
        f"The clock is the process's {run.get('clock', 'cpu').upper()} time (wall-clock "
        "medians are in the last column): with one thread, CPU time leaves out the time other"
        " processes held the core, the main noise on a shared machine. What noise remains "
        "(caches and memory bandwidth shared with other processes) shows in the min–median "
        "gap and the per-round ranges; read a result within a few percent of its target as "
        "a tie.",
        "## Targets",
        targets_table(run),
        "## Machine",
        machine_section(run),
        "## Workloads",
        _workload_details(run),
        "## Timings",
        timings_table(run),
        _overhead_section(run),
        _memory_section(run),
        "## Correctness checks",
        checks_table(run),
    ]
    if run.get("profiles"):
        parts.append("## Why the misses miss")
        parts += [p["markdown"] for p in run["profiles"]]
    parts += ["## Re-running",
              "```bash\nmake bench                         # the suite; rewrites this file\n"
              "make bench-torch                   # the same, installing torch==2.13.0 first\n"
              ".venv/bin/python bench/run.py --quick --no-torch   # smoke test, no docs\n"
              ".venv/bin/python bench/run.py --only shallow --no-docs\n"
              ".venv/bin/python bench/profiling.py deep     # cProfile of one workload\n```",
              "Raw results (every sample) go to `bench/results/latest.json`."]
    return "\n\n".join(p for p in parts if p) + "\n"
