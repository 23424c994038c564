"""The coach's model: word and character n-grams plus rule cues, one calibrated linear
classifier per label (scikit-learn), exported to plain arrays so reading a reply needs only NumPy.

Training uses scikit-learn and happens once per corpus: on first use the model is trained from
the corpus in ``data/coach/`` and cached in ``ALLIANCE_HOME/cache/``; the cache file's name holds
a hash of the corpus files and ``MODEL_VERSION``, so a changed corpus or model code retrains.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers.coach import rules
from helpers.coach.corpus import LABELS, Reply, fingerprint, load_corpus
from helpers.files import replace_atomically

MODEL_VERSION = "1"
SEED = 2126
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Single words too common to show as a cue on their own.
_PLAIN = set(
    "a an the and or but so to of in on at for with it its it's is are was were be been i me my "
    "you your you're he him his she her they them their this that there then just do did does "
    "have has had not no yes if as up out about all very really".split()
)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def features(text: str) -> list[str]:
    """Word 1–3-grams, character 2–5-grams within words, and the names of matching rules."""
    clean = normalise(text)
    words = _WORD.findall(clean)
    found = [f"w:{w}" for w in words]
    found += [f"w:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    found += [f"w:{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)]
    if words:
        found.append(f"first:{words[0]}")
        if len(words) > 1:
            found.append(f"first:{words[0]} {words[1]}")
    for word in words:
        padded = f" {word} "
        for n in range(2, 6):
            found += [f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1)]
    found += rules.rule_features(text) * 3
    if "?" in clean:
        found.append("mark:?")
    return found


@dataclass
class Model:
    vocabulary: dict[str, int]
    idf: np.ndarray  # (features,)
    weights: np.ndarray  # (features, labels)
    intercept: np.ndarray  # (labels,)
    slope: np.ndarray  # (labels,) Platt scaling: p = 1 / (1 + exp(slope * score + offset))
    offset: np.ndarray  # (labels,)
    threshold: np.ndarray  # (labels,)
    key: str = ""

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The reply's non-zero tf-idf features: indices and l2-normalised values."""
        counts = Counter(f for f in features(text) if f in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        index = np.fromiter((self.vocabulary[f] for f in counts), dtype=np.int64)
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=float)
        values = tf * self.idf[index]
        return index, values / np.linalg.norm(values)

    def probabilities(self, text: str) -> np.ndarray:
        index, values = self.vector(text)
        scores = values @ self.weights[index] + self.intercept
        return 1.0 / (1.0 + np.exp(self.slope * scores + self.offset))

    def contributions(self, text: str, label: int) -> list[tuple[str, float]]:
        """Features present in the reply that push towards ``label``, strongest first."""
        index, values = self.vector(text)
        names = self._names()
        pushes = values * self.weights[index, label]
        order = np.argsort(-pushes, kind="stable")
        return [(names[index[i]], float(pushes[i])) for i in order if pushes[i] > 0]

    def _names(self) -> list[str]:
        if not hasattr(self, "_name_list"):
            names = [""] * len(self.vocabulary)
            for name, i in self.vocabulary.items():
                names[i] = name
            self._name_list = names
        return self._name_list


@dataclass
class Reading:
    """What the coach reads in one reply."""

    text: str
    labels: tuple[str, ...]
    probabilities: dict[str, float]
    cues: dict[str, list[str]] = field(default_factory=dict)
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "labels": list(self.labels),
            "cues": self.cues,
            "probabilities": {k: round(v, 3) for k, v in self.probabilities.items()},
        }


# ---------------------------------------------------------------- training (scikit-learn)


