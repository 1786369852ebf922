"""Week 3: a 2-layer network (4 tanh units, sigmoid output) on the planar "flower" data.

    python examples/planar_flower.py --out runs/planar
    python examples/planar_flower.py --iterations 1000 --hidden-units 5 --out /tmp/quick

Prints the course's cost lines and the accuracy (about 90 % with the defaults), and writes
``costs.png``, ``decision_boundary.png`` and ``model.npz`` to ``--out``.  ``--seed 2`` (the
default) draws W like the course's ``np.random.seed(2)``.
"""
import sys
from pathlib import Path

import nn
from autograd_lite.cli import ArgumentParser, run_script
from autograd_lite.cli.common import positive_float, positive_int, output_folder, seed


def main(argv=None):
    parser = ArgumentParser(prog="planar_flower.py",
                            description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/planar_flower"))
    parser.add_argument("--iterations", type=positive_int, default=10000)
    parser.add_argument("--learning-rate", type=positive_float, default=1.2)
    parser.add_argument("--hidden-units", type=positive_int, default=4)
    parser.add_argument("--hidden", default="tanh", choices=nn.models.HIDDEN)
    parser.add_argument("--seed", type=seed, default=2,
                        help="seed of the course's legacy random stream for W")
    parser.add_argument("--print-every", type=positive_int, default=1000)
    args = parser.parse_args(argv)

    X, Y = nn.datasets.planar_flower(m=400, seed=1)               # X (2, 400), Y (1, 400)
    with output_folder(args.out, "--out", "output folder"):   # checked before training
        model = nn.TwoLayerNet(n_x=2, n_h=args.hidden_units, n_y=1, hidden=args.hidden,
                               init="small", seed=nn.init.course_rng(args.seed))
        costs = model.fit(X, Y, iterations=args.iterations, learning_rate=args.learning_rate,
                          print_every=args.print_every)
        accuracy = model.score(X, Y)
        print(f"accuracy: {100 * accuracy:.2f} %")

        nn.plot_costs(costs, args.out / "costs.png", learning_rate=args.learning_rate)
        nn.plot_decision_boundary(model, X, Y, args.out / "decision_boundary.png",
                                  title=f"Decision boundary, hidden layer of size "
                                        f"{args.hidden_units}")
        nn.save(model, args.out / "model.npz")
        print(f"wrote costs.png, decision_boundary.png and model.npz to {args.out}")
        return {"costs": costs, "accuracy": accuracy}


if __name__ == "__main__":
    sys.exit(run_script(main))        # bad arguments and errors: one line, like the CLI
