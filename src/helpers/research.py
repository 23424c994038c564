"""The research behind the alliance, as a chart a counselor can read (notebook 01).

The numbers live in ``data/research/alliance-effects.csv``, each row with the key of its primary
source, so the chart never says more than the published meta-analyses do.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.figures import PALETTE, AccessibleFigure, accessible_figure
from helpers.paths import data_path

if TYPE_CHECKING:
    from matplotlib.figure import Figure

EFFECTS_FILE = ("research", "alliance-effects.csv")
COLUMNS = ("id", "group", "label", "measure", "effect", "ci_low", "ci_high", "sample", "citation")

# One colour and one marker shape per group, so color is never the only signal.
_GROUP_STYLE = {
    "Alliance": (PALETTE[0], "o"),
    "Goals and tasks": (PALETTE[1], "s"),
    "Counselor qualities": (PALETTE[2], "D"),
    "Repair": (PALETTE[3], "^"),
}


@dataclass(frozen=True)
class Effect:
    """One meta-analytic estimate: an association between a relationship quality and outcome."""

    id: str
    group: str
    label: str
    measure: str
    effect: float
    ci_low: float | None
    ci_high: float | None
    sample: str
    citation: str
    doi: str

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None


def _number(text: str, row: int, column: str, path: Path, optional: bool = False) -> float | None:
    text = (text or "").strip()
    if not text:
        if optional:
            return None
        raise ValueError(
            f"{path.name}, row {row}: '{column}' is empty — give a number such as 0.28"
        )
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{path.name}, row {row}: '{column}' is '{text}', which is not a number"
        ) from None
    if not math.isfinite(value) or not -1 <= value <= 1:
        raise ValueError(f"{path.name}, row {row}: '{column}' must be between -1 and 1")
    return value


def load_effects(path: str | Path | None = None) -> list[Effect]:
    """The rows of the effects file, in file order, checked so the chart can trust them."""
    path = Path(path) if path is not None else data_path(*EFFECTS_FILE)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
        effects = []
        for number, row in enumerate(reader, start=2):
            if not (row.get("citation") or "").strip():
                raise ValueError(f"{path.name}, row {number}: every figure needs a citation key")
            low = _number(row["ci_low"], number, "ci_low", path, optional=True)
            high = _number(row["ci_high"], number, "ci_high", path, optional=True)
            if (low is None) != (high is None):
                raise ValueError(f"{path.name}, row {number}: give both ends of the interval")
            effects.append(
                Effect(
                    id=row["id"].strip(),
                    group=row["group"].strip(),
                    label=row["label"].strip(),
                    measure=row["measure"].strip(),
                    effect=_number(row["effect"], number, "effect", path),  # type: ignore[arg-type]
                    ci_low=low,
                    ci_high=high,
                    sample=row["sample"].strip(),
                    citation=row["citation"].strip(),
                    doi=(row.get("doi") or "").strip(),
                )
            )
    return effects


def _r(value: float) -> str:
    """APA style for a correlation: no leading zero (.28)."""
    return f"{value:.3f}".rstrip("0").rstrip(".").replace("0.", ".", 1)


def effects_chart(effects: list[Effect]) -> Figure:
    """A horizontal dot-and-interval chart: one row per estimate, first row at the top."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 0.55 * len(effects) + 1.8))
    ax = fig.subplots()
    positions = list(range(len(effects)))[::-1]
    seen: set[str] = set()
    for y, item in zip(positions, effects, strict=True):
        colour, marker = _GROUP_STYLE.get(item.group, (PALETTE[7], "o"))
        if item.has_ci:
            ax.errorbar(
                [item.effect],
                [y],
                xerr=[[item.effect - item.ci_low], [item.ci_high - item.effect]],  # type: ignore[operator]
                fmt="none",
                ecolor=colour,
                elinewidth=2,
                capsize=4,
            )
        ax.scatter(
            [item.effect],
            [y],
            color=colour if item.has_ci else "white",
            edgecolors=colour,
            linewidths=2,
            marker=marker,
            s=70,
            zorder=3,
            label=None if item.group in seen else item.group,
        )
        seen.add(item.group)
    labels = [
        f"{item.label}\n({item.sample}{'' if item.has_ci else '; no interval reported'})"
        for item in effects
    ]
    ax.set_yticks(positions, labels, fontsize=8)
    ax.axvline(0, color="#555555", linewidth=1)
    ax.set_xlim(-0.05, 0.55)
    ax.set_xlabel("Correlation with client outcome (r), with 95% confidence interval")
    ax.set_title(f"The alliance and client outcome: {len(effects)} meta-analytic estimates")
    ax.legend(title="About", loc="upper left", fontsize=8, title_fontsize=8)
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    fig.tight_layout()
    return fig


def effects_summary(effects: list[Effect]) -> str:
    """The one-sentence plain-text reading of the chart (what nbval and screen readers get)."""
    values = [item.effect for item in effects]
    return (
        f"Across {len(effects)} meta-analytic estimates, the alliance and related relationship "
        f"qualities correlate with client outcome between r = {_r(min(values))} and "
        f"r = {_r(max(values))}: a consistent, moderate association that by itself does not "
        "prove the alliance causes better outcomes."
    )


def show_alliance_effects() -> AccessibleFigure:
    """Chart the published alliance–outcome figures with their intervals and sample sizes."""
    effects = load_effects()
    alt = "Dot chart of correlations with client outcome. " + "; ".join(
        f"{item.label}: r = {_r(item.effect)}"
        + (f", 95% CI {_r(item.ci_low)} to {_r(item.ci_high)}" if item.has_ci else "")  # type: ignore[arg-type]
        + f" ({item.sample})"
        for item in effects
    )
    return accessible_figure(
        lambda: effects_chart(effects),
        alt=alt,
        summary=effects_summary(effects),
        cache_as=("alliance-effects", repr(effects)),
    )