def train(replies: list[Reply]) -> Model:
    """Fit one calibrated logistic regression per label on ``replies`` (deterministic)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [r.response for r in replies]
    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=2, dtype=np.float64)
    matrix = vectorizer.fit_transform(texts)
    size = matrix.shape[1]
    weights = np.zeros((size, len(LABELS)))
    intercept, slope, offset, threshold = (np.zeros(len(LABELS)) for _ in range(4))
    for j, label in enumerate(LABELS):
        target = np.array([label in r.labels for r in replies], dtype=int)
        base = LogisticRegression(
            C=8.0,
            class_weight="balanced",
            solver="liblinear",
            dual=True,
            random_state=SEED,
            max_iter=2000,
        )
        calibrated = CalibratedClassifierCV(
            base, method="sigmoid", cv=StratifiedKFold(5), ensemble=False
        )
        calibrated.fit(matrix, target)
        fitted = calibrated.calibrated_classifiers_[0]
        weights[:, j] = fitted.estimator.coef_[0]
        intercept[j] = fitted.estimator.intercept_[0]
        slope[j] = fitted.calibrators[0].a_
        offset[j] = fitted.calibrators[0].b_
        # the out-of-fold scores the calibrator was fitted on (same folds), calibrated
        scores = cross_val_predict(
            base, matrix, target, cv=StratifiedKFold(5), method="decision_function"
        )
        held_out = 1.0 / (1.0 + np.exp(slope[j] * scores + offset[j]))
        threshold[j] = _best_threshold(held_out, target)
    vocabulary = {name: int(i) for name, i in vectorizer.vocabulary_.items()}
    return Model(vocabulary, vectorizer.idf_.copy(), weights, intercept, slope, offset, threshold)


def _best_threshold(probabilities: np.ndarray, target: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for cut in np.arange(0.20, 0.71, 0.05):
        predicted = probabilities >= cut
        tp = int(np.sum(predicted & (target == 1)))
        f1 = 2 * tp / max(1, int(predicted.sum()) + int(target.sum()))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(round(cut, 2)), f1
    return best


# ---------------------------------------------------------------- the cache


def cache_dir() -> Path:
    from helpers.paths import cache_folder

    override = os.environ.get("ALLIANCE_COACH_CACHE")
    if not override:
        return cache_folder()
    folder = Path(override)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def model_key(folder: Path | None = None) -> str:
    """A hash of the corpus files, ``MODEL_VERSION`` and the code that turns text into features:
    a change to any of them names a new cache file, so the model is retrained."""
    digest = hashlib.sha256(f"{fingerprint(folder)}:{MODEL_VERSION}".encode())
    for source in (Path(__file__), Path(rules.__file__)):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:20]


def save(model: Model, path: Path) -> None:
    names = [""] * len(model.vocabulary)
    for name, i in model.vocabulary.items():
        names[i] = name
    replace_atomically(
        path,
        lambda out: np.savez(
            out,
            names=np.array(json.dumps(names)),
            idf=model.idf,
            weights=model.weights.astype(np.float32),
            intercept=model.intercept,
            slope=model.slope,
            offset=model.offset,
            threshold=model.threshold,
        ),
    )


def load(path: Path, key: str = "") -> Model:
    with np.load(path, allow_pickle=False) as data:
        names = json.loads(str(data["names"]))
        return Model(
            {name: i for i, name in enumerate(names)},
            data["idf"],
            data["weights"].astype(np.float64),
            data["intercept"],
            data["slope"],
            data["offset"],
            data["threshold"],
            key=key,
        )


_MODEL: Model | None = None


def get_model(split: str = "all") -> Model:
    """The trained model, from the cache when the corpus has not changed, else trained now.

    ``split="train"`` gives the model trained on the training part only (for evaluation).
    """
    global _MODEL
    key = model_key()
    if split == "all" and _MODEL is not None and _MODEL.key == key:
        return _MODEL
    folder = cache_dir()
    path = folder / f"coach-{split}-{key}.npz"
    if path.is_file():
        try:
            model = load(path, key)
        except (OSError, ValueError, KeyError):
            model = None
    else:
        model = None
    if model is None:
        corpus = load_corpus()
        replies = corpus.replies + corpus.variants
        if split == "train":
            replies = corpus.part("train", with_variants=True)
        model = train(replies)
        model.key = key
        for old in folder.glob(f"coach-{split}-*.npz"):
            old.unlink(missing_ok=True)
        save(model, path)
    if split == "all":
        _MODEL = model
    return model


# ---------------------------------------------------------------- reading a reply


def read(text: str, model: Model | None = None) -> Reading:
    """The labels the coach sees in ``text``, with the words that triggered each."""
    model = model or get_model()
    probabilities = model.probabilities(text)
    chosen = [LABELS[j] for j in range(len(LABELS)) if probabilities[j] >= model.threshold[j]]
    if not chosen and text.strip():
        chosen = [LABELS[int(np.argmax(probabilities / model.threshold))]]
    found = rules.matches(text)
    cues: dict[str, list[str]] = {}
    spans: list[tuple[int, int, str]] = []
    for label in chosen:
        phrases = []
        for match in found:
            if match.label == label and match.phrase not in phrases:
                phrases.append(match.phrase)
                spans.append((match.start, match.end, label))
        for name, _ in model.contributions(text, LABELS.index(label)):
            if len(phrases) >= 4:
                break
            phrase = _phrase(name, text)
            if phrase.lower() in _PLAIN:
                continue
            if phrase and not any(phrase.lower() in p.lower() for p in phrases):
                phrases.append(phrase)
                at = text.lower().find(phrase.lower())
                if at >= 0:
                    spans.append((at, at + len(phrase), label))
        cues[label] = phrases
    return Reading(
        text,
        tuple(chosen),
        {label: float(probabilities[j]) for j, label in enumerate(LABELS)},
        cues,
        sorted(spans),
    )


def _phrase(feature: str, text: str) -> str:
    """The words of ``text`` a feature stands for ('' when it is not a visible phrase)."""
    kind, _, value = feature.partition(":")
    if kind in {"w", "first"}:
        pattern = r"\b" + r"\W+".join(re.escape(w) for w in value.split()) + r"\b"
        found = re.search(pattern, text.translate(_QUOTES), re.I)
        return text[found.start() : found.end()] if found else ""
    if kind == "c" and len(value.strip()) >= 3:
        for word in re.finditer(r"[\w']+", text):
            if value.strip() in word.group().lower():
                return word.group()
    return ""
