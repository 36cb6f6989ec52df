"""Training throughput of nettrainer against a plain numpy loop, PyTorch eager and the GEMM bound.

Each implementation runs in its own worker process (so PyTorch's and OpenBLAS's
thread pools never compete), on the same synthetic CIFAR-shaped data; the
parent interleaves them, one epoch each per repetition, and reports the median
samples/s with the ratios. Then a child process trains nettrainer on the
float32 set and its peak RSS is compared with the size of the data.

    python benchmarks/throughput.py            # full: N=49000, D=3072, B=200, 3 repetitions
    python benchmarks/throughput.py --quick    # smoke run: a small N, 1 repetition, seconds

Benchmarks are not tests: nothing here asserts a time.
"""

import argparse
import importlib.util
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import _impls
from _args import OneLineParser, int_at_least, run

SHAPES = [("float32", 100), ("float32", 500), ("float64", 100), ("float64", 500)]
BATCH_SIZE = 200
TORCH_NAMES = ("torch (L2 in loss)", "torch (weight_decay)")
MIB = 1 << 20


def parse_args():
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, one repetition")
    parser.add_argument("--reps", type=int_at_least(1), default=None,
                        help="repetitions (default 3; quick 1)")
    parser.add_argument("--num-train", default=None, help="N (default 49000; quick 2000)",
                        type=int_at_least(BATCH_SIZE, f" (one batch of {BATCH_SIZE})"))
    parser.add_argument("--no-rss", action="store_true", help="skip the peak-RSS measurement")
    parser.add_argument("--rss-child", nargs=2, metavar=("N", "H"), help=argparse.SUPPRESS)
    return parser.parse_args()


def machine_report():
    lines = [f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {_cpu_model()}",
             f"python {platform.python_version()}, numpy {np.__version__}"]
    if importlib.util.find_spec("torch"):
        import torch

        lines.append(f"torch {torch.__version__} ({torch.get_num_threads()} threads by default, "
                     "2 used)")
    else:
        lines.append("torch: not installed (pip install torch==2.13.0; the 'bench' extra)")
    lines.append(f"BLAS: {_blas()}")
    from nettrainer.blas import fuses_in_blas

    fused = all(fuses_in_blas(dtype) for dtype in (np.float32, np.float64))
    lines.append("nettrainer's SGD step: " + ("inside the gradient gemm (numpy's CBLAS)" if fused
                 else "a separate update (no CBLAS gemm found in numpy's BLAS)"))
    return lines


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _blas():
    if importlib.util.find_spec("threadpoolctl"):
        from threadpoolctl import threadpool_info

        pools = [f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
                 f"{p.get('num_threads')} threads)" for p in threadpool_info()
                 if p.get("user_api") == "blas"]
        if pools:
            return "; ".join(pools)
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return f"{blas.get('name')} {blas.get('version')}"


def machine_cpu_seconds():
    """Return (busy, steal) CPU seconds of the whole machine since boot, or None off Linux.

    Busy counts user, nice, system, irq and softirq time (guests are in user);
    steal is time the hypervisor gave to other virtual machines.
    """
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    ticks = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / ticks, steal / ticks


def own_cpu_seconds():
    """Return the CPU seconds of this process and of its children that have been waited for."""
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def report_other_load(machine_before, own_before, wall_before):
    """Print how much CPU other processes and other virtual machines took during the measurement.

    A load average would count the benchmark's own threads; this subtracts them.
    """
    machine_after = machine_cpu_seconds()
    if machine_before is None or machine_after is None:
        print("CPU used by other processes: unknown (no /proc/stat)")
        return
    wall = time.perf_counter() - wall_before
    others = machine_after[0] - machine_before[0] - (own_cpu_seconds() - own_before)
    steal = machine_after[1] - machine_before[1]
    print(f"during the measurements, other processes used {max(others, 0) / wall:.2f} of the "
          f"{os.cpu_count()} CPUs on average and the hypervisor stole {steal / wall:.2f} "
          "(both make every number lower and noisier)")


def measure(cfg, names, reps):
    """Return {name: [samples/s per repetition]}, running the workers in turn."""
    context = multiprocessing.get_context("spawn")
    workers = {}
    for name in names:
        parent, child = context.Pipe()
        process = context.Process(target=_impls.worker, args=(child,), daemon=True)
        process.start()
        parent.send(("prepare", name, cfg))
        workers[name] = (process, parent)
    for _, connection in workers.values():
        connection.recv()
    results = {name: [] for name in names}
    for _ in range(reps):
        for name, (_, connection) in workers.items():
            time.sleep(0.2)  # let the previous worker's spinning threads go to sleep
            connection.send(("run",))
            results[name].append(connection.recv()[1])
    for process, connection in workers.values():
        connection.send(("stop",))
        process.join()
    return results


