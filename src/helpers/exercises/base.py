"""What every exercise widget shares: the vignette header, saving, restoring and the text repr.

Feedback is written into ``HTML`` widgets (never printed, never into ``Output`` widgets), so it
shows the same in JupyterLab, under nbclient and under nbval, and tests can read it.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterable
from typing import Any, ClassVar

import ipywidgets as widgets
import traitlets

from helpers.markup import render, render_inline
from helpers.store import Answer, Store
from helpers.vocabulary import DIFFICULTIES, display_text

# Widths: let labels take the room they need, and let boxes use the cell's width.
LABEL_STYLE = {"description_width": "initial"}
# Buttons and drop-downs as wide as their words, not stretched across the cell.
COMPACT = {"width": "auto", "align_self": "flex-start"}

GUIDELINE_NAMES = display_text("guideline_names")
DIMENSION_WORDS = display_text("dimension_words")
DIFFICULTY_ORDER = DIFFICULTIES
SPEAKERS = display_text("speakers")

SAVE_FAILED = "This answer could not be saved"
UNREADABLE_KEPT = "An earlier answer could not be read and was kept."
RESTORE_FAILED = (
    "Your earlier answer could not be shown again, so the exercise starts fresh; it is still saved."
)
GOOD = "✓"
BAD = "✗"


_SHARED: dict[tuple[type, tuple[tuple[str, str], ...]], Any] = {}


def _one_per_kernel(model_class: type, traits: dict[str, str]) -> Any:
    """The one ``model_class`` model with these traits that course widgets share in this
    kernel (made again if it was closed)."""
    key = (model_class, tuple(sorted(traits.items())))
    model = _SHARED.get(key)
    if model is None or getattr(model, "comm", None) is None:
        model = _SHARED[key] = model_class(**traits)
    return model


def shared_style(widget_class: type, **traits: str) -> Any:
    """The one style model the course's widgets of ``widget_class`` share in this kernel.

    The course never changes a style per widget, and every widget that shares one is one model
    fewer for a page to load (a long notebook opens faster).
    """
    return _one_per_kernel(widget_class.class_traits()["style"].klass, traits)


def label_style(widget_class: type) -> Any:
    """A shared style that lets a control's label take the room it needs."""
    return shared_style(widget_class, **LABEL_STYLE)


class SharedLayout(widgets.Layout):
    """A layout many widgets share. Hiding it would hide them all, so it refuses to be hidden:
    a widget that is ever hidden gets a layout of its own (:func:`full_width`)."""

    @traitlets.validate("display", "visibility")
    def _never_hidden(self, proposal: Any) -> Any:
        raise traitlets.TraitError(
            "this layout is shared by many widgets; give the widget its own layout to hide it"
        )


def shared_layout(**traits: str) -> widgets.Layout:
    """One layout model for every course widget laid out this way (never hidden on its own)."""
    return _one_per_kernel(SharedLayout, traits)


def html_widget(value: str = "", wide: bool = False) -> widgets.HTML:
    """An HTML widget (as wide as the cell if ``wide``), with the shared style and layout: the
    course never hides one on its own."""
    layout = shared_layout(width="100%") if wide else shared_layout()
    return widgets.HTML(value, style=shared_style(widgets.HTML), layout=layout)


def full_width() -> widgets.Layout:
    """A new layout that lets a box use the cell's width.

    A new one each time: widgets sharing one ``Layout`` would all hide when one is hidden.
    """
    return widgets.Layout(width="100%")


def escape(text: object) -> str:
    """Plain text made safe to put inside HTML."""
    return html.escape(str(text), quote=True)


def guideline_name(key: str) -> str:
    """The guideline's name as the course says it (unknown keys are shown as they are)."""
    return GUIDELINE_NAMES.get(key, key)


def guidelines_text(keys: Iterable[str]) -> str:
    return "; ".join(guideline_name(k) for k in keys)


_BLOCK = re.compile(r"\n\s*\n|^\s*(?:[-*+]|\d+[.)])\s", re.MULTILINE)


def rich(text: object) -> str:
    """Vignette text as HTML: inline when it is one paragraph (so it can follow a label on the
    same line), paragraphs and lists otherwise. Any HTML in it is shown as text."""
    plain = str(text).strip()
    return render(plain) if _BLOCK.search(plain) else render_inline(plain)


def times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def status(inner_html: str) -> str:
    """Feedback wrapped so screen readers announce it when it changes."""
    return f'<div role="status" aria-live="polite">{inner_html}</div>'


