"""Vignette exercises for the notebooks: ``show_vignette("care-04")`` and ``show_progress("care")``.

Each call returns a widget that the notebook shows as the cell's value. Answers are saved in the
trainee's local store and shown again when the cell is re-run after a restart.
"""

from __future__ import annotations

from typing import Any

from helpers.exercises.base import Exercise, ExerciseProblem, Unavailable
from helpers.exercises.choose import ChooseExercise
from helpers.exercises.dialogue import DialogueExercise
from helpers.exercises.practice import PracticeExercise
from helpers.exercises.progress import ProgressView, show_progress
from helpers.exercises.rate import RateExercise
from helpers.exercises.sources import default_bank, default_store
from helpers.exercises.spot import SpotExercise

KINDS: dict[str, type[Exercise]] = {
    "choose": ChooseExercise,
    "rate": RateExercise,
    "practice": PracticeExercise,
    "dialogue": DialogueExercise,
    "spot": SpotExercise,
}

__all__ = [
    "KINDS",
    "ChooseExercise",
    "DialogueExercise",
    "Exercise",
    "PracticeExercise",
    "ProgressView",
    "RateExercise",
    "SpotExercise",
    "Unavailable",
    "show_progress",
    "show_vignette",
]


def show_vignette(
    vignette_id: str, *, bank: Any = None, store: Any = None
) -> Exercise | Unavailable:
    """The exercise widget for one vignette, with the trainee's earlier answer restored.

    Never raises: an unknown or broken vignette gives a short message for the instructor instead,
    so one bad vignette does not stop the rest of the notebook.
    """
    vignette_id = str(vignette_id)
    try:
        if bank is None:
            bank = default_bank()
        vignette = bank.get(vignette_id)
        kind = str(vignette.exercise.get("kind", ""))
        exercise_class = KINDS.get(kind)
        if exercise_class is None:
            raise ExerciseProblem(f"its exercise kind '{kind}' is not one of: {', '.join(KINDS)}")
    except Exception as error:  # noqa: BLE001 - shown to the trainee instead of a traceback
        return Unavailable(vignette_id, _reason(vignette_id, error))
    problem = ""
    if store is None:
        store, problem = default_store()
    try:
        return exercise_class(vignette, store, bank=bank, problem=problem)
    except Exception as error:  # noqa: BLE001
        return Unavailable(vignette_id, _reason(vignette_id, error))


def _reason(vignette_id: str, error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    if isinstance(error, KeyError):
        text = f"its exercise is missing the field {error}"
    if vignette_id not in text:
        text = f"vignette '{vignette_id}': {text}"
    return text
