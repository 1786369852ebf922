"""Week 3: a 2-layer network (4 tanh units, sigmoid output) on the planar "flower" data.

    python examples/planar_flower.py --out runs/planar
    python examples/planar_flower.py --iterations 1000 --hidden-units 5 --out /tmp/quick

Prints the course's cost lines and the accuracy (about 90 % with the defaults), and writes
``costs.png``, ``decision_boundary.png`` and ``model.npz`` to ``--out``.  ``--seed 2`` (the
default) draws W like the course's ``np.random.seed(2)``.
"""
import argparse
from pathlib import Path

import nn


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/planar_flower"))
    parser.add_argument("--iterations", type=int, default=10000)
    parser.add_argument("--learning-rate", type=float, default=1.2)
    parser.add_argument("--hidden-units", type=int, default=4)
    parser.add_argument("--hidden", default="tanh", choices=nn.models.HIDDEN)
    parser.add_argument("--seed", type=int, default=2,
                        help="seed of the course's legacy random stream for W")
    parser.add_argument("--print-every", type=int, default=1000)
    args = parser.parse_args(argv)

    X, Y = nn.datasets.planar_flower(m=400, seed=1)               # X (2, 400), Y (1, 400)
    model = nn.TwoLayerNet(n_x=2, n_h=args.hidden_units, n_y=1, hidden=args.hidden,
                           init="small", seed=nn.init.course_rng(args.seed))
    costs = model.fit(X, Y, iterations=args.iterations, learning_rate=args.learning_rate,
                      print_every=args.print_every)
    accuracy = model.score(X, Y)
    print(f"accuracy: {100 * accuracy:.2f} %")

    args.out.mkdir(parents=True, exist_ok=True)
    nn.plot_costs(costs, args.out / "costs.png", learning_rate=args.learning_rate)
    nn.plot_decision_boundary(model, X, Y, args.out / "decision_boundary.png",
                              title=f"Decision boundary, hidden layer of size "
                                    f"{args.hidden_units}")
    nn.save(model, args.out / "model.npz")
    print(f"wrote costs.png, decision_boundary.png and model.npz to {args.out}")
    return {"costs": costs, "accuracy": accuracy}


if __name__ == "__main__":
    main()