def short_label(prefix: str, text: str, limit: int = 70) -> str:
    """A control's label: a prefix plus the start of a long text, cut at a word.

    Radio and button labels do not wrap, so the full text is shown above them and the label
    carries enough words to be recognised by ear.
    """
    plain = " ".join(str(text).replace("*", "").replace("_", " ").split())
    if len(plain) > limit:
        plain = plain[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return f"{prefix} {plain}" if prefix else plain


def rationale_html(label: str, text: object) -> str:
    """The explanation shown after an attempt: a bold label, then the vignette's rationale."""
    return f"<p><strong>{escape(label)}</strong> {rich(text)}</p>"


def transcript_html(lines: Iterable[dict[str, Any]], numbered: bool = False) -> str:
    """A transcript as a list of 'Client: …' / 'Counselor: …' lines."""
    items = []
    for number, line in enumerate(lines, start=1):
        speaker = SPEAKERS.get(str(line.get("speaker", "")), str(line.get("speaker", "")).title())
        label = f"Line {number} — {speaker}" if numbered else speaker
        items.append(f"<li><strong>{escape(label)}:</strong> {rich(line['text'])}</li>")
    tag = "ol" if numbered else "ul"
    return f'<{tag} class="alliance-transcript">{"".join(items)}</{tag}>'


def header_html(vignette: Any) -> str:
    """Title, guideline(s), alliance dimension, difficulty, context and the client's words."""
    dimension = DIMENSION_WORDS.get(vignette.dimension, vignette.dimension)
    facts = (
        f"<li><strong>Guideline:</strong> {escape(guidelines_text(vignette.guidelines))}</li>"
        f"<li><strong>Alliance dimension:</strong> {escape(dimension)}</li>"
        f"<li><strong>Difficulty:</strong> {escape(vignette.difficulty)}</li>"
    )
    parts = [
        f'<h3 id="{escape(vignette.id)}">{escape(vignette.title)} '
        f"<small>({escape(vignette.id)})</small></h3>",
        f"<ul>{facts}</ul>",
    ]
    if vignette.context:
        parts.append(f"<p><strong>Context:</strong> {rich(vignette.context)}</p>")
    if vignette.says:
        parts.append(
            f"<div><strong>The client says:</strong><blockquote>{render(str(vignette.says))}"
            "</blockquote></div>"
        )
    return "".join(parts)


RUN_HINT = "Run this cell (or Run ▸ Run All Cells) to start the exercise."
TITLE_LIMIT = 60  # characters of a title in the one-line text form

# Shown only when JupyterLab or Voilà marks the exercise as disconnected from its kernel (after a
# restart, a shutdown or a culled kernel), so a control that no longer answers is never shown
# without saying so. The widget manager adds ``jupyter-widgets-disconnected`` to every view then.
STOPPED_HTML = (
    "<style>.alliance-stopped{display:none}"
    ".jupyter-widgets-disconnected .alliance-stopped{display:block;border-left:4px solid #b45309;"
    "background:#fff7ed;color:#1f2937;padding:0.4em 0.8em;margin:0.3em 0}"
    ".alliance-exercise.jupyter-widgets-disconnected .widget-button,"
    ".alliance-exercise.jupyter-widgets-disconnected input,"
    ".alliance-exercise.jupyter-widgets-disconnected select,"
    ".alliance-exercise.jupyter-widgets-disconnected textarea{pointer-events:none;opacity:0.6}"
    # long labels (rubric checks) wrap onto more lines instead of being cut off
    ".alliance-exercise .widget-checkbox{height:auto;overflow:visible}"
    ".alliance-exercise .widget-checkbox .widget-label-basic{flex:1 1 auto;min-width:0;"
    "white-space:normal;height:auto;overflow:visible;line-height:1.4}"
    ".alliance-exercise .widget-checkbox .widget-label-basic span{white-space:normal}"
    ".alliance-exercise .widget-checkbox input{flex-shrink:0}"
    "</style>"
    '<p class="alliance-stopped"><strong>⚠ This exercise has stopped</strong> '
    "(its kernel restarted or was shut down), so it will not answer clicks. Your saved answers "
    "are safe: reload the page, or in JupyterLab choose Run ▸ Run All Cells, to start it again.</p>"
)


def exercise_repr(vignette_id: str, kind: str, title: str) -> str:
    """The friendly line a notebook shows for an exercise that has not run (and nbval compares)."""
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1].rstrip() + "…"
    return f'Exercise {vignette_id} ({kind}): "{title}". {RUN_HINT}'


class TextLine:
    """A widget whose text form is its whole ``repr`` (ipywidgets cuts it at 110 characters).

    A saved notebook keeps only this text for the widget (see ``helpers.saving``), so it is what
    JupyterLab shows before the cell runs.
    """

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if bundle:
            bundle["text/plain"] = repr(self)
        return bundle


def exercise_text(vignette: Any, kind: str) -> str:
    """What a stored notebook shows for an exercise: its ``exercise_repr`` line, then what the
    client says and the vignette's fingerprint, so a notebook older than its vignette fails its
    check."""
    says = " ".join(str(vignette.says).split())
    says = says if len(says) <= 60 else says[:59].rstrip() + "…"
    head = exercise_repr(vignette.id, kind, str(vignette.title))
    return f'{head}\nThe client says: "{says}" (content {vignette.fingerprint})'


def button(label: str, tooltip: str, handler: Any, icon: str = "") -> widgets.Button:
    """A button whose text is its accessible name, with a tooltip saying what it does."""
    made = widgets.Button(
        description=label,
        tooltip=tooltip,
        icon=icon,
        layout=dict(COMPACT),
        style=shared_style(widgets.Button),
    )
    made.on_click(handler)
    return made


