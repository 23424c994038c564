"""Reflect after a role-play practice session: the form, your own history, and where it is kept.

The rating items are the course's own practice items, written in its own words for the four
guidelines (safety, care, understanding, focus) and three rupture-and-repair check-ins. They are
not a validated instrument and not the items of any published alliance measure.

Every control has a label a screen reader reads out; ratings use labelled drop-downs rather
than sliders (a slider handle has no accessible name); feedback is in words, never color alone.
"""

from __future__ import annotations

import html
import os
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from helpers.figures import PALETTE, AccessibleFigure, accessible_figure
from helpers.paths import alliance_home, exposure_warning
from helpers.store import MAX_TEXT, SESSION_RANGE, Store, StoreError, display_path, get_store
from helpers.vocabulary import CHECKINS, RATED_GUIDELINES, display_text

if TYPE_CHECKING:
    from pathlib import Path

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

GUIDELINE_LABELS = display_text("rating_labels")
CHECKIN_LABELS = display_text("checkin_labels")
ROLE_OPTIONS: list[tuple[str, str]] = [
    ("I was the counselor: rating myself", "counselor"),
    ("I was the client: rating my partner", "client"),
]
ROLE_WORDS = display_text("role_words")
SHARE_TEXT_LABEL = (
    "Share my written comment with the instructor (it is scrubbed of e-mails, links, phone "
    "numbers and classmates' names)"
)
SHARE_CORRECTIONS_LABEL = (
    "Also share my corrections of the response coach (“The coach got this wrong”), to help "
    "improve it"
)
SCORE_OPTIONS: list[tuple[str, int]] = [
    (f"{n} (not at all)" if n == 0 else f"{n} (completely)" if n == 10 else str(n), n)
    for n in range(11)
]
_WIDE = {"description_width": "initial"}
# Rating labels share one width, so the drop-downs line up; each starts at "choose…".
_ALIGNED = {"description_width": "27em"}
CHOOSE = ("choose…", None)
# The download link looks like a button and is easy to find.
DOWNLOAD_STYLE = (
    "<style>.alliance-download a{display:inline-block;margin-top:0.4em;padding:0.3em 0.9em;"
    "border-radius:3px;background:#0d47a1;color:#fff;text-decoration:none;font-weight:bold}"
    ".alliance-download a:focus{outline:3px solid #ffb300}</style>"
)


@dataclass(frozen=True)
class Note:
    """A short message for the notebook, in plain text and in HTML."""

    text: str
    html: str

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html


def _status(message: str, ok: bool) -> str:
    symbol = "✓" if ok else "⚠"
    return f'<div role="status" aria-live="polite">{symbol} {message}</div>'


def _score(label: str) -> widgets.Dropdown:
    return widgets.Dropdown(
        options=[CHOOSE, *SCORE_OPTIONS],
        index=0,
        description=label,
        style=_ALIGNED,
        layout=widgets.Layout(width="auto"),
    )


