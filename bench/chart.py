"""The throughput-by-batch-size chart (PNG, matplotlib's Agg backend)."""

from __future__ import annotations

import math
from pathlib import Path

from bench.results import Results

CONTENDERS = (
    ("newsledger", "newsledger (gRPC)", "tab:blue"),
    ("served-app", "eventsourcing Application, served (gRPC)", "tab:olive"),
    ("served-recorder", "eventsourcing recorder, served (gRPC)", "tab:red"),
    ("peer-recorder", "eventsourcing recorder, in-process", "tab:orange"),
    ("peer-app", "eventsourcing Application, in-process", "tab:green"),
    ("raw", "raw database, same lock", "tab:gray"),
)


def write_chart(results: Results, batch_sizes: list[int], path: Path) -> bool:
    """Draw events per second by batch size, one panel per backend; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    backends = results.backends()
    figure, axes = plt.subplots(1, len(backends), figsize=(6 * len(backends), 4.5), squeeze=False)
    for axis, backend in zip(axes[0], backends, strict=True):
        for key, label, colour in CONTENDERS:
            points = [(b, results.get(backend, f"append_b{b}/{key}")) for b in batch_sizes]
            points = [(b, v) for b, v in points if not math.isnan(v)]
            if points:
                xs, ys = zip(*points, strict=True)
                axis.plot(xs, ys, marker="o", label=label, color=colour)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xticks(batch_sizes, [str(b) for b in batch_sizes])
        axis.set_xlabel("events per append (batch size)")
        axis.set_ylabel("events per second (median)")
        axis.set_title(f"Append throughput, {backend}")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True
