"""How well the coach agrees with the corpus labels on the held-out split, and how well two
human labelling passes agree with each other (the ceiling a coach can be judged against)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.coach.corpus import LABELS, Corpus, load_corpus


@dataclass(frozen=True)
class Scores:
    label: str
    support: int
    precision: float
    recall: float
    f1: float
    kappa: float


def scores(truth: list[tuple[str, ...]], predicted: list[tuple[str, ...]]) -> list[Scores]:
    """Per-label precision, recall, F1 and Cohen's κ between two lists of label sets."""
    from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

    found = []
    for label in LABELS:
        a = np.array([label in t for t in truth], dtype=int)
        b = np.array([label in p for p in predicted], dtype=int)
        p, r, f, _ = precision_recall_fscore_support(a, b, average="binary", zero_division=0.0)
        kappa = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else 1.0
        found.append(Scores(label, int(a.sum()), float(p), float(r), float(f), float(kappa)))
    return found


def confusion(truth: list[tuple[str, ...]], predicted: list[tuple[str, ...]]) -> np.ndarray:
    """Rows: a label the corpus gives; columns: each label the coach gave those replies (share
    of the row's replies); the last column: replies where the coach gave the row's label none."""
    table = np.zeros((len(LABELS), len(LABELS) + 1))
    for t, p in zip(truth, predicted, strict=True):
        for label in t:
            i = LABELS.index(label)
            for other in p:
                table[i, LABELS.index(other)] += 1
            if label not in p:
                table[i, -1] += 1
    rows = np.array([[sum(label in t for t in truth)] for label in LABELS], dtype=float)
    return table / np.maximum(rows, 1)


@dataclass
class Evaluation:
    test_size: int
    train_size: int
    model: list[Scores]
    confusion: np.ndarray
    second_pass: list[Scores] | None
    second_pass_size: int

    @property
    def macro_f1(self) -> float:
        return float(np.mean([s.f1 for s in self.model]))


def evaluate(corpus: Corpus | None = None) -> Evaluation:
    from helpers.coach.model import get_model, read

    corpus = corpus or load_corpus()
    model = get_model("train")
    test = corpus.part("test")
    truth = [r.labels for r in test]
    predicted = [read(r.response, model).labels for r in test]
    second = None
    if corpus.second_pass:
        by_id = {r.id: r for r in corpus.replies}
        ids = sorted(corpus.second_pass)
        second = scores([by_id[i].labels for i in ids], [corpus.second_pass[i] for i in ids])
    return Evaluation(
        len(test),
        len(corpus.part("train")),
        scores(truth, predicted),
        confusion(truth, predicted),
        second,
        len(corpus.second_pass),
    )


def report(result: Evaluation) -> str:
    """The plain-text table ``alliance coach --evaluate`` prints."""
    lines = [
        f"Held-out split: {result.test_size} replies (trained on {result.train_size}).",
        "",
        f"{'label':<16} {'support':>7} {'precision':>9} {'recall':>6} {'F1':>5} {'kappa':>6}",
    ]
    for s in result.model:
        lines.append(
            f"{s.label:<16} {s.support:>7} {s.precision:>9.2f} {s.recall:>6.2f} "
            f"{s.f1:>5.2f} {s.kappa:>6.2f}"
        )
    lowest = min(result.model, key=lambda s: s.f1)
    lines += [
        "",
        f"macro-F1 {result.macro_f1:.2f} (target 0.80); lowest F1 {lowest.f1:.2f} "
        f"({lowest.label}; target: none below 0.65)",
    ]
    if result.second_pass is None:
        lines.append(
            "Human agreement: no second labelling pass yet (data/coach/second-pass.jsonl)."
        )
    else:
        lines += [
            "",
            f"Human agreement, first vs blind second pass ({result.second_pass_size} replies):",
        ]
        lines += [f"{s.label:<16} kappa {s.kappa:.2f}" for s in result.second_pass]
    return "\n".join(lines)


def as_json(result: Evaluation) -> dict:
    def rows(items: list[Scores]) -> dict:
        return {
            s.label: {
                "support": s.support,
                "precision": round(s.precision, 3),
                "recall": round(s.recall, 3),
                "f1": round(s.f1, 3),
                "kappa": round(s.kappa, 3),
            }
            for s in items
        }

    return {
        "test_replies": result.test_size,
        "train_replies": result.train_size,
        "macro_f1": round(result.macro_f1, 3),
        "labels": rows(result.model),
        "second_pass": None if result.second_pass is None else rows(result.second_pass),
    }


def confusion_figure(result: Evaluation):
    """A heat map of ``result.confusion`` (rows: corpus label; columns: coach label)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, 6.0))
    ax = fig.add_subplot()
    table = result.confusion
    ax.imshow(table, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    columns = [*LABELS, "(missed)"]
    ax.set_xticks(
        range(len(columns)), [c.replace("_", " ") for c in columns], rotation=45, ha="right"
    )
    ax.set_yticks(range(len(LABELS)), [label.replace("_", " ") for label in LABELS])
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            value = table[i, j]
            if value >= 0.005:
                ax.text(
                    j,
                    i,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if value > 0.6 else "black",
                )
    ax.set_xlabel("label the coach gave")
    ax.set_ylabel("label in the corpus")
    ax.set_title(f"Coach vs corpus labels, held-out split ({result.test_size} replies)")
    fig.tight_layout()
    return fig