def print_table(rows, names, statistic):
    """Print samples/s per implementation (``statistic`` of the repetitions) and the ratios."""
    header = f"{'dtype':8} {'H':>4} " + " ".join(f"{n:>20}" for n in names)
    print(header + "   nt/torch  nt/GEMM  nt/plain")
    for (dtype, hidden), results in rows:
        value = {n: statistic(v) for n, v in results.items()}
        cells = " ".join(f"{value[n]:>20,.0f}" for n in names)
        torch = max((value[n] for n in TORCH_NAMES if n in value), default=None)
        nt = value["nettrainer"]
        ratio_torch = f"{nt / torch:9.2f}" if torch else f"{'-':>9}"
        print(f"{dtype:8} {hidden:>4} {cells}   {ratio_torch} {nt / value['GEMM bound']:8.2f} "
              f"{nt / value['plain numpy']:9.2f}")


def print_paired_ratios(rows):
    """Print the median over repetitions of each repetition's own ratios.

    The implementations of one repetition run back to back, so their ratio
    cancels most of a slow change in what else the machine is doing.
    """
    print(f"{'dtype':8} {'H':>4}   nt/torch  nt/GEMM  nt/plain")
    for (dtype, hidden), results in rows:
        torch_variants = [results[n] for n in TORCH_NAMES if n in results]
        torch = [max(values) for values in zip(*torch_variants, strict=True)]
        cells = ""
        for other in (torch, results["GEMM bound"], results["plain numpy"]):
            ratios = [a / b for a, b in zip(results["nettrainer"], other, strict=True)]
            cells += f"{statistics.median(ratios):9.2f}" if ratios else f"{'-':>9}"
        print(f"{dtype:8} {hidden:>4} {cells}")


def rss_child(num_train, hidden):
    """Train nettrainer for one epoch on float32 data; print the data bytes and the peak RSS."""
    data = _impls.make_data(num_train, _impls.EVAL_ROWS, 3072, np.dtype(np.float32))
    nbytes = sum(a.nbytes for a in data.values())
    _impls.Nettrainer(data, hidden, BATCH_SIZE).run()
    print(nbytes, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def measure_rss(num_train, hidden):
    """Return (peak RSS of a fresh process training nettrainer, bytes of its data)."""
    command = [sys.executable, __file__, "--rss-child", str(num_train), str(hidden)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    nbytes, peak = (int(v) for v in output.split()[-2:])
    return peak, nbytes


def main():
    args = parse_args()
    if args.rss_child:
        rss_child(int(args.rss_child[0]), int(args.rss_child[1]))
        return
    reps = args.reps if args.reps is not None else (1 if args.quick else 3)
    num_train = args.num_train if args.num_train is not None else (2000 if args.quick else 49000)
    names = ["nettrainer", "plain numpy"]
    if importlib.util.find_spec("torch"):
        names += list(TORCH_NAMES)
    names.append("GEMM bound")
    print("\n".join(machine_report()))
    print(f"data: N={num_train} train + {_impls.EVAL_ROWS} val, D=3072, C=10, B={BATCH_SIZE}; "
          f"{reps} interleaved repetition(s) of one epoch each "
          f"(epoch = N//B SGD steps + train/val accuracy on {_impls.EVAL_ROWS} rows each)")
    machine_before, own_before, wall_before = (
        machine_cpu_seconds(), own_cpu_seconds(), time.perf_counter())
    rows = []
    for dtype, hidden in SHAPES:
        cfg = {"num_train": num_train, "num_val": _impls.EVAL_ROWS, "dim": 3072,
               "dtype": dtype, "hidden": hidden, "batch_size": BATCH_SIZE}
        rows.append(((dtype, hidden), measure(cfg, names, reps)))
    print("median of the repetitions (samples/s; nt/torch against the faster torch variant):")
    print_table(rows, names, statistic=statistics.median)
    if reps > 1:
        print("best repetition of each (the least disturbed by other processes):")
        print_table(rows, names, statistic=max)
        print("median of the ratios within each repetition (the most robust to a busy machine):")
        print_paired_ratios(rows)
    report_other_load(machine_before, own_before, wall_before)
    if num_train < 49000:
        print(f"N={num_train}: the {_impls.EVAL_ROWS}-row evaluations, the batch gather from a "
              "cached data set and the start of each epoch weigh more than at N=49000, so "
              "these ratios are not comparable with a full run's")
    if args.no_rss:
        print("peak RSS: not measured (--no-rss)")
    elif args.quick:
        print("peak RSS: not measured (--quick: at this size the interpreter and libraries "
              "outweigh the data; run without --quick)")
    else:
        peak, nbytes = measure_rss(num_train, 500)
        verdict = "within" if peak <= nbytes + 100 * MIB else "OVER"
        print(f"peak RSS training float32 N={num_train}, H=500: {peak / MIB:.0f} MiB; data "
              f"{nbytes / MIB:.0f} MiB; data + 100 MiB = {nbytes / MIB + 100:.0f} MiB ({verdict})")


if __name__ == "__main__":
    run(main)