class ReflectionForm(widgets.VBox):
    """The reflection form: fill it in after a practice session, save it, share it if you like."""

    def __init__(self, *, store: Store | None = None) -> None:
        self._store = store
        self.saved_id: int | None = None
        self._saved_values: dict[str, Any] | None = None

        # A plain number box: a bounded one would silently change 60 to 50; problems() says so.
        low, high = SESSION_RANGE
        self.session = widgets.IntText(
            value=low, description=f"Practice session number ({low} to {high})", style=_WIDE
        )
        self.role = widgets.RadioButtons(
            options=ROLE_OPTIONS, value=None, description="My role", style=_WIDE
        )
        self.ratings = {name: _score(GUIDELINE_LABELS[name]) for name in RATED_GUIDELINES}
        self.checkins = {name: _score(CHECKIN_LABELS[name]) for name in CHECKINS}
        self.text = widgets.Textarea(
            description="My comment (optional)",
            placeholder="What went well? What would you try differently next time?",
            style=_WIDE,
            layout=widgets.Layout(width="100%", height="6em"),
        )
        self.share_text = widgets.Checkbox(
            value=False,
            description=SHARE_TEXT_LABEL,
            indent=False,
            style=_WIDE,
            layout=widgets.Layout(width="auto"),
        )
        self.save_button = widgets.Button(
            description="Save reflection",
            tooltip="Save this reflection in your private folder",
            layout=widgets.Layout(width="auto"),
        )
        self.status = widgets.HTML(_status("Not saved yet.", ok=False).replace("⚠ ", ""))
        self.cohort = widgets.Text(
            value=_default_cohort(),
            description="Class code from your instructor (needed to share)",
            placeholder="e.g. FALL26",
            style=_WIDE,
            layout=widgets.Layout(width="100%", max_width="46em"),  # room to see the code
        )
        self.share_corrections = widgets.Checkbox(
            value=False,
            description=SHARE_CORRECTIONS_LABEL,
            indent=False,
            style=_WIDE,
            layout=widgets.Layout(width="auto"),
        )
        self.share_button = widgets.Button(
            description="Share with instructor",
            tooltip="Send the saved reflection as a pseudonymous file",
            layout=widgets.Layout(width="auto"),  # the whole label, never "Share with instru…"
        )
        self._download = ""  # the outbox file's download link, shown again on a second Share
        self.share_status = widgets.HTML("")
        self.save_button.on_click(self._on_save)
        self.share_button.on_click(self._on_share)

        super().__init__(
            children=[
                widgets.HTML(
                    "<p><strong>Reflect on a practice session.</strong> Rate each statement "
                    "from 0 (not at all) to 10 (completely). These are practice items written "
                    "for this course, not a validated instrument.</p>"
                ),
                self.session,
                self.role,
                widgets.HTML("<p><strong>The four guidelines in this session</strong></p>"),
                *self.ratings.values(),
                widgets.HTML("<p><strong>Check-ins: where I am with ruptures</strong></p>"),
                *self.checkins.values(),
                self.text,
                self.share_text,
                self.save_button,
                self.status,
                widgets.HTML(
                    "<p><strong>Share with your instructor (optional)</strong>: sends your "
                    "ratings and exercise choices under your pseudonym; your comment only if "
                    "you ticked the box above; your corrections of the coach only if you tick "
                    "the box below.</p>"
                ),
                self.cohort,
                self.share_corrections,
                self.share_button,
                self.share_status,
            ]
        )

    def __repr__(self) -> str:
        return "Reflection form: run this cell to fill it in."

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = get_store()
        return self._store

    def values(self) -> dict[str, Any]:
        """What the form holds now, as the store takes it."""
        return {
            "session": self.session.value,
            "role": self.role.value,
            "ratings": {name: box.value for name, box in self.ratings.items()},
            "checkins": {name: box.value for name, box in self.checkins.items()},
            "text": self.text.value.strip(),
            "share_text": bool(self.share_text.value),
        }

    def problems(self) -> list[str]:
        """What to fix before the form can be saved, in plain words."""
        values = self.values()
        found = []
        low, high = SESSION_RANGE
        if not low <= values["session"] <= high:
            found.append(
                f"The practice session number must be from {low} to {high}; you entered "
                f"{values['session']}."
            )
        if values["role"] is None:
            found.append("Choose your role in this session: counselor or client.")
        for name, value in values["ratings"].items():
            if value is None:
                found.append(f"Rate “{GUIDELINE_LABELS[name]}” (0 to 10).")
        for name, value in values["checkins"].items():
            if value is None:
                found.append(f"Rate “{CHECKIN_LABELS[name]}” (0 to 10).")
        if len(values["text"]) > MAX_TEXT:
            found.append(
                f"Your comment is {len(values['text'])} characters long: shorten it to "
                f"{MAX_TEXT} or fewer."
            )
        return found

    def _on_save(self, _button: Any = None) -> None:
        problems = self.problems()
        if problems:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
            self.status.value = _status(
                f"Not saved yet. Please fix this and press Save again (nothing you typed is "
                f"lost):<ul>{items}</ul>",
                ok=False,
            )
            return
        values = self.values()
        if values == self._saved_values:
            self.status.value = _status(
                "This reflection is already saved. Change something to save a new one.", ok=True
            )
            return
        try:
            self.saved_id = self.store.save_reflection(**values)
        except (ValueError, StoreError, sqlite3.Error, OSError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            self.status.value = _status(f"Not saved: {html.escape(reason)}", ok=False)
            return
        self._saved_values = values
        self.share_status.value = ""
        self.status.value = _status(
            f"Saved reflection for session {values['session']} ({ROLE_WORDS[values['role']]}).",
            ok=True,
        )

    def _on_share(self, _button: Any = None) -> None:
        from helpers.share import (
            ShareError,
            download_link,
            is_in_outbox,
            share_message,
            share_reflection,
        )

        if self.saved_id is None:
            self.share_status.value = _status(
                "Save your reflection first, then share it.", ok=False
            )
            return
        if self.values() != self._saved_values:
            self.share_status.value = _status(
                "You changed the form after saving. Press Save reflection again first, so "
                "your instructor gets what you see.",
                ok=False,
            )
            return
        # A button's errors go to Lab's log, not the cell: every failure must become a message.
        try:
            saved = self.store.reflection(self.saved_id)
            if saved is not None and saved["shared_as"]:
                self.share_status.value = _status(
                    "This reflection has already been shared; it was not sent again."
                    + self._download,
                    ok=True,
                )
                return
            path = share_reflection(
                self.saved_id,
                store=self.store,
                cohort=self.cohort.value.strip() or None,
                coach_corrections=bool(self.share_corrections.value),
            )
        except (ShareError, StoreError, sqlite3.Error) as error:
            self.share_status.value = _status(html.escape(str(error)), ok=False)
            return
        except (OSError, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            self.share_status.value = _status(
                html.escape(
                    f"Sharing did not work ({reason}), so nothing was shared. Your reflection "
                    "is still saved: try again, or ask your instructor."
                ),
                ok=False,
            )
            return
        message = html.escape(share_message(path, self.store))
        if is_in_outbox(path, self.store):
            try:
                self._download = (
                    f'{DOWNLOAD_STYLE}<br><span class="alliance-download">{download_link(path)}'
                    f"</span>{outbox_link(path.parent)}"
                )
                message += self._download
            except OSError:
                message += "<br>" + html.escape(
                    "The download link could not be made; open the outbox folder named above."
                )
        self.share_status.value = _status(message, ok=True)


def outbox_link(folder: Path) -> str:
    """A link to the outbox page, which lists every file shared into the outbox (the outbox
    is in the private folder, which JupyterLab's file browser does not show)."""
    from helpers.trainee_view import outbox_url

    url = outbox_url(folder)
    if url is None:
        return ""
    return (
        f' <a class="alliance-outbox-link" href="{html.escape(url)}" target="_blank" '
        'rel="noopener">Open your outbox (opens in a new tab)</a>'
    )


def _default_cohort() -> str:
    return os.environ.get("ALLIANCE_COHORT", "")


def reflection_form(*, store: Store | None = None) -> ReflectionForm:
    """The reflection form for after a practice session (saved in your private folder)."""
    return ReflectionForm(store=store)


# -- history -----------------------------------------------------------------------------------

MARKERS = ["o", "s", "^", "D"]
PANELS = (
    ("counselor", "ratings", RATED_GUIDELINES, "As counselor: rating myself"),
    ("client", "ratings", RATED_GUIDELINES, "As client: rating my partner"),
    (None, "checkins", CHECKINS, "My check-ins"),
)
SHORT_LABELS = {
    "safety": "safety",
    "care": "care",
    "understanding": "understanding",
    "focus": "focus",
    "notice_rupture": "notice a strain",
    "repair_rupture": "repair a strain",
    "ask_feedback": "ask for feedback",
}


def _latest_by_session(reflections: list[dict[str, Any]], role: str | None) -> list[dict]:
    """One reflection per session (the latest saved), in session order."""
    chosen: dict[int, dict[str, Any]] = {}
    for reflection in reflections:
        if role is None or reflection["role"] == role:
            chosen[reflection["session"]] = reflection
    return [chosen[session] for session in sorted(chosen)]


def _draw_panel(ax: Axes, rows: list[dict], field: str, items: tuple[str, ...], title: str) -> None:
    ax.set_title(f"{title} (n = {len(rows)})", fontsize=10)
    ax.set_xlabel("Practice session")
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(0, 11, 2))
    if not rows:
        ax.text(0.5, 0.5, "No reflections yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        return
    sessions = [row["session"] for row in rows]
    for number, item in enumerate(items):
        nudge = (number - (len(items) - 1) / 2) * 0.06  # so equal scores stay visible
        ax.plot(
            [session + nudge for session in sessions],
            [row[field][item] for row in rows],
            marker=MARKERS[number % len(MARKERS)],
            color=PALETTE[number],
            label=SHORT_LABELS[item],
        )
    ax.set_xticks(sessions)
    ax.legend(fontsize=8, loc="lower left")


def _describe_panel(rows: list[dict], field: str, items: tuple[str, ...], title: str) -> str:
    """What one panel shows, in words (for the chart's alt text)."""
    if not rows:
        return f"{title}: no reflections yet"
    sessions = [row["session"] for row in rows]
    described = [
        f"{SHORT_LABELS[item]} " + ", ".join(str(row[field][item]) for row in rows)
        for item in items
    ]
    which = "session" if len(sessions) == 1 else "sessions"
    return f"{title}, {which} {', '.join(map(str, sessions))}: " + "; ".join(described)


def history_figure(reflections: list[dict[str, Any]]) -> Figure:
    """Three panels of your ratings by session: as counselor, as client, and check-ins."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4))
    axes = fig.subplots(1, 3, sharey=True)
    for ax, (role, field, items, title) in zip(axes, PANELS, strict=True):
        _draw_panel(ax, _latest_by_session(reflections, role), field, items, title)
    axes[0].set_ylabel("Rating (0 = not at all, 10 = completely)")
    fig.suptitle(f"My reflections across practice sessions (n = {len(reflections)} saved)")
    fig.tight_layout()
    return fig


def _store_problem(error: Exception) -> Note:
    """A plain note instead of a traceback when the private store cannot be opened."""
    if isinstance(error, StoreError):
        advice = str(error)  # the store's own message says what to do
    else:
        reason = getattr(error, "strerror", None) or str(error) or error.__class__.__name__
        advice = (
            f"The problem was: {reason}. Check that your private folder ({_home_shown()}) "
            "exists and that you can write to it, then run this cell again. If it keeps "
            "happening, tell your instructor."
        )
    text = f"Your saved reflections cannot be shown right now. {advice}"
    return Note(text, f'<p role="status">⚠ {html.escape(text)}</p>')


def _home_shown() -> str:
    """The private folder as a trainee may be shown it, without touching it."""
    return "$ALLIANCE_HOME" if os.environ.get("ALLIANCE_HOME") else "~/.alliance"


def show_my_history(*, store: Store | None = None) -> AccessibleFigure | Note:
    """Your own ratings across practice sessions (only you see this; nothing is shared)."""
    try:
        store = store if store is not None else get_store()
        reflections = [r for r in store.reflections() if _readable(r)]
    except (StoreError, sqlite3.Error, OSError, ValueError, TypeError, KeyError) as error:
        return _store_problem(error)
    if not reflections:
        text = (
            "You have not saved any reflections yet. After a practice session, fill in the "
            "reflection form above and press Save reflection, then run this cell again to see "
            "your ratings across sessions."
        )
        return Note(text, f"<p>{html.escape(text)}</p>")

    parts = [
        _describe_panel(_latest_by_session(reflections, role), field, items, title)
        for role, field, items, title in PANELS
    ]
    count = len(reflections)

    latest = reflections[-1]
    rated = ", ".join(f"{SHORT_LABELS[g]} {latest['ratings'][g]}" for g in RATED_GUIDELINES)
    sessions = sorted({r["session"] for r in reflections})
    span = (
        f"session {sessions[0]}"
        if len(sessions) == 1
        else (f"sessions {sessions[0]} to {sessions[-1]}")
    )
    summary = (
        f"You have saved {count} reflection{'s' if count != 1 else ''} ({span}); in the latest "
        f"(session {latest['session']}, {ROLE_WORDS[latest['role']]}) you rated {rated}."
    )
    alt = "Line charts of your ratings by practice session. " + ". ".join(parts) + "."
    return accessible_figure(lambda: history_figure(reflections), alt=alt, summary=summary)


# -- where the data lives ----------------------------------------------------------------------


def _readable(reflection: dict[str, Any]) -> bool:
    """Whether a saved reflection has every value a chart needs (a damaged row is skipped)."""
    try:
        return (
            isinstance(reflection["session"], int)
            and reflection["role"] in ROLE_WORDS
            and all(isinstance(reflection["ratings"][g], int) for g in RATED_GUIDELINES)
            and all(isinstance(reflection["checkins"][c], int) for c in CHECKINS)
        )
    except (KeyError, TypeError):
        return False


def where_my_data_lives() -> Note:
    """Where your answers, reflections and pseudonym are kept, and what leaves that folder."""
    try:
        shown = display_path(alliance_home())
    except OSError as error:
        text = (
            f"Your private folder cannot be used right now: {error.strerror or error}. Nothing "
            "you saved before is lost; tell your instructor if this keeps happening."
        )
        return Note(text, f'<p role="status">⚠ {html.escape(text)}</p>')
    place = f"your private folder {shown} (on the course server or your computer)"
    files = [
        ("alliance.sqlite3", "your exercise answers and your saved reflections"),
        ("pseudonym", "your random pseudonym, made once; it is not made from your name"),
        ("outbox/", "copies of reflections you shared while no class drop folder was set up"),
    ]
    closing = (
        "Only your account — and the server's administrators — can open this folder. Nothing "
        "in it leaves unless you press “Share with instructor” in notebook 10 (or run alliance "
        "export), and updating the course never touches it. Sharing a reflection also sends "
        "your latest choice on each multiple-choice exercise. A shared file is pseudonymous, "
        "not anonymous: it carries your pseudonym instead of your name, but the server records "
        "which account created the file and when, so your instructor could find out who sent it."
    )
    text = "\n".join(
        [f"Your data lives in {place}:"] + [f"- {name}: {what}" for name, what in files] + [closing]
    )
    items = "".join(
        f"<li><code>{html.escape(name)}</code>: {html.escape(what)}</li>" for name, what in files
    )
    markup = (
        f"<p>Your data lives in {html.escape(place)}:</p><ul>{items}</ul>"
        f"<p>{html.escape(closing)}</p>"
    )
    warning = exposure_warning()
    if warning:
        text += "\n" + warning
        markup += f'<p role="status">⚠ {html.escape(warning)}</p>'
    return Note(text, markup)
