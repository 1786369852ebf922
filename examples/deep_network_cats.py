"""Week 4: the L-layer network [12288, 20, 7, 5, 1] (ReLU, sigmoid output) on the cat pictures.

    python examples/deep_network_cats.py --out runs/deep
    python examples/deep_network_cats.py --iterations 100 --out /tmp/quick

Prints the course's cost lines and the accuracies, and writes ``costs.png`` and
``model.npz`` to ``--out``.  With the defaults (np.random.seed(1) stream, W = randn / √n,
2500 iterations, α = 0.0075) it reproduces the course: cost 0.092878 after iteration 2400,
98.56 % train and 80 % test accuracy.
"""
import sys
from pathlib import Path

import nn
from autograd_lite.cli import ArgumentParser, run_script
from autograd_lite.cli.common import positive_float, positive_int, output_folder, seed


def main(argv=None):
    parser = ArgumentParser(prog="deep_network_cats.py",
                            description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the course's .h5 files (default: "
                             "$AUTOGRAD_LITE_DATA, else ./shared/data, ../shared/data or "
                             "shared/data beside the checkout)")
    parser.add_argument("--out", type=Path, default=Path("runs/deep_network_cats"))
    parser.add_argument("--iterations", type=positive_int, default=2500)
    parser.add_argument("--learning-rate", type=positive_float, default=0.0075)
    parser.add_argument("--layers", type=positive_int, nargs="+", default=[20, 7, 5],
                        help="hidden layer sizes n[1] ... n[L-1]")
    parser.add_argument("--seed", type=seed, default=1,
                        help="seed of the course's legacy random stream for W")
    parser.add_argument("--print-every", type=positive_int, default=100)
    args = parser.parse_args(argv)

    train_x, train_y, test_x, test_y, classes = nn.datasets.load_catvnoncat(args.data_dir)
    layer_dims = [train_x.shape[0], *args.layers, 1]
    with output_folder(args.out, "--out", "output folder"):   # checked before training
        model = nn.DeepNN(layer_dims, hidden="relu", output="sigmoid", init="deep",
                          seed=nn.init.course_rng(args.seed))
        costs = model.fit(train_x, train_y, iterations=args.iterations,
                          learning_rate=args.learning_rate, print_every=args.print_every)
        train_accuracy = model.score(train_x, train_y)
        test_accuracy = model.score(test_x, test_y)
        print(f"train accuracy: {100 * train_accuracy:.2f} %")
        print(f"test accuracy: {100 * test_accuracy:.2f} %")

        nn.plot_costs(costs, args.out / "costs.png", learning_rate=args.learning_rate)
        nn.save(model, args.out / "model.npz")
        print(f"wrote {args.out / 'costs.png'} and {args.out / 'model.npz'}")
        return {"costs": costs, "train_accuracy": train_accuracy, "test_accuracy": test_accuracy}


if __name__ == "__main__":
    sys.exit(run_script(main))        # bad arguments and errors: one line, like the CLI