class ExerciseProblem(ValueError):
    """A vignette whose exercise cannot be shown; the message says what to fix."""


# What building an exercise from incomplete or inconsistent data raises. ``bank.get`` only
# hands out vignettes that passed validation, so this is met only by a dict built by hand.
_BAD_DATA = (KeyError, IndexError, TypeError, ValueError, StopIteration)


class Exercise(TextLine, widgets.VBox):
    """One vignette's exercise: header, the kind-specific controls, a note and the feedback."""

    kind: ClassVar[str] = ""

    def __init__(
        self, vignette: Any, store: Store | None, bank: Any = None, problem: str = ""
    ) -> None:
        self.vignette = vignette
        self.exercise: dict[str, Any] = dict(vignette.exercise)
        self.store = store
        self.bank = bank
        self.header = html_widget(header_html(vignette), wide=True)
        self.note = html_widget("", wide=True)
        self.feedback = html_widget(status(""), wide=True)
        self.stopped = html_widget(STOPPED_HTML, wide=True)
        self._restoring = False
        self._save_problem = problem
        self._restored_text = ""
        self._kept_text = ""
        try:
            body = self.build()
        except ExerciseProblem:
            raise
        except _BAD_DATA as error:
            raise ExerciseProblem(
                f"vignette '{vignette.id}' has incomplete or inconsistent {self.kind} exercise "
                f"data ({type(error).__name__}: {error}); run 'alliance validate' to see what "
                "to fix"
            ) from error
        super().__init__(
            children=[self.stopped, self.header, self.note, *body], layout=full_width()
        )
        self.add_class("alliance-exercise")
        previous = self._previous_answers()
        if previous:
            self._restoring = True
            try:
                self.restore(previous)
            except Exception:  # noqa: BLE001 - an odd saved answer must not block
                self._restored_text = RESTORE_FAILED
            finally:
                self._restoring = False
        self._show_note()

    # -- what each kind provides ----------------------------------------------------------

    def build(self) -> list[widgets.Widget]:
        """The kind's controls, in display order (include ``self.feedback`` where it belongs)."""
        raise NotImplementedError

    def restore(self, previous: list[Answer]) -> None:
        """Show the latest saved state; ``previous`` holds this kind's answers, oldest first."""
        raise NotImplementedError

    # -- shared behaviour -----------------------------------------------------------------

    def __repr__(self) -> str:
        return exercise_text(self.vignette, self.kind)

    def _previous_answers(self) -> list[Answer]:
        if self.store is None:
            return []
        try:
            found = [a for a in self.store.answers(self.vignette.id) if a.kind == self.kind]
        except (sqlite3.Error, OSError, ValueError) as error:
            self._save_problem = (
                f"Your earlier answers could not be read ({error}); they have not been changed."
            )
            return []
        if not all(a.readable for a in found):
            self._kept_text = UNREADABLE_KEPT
        return [a for a in found if a.readable]

    def save(self, answer: dict[str, Any], correct: bool | None = None) -> bool:
        """Save one answer; on failure say so in the note and keep the exercise working."""
        if self.store is None:
            return False
        try:
            self.store.record_answer(self.vignette.id, self.kind, answer, correct=correct)
        except (sqlite3.Error, OSError) as error:
            self._save_problem = (
                f"{SAVE_FAILED} ({error}). The exercise still works; tell your instructor if "
                "this keeps happening."
            )
            self._show_note()
            return False
        recovered = self._save_problem.startswith(SAVE_FAILED)
        if recovered:
            self._save_problem = ""
        if recovered or self._restored_text or self._kept_text:
            self._restored_text = ""  # the earlier answer is now replaced by a new one
            self._kept_text = ""
            self._show_note()
        return True

    def _show_note(self, restored: str = "") -> None:
        if restored:
            self._restored_text = restored
        parts = [self._kept_text, self._restored_text, self._save_problem]
        text = " ".join(p for p in parts if p)
        self.note.value = f'<p class="alliance-note"><em>{escape(text)}</em></p>' if text else ""

    def restored(self, text: str) -> None:
        """Say that an earlier answer is shown ('You answered this before (attempt 2).')."""
        self._show_note(text)


class Unavailable(TextLine, widgets.VBox):
    """Shown instead of an exercise that cannot be built; it never raises."""

    def __init__(self, vignette_id: str, reason: str) -> None:
        self.vignette_id = vignette_id
        self.reason = reason
        self.message = html_widget(
            status(
                '<p class="alliance-problem"><strong>⚠ This vignette can\'t be shown:</strong> '
                f"{escape(reason)}</p><p>Tell your instructor; the other exercises still work.</p>"
            ),
            wide=True,
        )
        super().__init__(children=[self.message])

    def __repr__(self) -> str:
        return (
            f"Exercise {self.vignette_id}: this vignette can't be shown; run this cell to see why."
        )
