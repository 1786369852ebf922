"""A convolutional network on the course's cat pictures, beside week 4's L-layer network.

    python examples/cnn_cats.py --out runs/cnn
    python examples/cnn_cats.py --iterations 3 --subset 24 --out /tmp/quick

The course's X (12288, m) — each column a 64×64×3 picture flattened — is turned into
pictures (m, 3, 64, 64) by ``nn.cnn.to_images`` inside the model, so the data, ``fit``,
``score`` and ``nn.save`` are those of the dense models.  The network:
``[CONV 3×3 "same" → RELU → MAXPOOL 4×4] × 2 → FLATTEN → LINEAR → SIGMOID``
(8 then 16 filters), He initialisation, Adam on mini-batches of 32.  Prints the cost
lines and the accuracies, writes ``costs.png`` and ``model.npz`` to ``--out``.
See docs/cnn.md for the accuracies it reaches and how long it takes.
"""
import argparse
import time
from pathlib import Path

import nn


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the course's .h5 files (default: "
                             "$AUTOGRAD_LITE_DATA or shared/data beside the checkout)")
    parser.add_argument("--out", type=Path, default=Path("runs/cnn_cats"))
    parser.add_argument("--iterations", type=int, default=30, help="epochs")
    parser.add_argument("--learning-rate", type=float, default=0.002)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--channels", type=int, nargs="+", default=[8, 16],
                        help="filters of each convolution layer")
    parser.add_argument("--pool", type=int, default=4, help="max-pool size after each conv")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of W and of the mini-batch shuffling")
    parser.add_argument("--print-every", type=int, default=5)
    parser.add_argument("--subset", type=int, default=None,
                        help="train on the first N training pictures only (quick runs)")
    args = parser.parse_args(argv)

    train_x, train_y, test_x, test_y, classes = nn.datasets.load_catvnoncat(args.data_dir)
    if args.subset is not None:
        train_x, train_y = train_x[:, :args.subset], train_y[:, :args.subset]
    model = nn.CNN((3, 64, 64), channels=args.channels, kernel_size=3, pool=args.pool,
                   init="he", seed=args.seed)
    start, cpu = time.perf_counter(), time.process_time()
    costs = model.fit(train_x, train_y, iterations=args.iterations,
                      learning_rate=args.learning_rate, optimizer="adam",
                      batch_size=args.batch_size, seed=args.seed,
                      print_every=args.print_every, progress=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    train_accuracy = model.score(train_x, train_y)
    test_accuracy = model.score(test_x, test_y)
    print(f"train accuracy: {100 * train_accuracy:.2f} %")
    print(f"test accuracy: {100 * test_accuracy:.2f} %")
    print(f"trained in {seconds:.1f} s ({cpu:.1f} s of CPU time)")

    args.out.mkdir(parents=True, exist_ok=True)
    nn.plot_costs(costs, args.out / "costs.png", learning_rate=args.learning_rate)
    nn.save(model, args.out / "model.npz")
    print(f"wrote {args.out / 'costs.png'} and {args.out / 'model.npz'}")
    return {"costs": costs, "train_accuracy": train_accuracy, "test_accuracy": test_accuracy}


if __name__ == "__main__":
    main()
