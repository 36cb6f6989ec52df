"""Fashion-MNIST test accuracy against training wall time: nettrainer and scikit-learn's MLP.

nettrainer trains exactly what ``nettrainer train CONFIG`` trains (same config,
data split, preprocessing and seed). scikit-learn's ``MLPClassifier`` (when
installed: ``pip install scikit-learn``, the 'bench' extra) trains one epoch per
``fit`` call with ``warm_start`` on the same preprocessed training split. After
every epoch both are scored on the official 10,000 test images; the clock stops
while they are scored, so the times are training time only. The test set is
only reported here, never used to choose anything.

    python benchmarks/fashion.py                  # table + runs/benchmarks/fashion.png
    python benchmarks/fashion.py --quick          # 2 epochs each, a smoke run (fashion-quick.png)
"""

import importlib.util
import sys
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from _args import OneLineParser, int_at_least, run, writable_file  # noqa: E402

from nettrainer import config, experiment  # noqa: E402
from nettrainer.errors import NettrainerError  # noqa: E402
from nettrainer.runs import atomic_write  # noqa: E402


def parse_args():
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "fashion-mnist.yaml"))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override, as for nettrainer train")
    parser.add_argument("--sklearn-hidden", type=int_at_least(1), default=512)
    parser.add_argument("--sklearn-epochs", type=int_at_least(1), default=None,
                        help="default 40; quick 2")
    parser.add_argument("--quick", action="store_true",
                        help="2 epochs each (a --set train.epochs or --sklearn-epochs still wins)")
    parser.add_argument("--png", type=Path, default=None,
                        help="default runs/benchmarks/fashion.png; quick fashion-quick.png")
    args = parser.parse_args()
    if args.sklearn_epochs is None:
        args.sklearn_epochs = 2 if args.quick else 40
    if args.png is None:
        args.png = ROOT / "runs" / "benchmarks" / ("fashion-quick.png" if args.quick
                                                   else "fashion.png")
    return args


class TestCurve:
    """Solver callback: test accuracy after every epoch, against training time only."""

    def __init__(self, X_test, y_test):
        self.X_test, self.y_test = X_test, y_test
        self.points = []
        self.scoring = 0.0
        self.start = time.perf_counter()

    def on_epoch_end(self, solver):
        seconds = time.perf_counter() - self.start - self.scoring
        begin = time.perf_counter()
        accuracy = float(np.mean(solver.model.predict(self.X_test) == self.y_test))
        self.scoring += time.perf_counter() - begin
        self.points.append((seconds, accuracy))


def run_nettrainer(cfg, dataset):
    model = experiment.build_model(cfg, dataset)
    curve = TestCurve(dataset.X_test, dataset.y_test)
    solver = experiment.build_solver(cfg, model, dataset, callbacks=[curve])
    curve.start = time.perf_counter()
    solver.train()  # restores the params of the best validation accuracy
    final = float(np.mean(model.predict(dataset.X_test) == dataset.y_test))
    return curve.points, final, solver.best_val_acc


def run_sklearn(dataset, hidden, epochs, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    mlp = MLPClassifier(hidden_layer_sizes=(hidden,), solver="adam", max_iter=1,
                        warm_start=True, random_state=seed)
    points, seconds = [], 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.fit(dataset.X_train, dataset.y_train)
        seconds += time.perf_counter() - start
        points.append((seconds, float(mlp.score(dataset.X_test, dataset.y_test))))
    return points


def plot(curves, final, path):
    """Draw test accuracy against training time; a star marks the params nettrainer keeps."""
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for label, points in curves.items():
        seconds, accuracy = zip(*points, strict=True)
        axes.plot(seconds, np.array(accuracy) * 100, marker="o", markersize=3, label=label)
    axes.plot(final[0], final[1] * 100, marker="*", markersize=12, color="C0", linestyle="none",
              label="nettrainer's result: the best-validation epoch's params")
    axes.axhline(90.0, color="grey", linestyle=":", label="90%")
    axes.set_xlabel("training wall time (s)")
    axes.set_ylabel("test accuracy (%)")
    axes.set_title("Fashion-MNIST, official 10,000 test images")
    axes.grid(alpha=0.3)
    axes.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda handle: figure.savefig(handle, format="png", dpi=120,
                                                     bbox_inches="tight"), mode="wb")


def main():
    args = parse_args()
    overrides = (["train.epochs=2"] if args.quick else []) + list(args.set)
    cfg = config.load(args.config, overrides)
    if args.png.suffix.lower() != ".png":
        raise NettrainerError(f"--png {args.png}: the picture is a PNG; name a .png file")
    writable_file(args.png, "--png")
    dataset = experiment.load_dataset(cfg)
    if dataset.X_test is None:
        raise NettrainerError(
            f"{args.config}: data set {cfg.data.name!r} has no test split, and this benchmark "
            "scores test accuracy; use a config whose data has one (fashion-mnist, mnist, "
            "cifar10, or npz/csv with test data)")
    m = cfg.model
    label = f"nettrainer H={m.hidden_size} {cfg.train.optimizer} {m.dtype}"
    points, final, best_val = run_nettrainer(cfg, dataset)
    curves = {label: points}
    rows = [(label, points[-1][0], final, f"best val {best_val:.2%}, restored")]
    if importlib.util.find_spec("sklearn"):
        sk_label = f"sklearn MLP ({args.sklearn_hidden},) adam"
        sk_points = run_sklearn(dataset, args.sklearn_hidden, args.sklearn_epochs, cfg.seed)
        curves[sk_label] = sk_points
        rows.append((sk_label, sk_points[-1][0], sk_points[-1][1],
                     f"{args.sklearn_epochs} epochs"))
    else:
        print("scikit-learn not installed: nettrainer only (pip install scikit-learn)")
    print(f"{'implementation':40} {'train s':>8} {'test acc':>9}  note")
    for name, seconds, accuracy, note in rows:
        print(f"{name:40} {seconds:8.1f} {accuracy:9.2%}  {note}")
    print("\nper epoch (training seconds, test accuracy):")
    for name, pts in curves.items():
        print(f"  {name}: " + ", ".join(f"{s:.1f}s {a:.2%}" for s, a in pts))
    plot(curves, (points[-1][0], final), args.png)
    print(f"\nplot: {args.png}")


if __name__ == "__main__":
    run(main)
