"""Matplotlib charts rendered to base64 PNG <img> tags (no external resources)."""

from __future__ import annotations

import base64
import html
import io
from datetime import timedelta

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

_COLORS = plt.get_cmap("tab10").colors


def img(fig, alt: str) -> str:
    """The figure as an inline PNG <img class="chart">; closes the figure."""
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="chart" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def lines(
    series: dict[str, list[tuple]],
    title: str,
    ylabel: str,
    limits: dict[str, list[tuple]] | None = None,
    breaches: dict[str, list[tuple]] | None = None,
    hline: float | None = None,
) -> str:
    """One line per series (x, y); optional dashed limit lines and red breach markers."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for i, (name, pts) in enumerate(sorted(series.items())):
        color = _COLORS[i % len(_COLORS)]
        xs, ys = zip(*sorted(pts), strict=True)
        ax.plot(xs, ys, marker=".", color=color, label=name)
        if limits and limits.get(name):
            lx, ly = zip(*sorted(limits[name]), strict=True)
            ax.plot(lx, ly, linestyle="--", color=color, alpha=0.6)
        if breaches and breaches.get(name):
            bx, by = zip(*sorted(breaches[name]), strict=True)
            ax.scatter(bx, by, color="red", zorder=5, s=40)
    if hline is not None:
        ax.axhline(hline, color="red", linestyle=":", label=f"limit {hline:g}")
    days = {x for pts in series.values() for x, _ in pts}
    if len(days) == 1 and hasattr(next(iter(days)), "toordinal"):
        day = next(iter(days))  # one date: show the week around it, not matplotlib's years
        ax.set_xlim(day - timedelta(days=3), day + timedelta(days=3))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    fig.autofmt_xdate()
    return img(fig, title)


def stacked_bars(table: dict[str, dict], title: str, ylabel: str) -> str:
    """x -> {category: count} as stacked bars."""
    keys = sorted(table)
    xs = [str(x) for x in keys]
    cats = sorted({c for v in table.values() for c in v})
    fig, ax = plt.subplots(figsize=(9, 3.6))
    bottom = [0.0] * len(xs)
    for i, c in enumerate(cats):
        ys = [float(table[k].get(c, 0)) for k in keys]
        ax.bar(xs, ys, bottom=bottom, label=c, color=_COLORS[i % len(_COLORS)])
        bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7, loc="upper left", ncol=3)
    fig.autofmt_xdate()
    return img(fig, title)


def grouped_bars(
    labels: list[str],
    groups: dict[str, list[float | None]],
    title: str,
    hlines: dict[str, float] | None = None,
    horizontal: bool = False,
) -> str:
    """Bars of several measures per label (None drawn as 0 and marked '-')."""
    height = max(3.2, 0.32 * len(labels) + 1.2) if horizontal else 3.8
    fig, ax = plt.subplots(figsize=(9, height))
    n = len(groups)
    width = 0.8 / max(1, n)
    for i, (name, values) in enumerate(groups.items()):
        pos = [k + (i - (n - 1) / 2) * width for k in range(len(labels))]
        vals = [0.0 if v is None else float(v) for v in values]
        if horizontal:
            ax.barh(pos, vals, height=width, label=name, color=_COLORS[i % len(_COLORS)])
        else:
            ax.bar(pos, vals, width=width, label=name, color=_COLORS[i % len(_COLORS)])
    for j, (name, y) in enumerate((hlines or {}).items()):
        line = ax.axvline if horizontal else ax.axhline
        line(y, linestyle="--", color=("darkorange", "red", "grey")[min(j, 2)], label=name)
    if horizontal:
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.invert_yaxis()
    else:
        ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right", fontsize=7)
    ax.set_title(title)
    ax.legend(fontsize=7)
    return img(fig, title)
