"""The skills task on screen: one moment at a time, then what the coach noticed and a score.

``skills_task("before")`` (notebook 00) and ``skills_task("after")`` (notebook 10) show the
trainee's form for that stage; ``show_my_skills()`` sets the two stages side by side with the
trainee's own replies. Everything typed is saved to the private store as it is written.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from helpers import skills
from helpers.exercises.base import COMPACT, LABEL_STYLE, full_width, status
from helpers.exercises.sources import default_store
from helpers.store import pseudonym

BOTH_STAGES_NOTE = (
    "<p>The two forms use different clients in the same kinds of moment, and half the class "
    "takes them in the other order, so a change here is more than getting used to the "
    "questions. It is still one short task read by a coach that makes mistakes: read your own "
    "words side by side, and take them to supervision.</p>"
)
SHARE_LABEL = (
    "Share my skills scores (the form letter and the score, never my replies) when I share a "
    "reflection in notebook 10"
)
SHARE_ON = (
    "Your scores go with the next reflection you share; your replies stay in your private folder."
)
FINISH = "Finish and see what the coach noticed"
LABEL_WORDS = {
    "reflection": "reflection",
    "open_question": "open question",
    "closed_question": "closed question",
    "validation": "validation",
    "advice": "advice",
    "reassurance": "reassurance",
    "self_focus": "self-focus",
    "judgement": "judgement",
    "information": "information",
    "repair": "repair",
}
INTRO = (
    "<p>Eight short moments from counseling sessions. For each, type what you would say to the "
    "client, the way you would say it: one to three sentences. Aim for about {seconds} seconds "
    "a moment; there are no trick questions.</p>"
    "<p>Your replies stay in your private folder. When you finish you see what the response "
    "coach noticed in each reply and a score for the form. The task at the end of the course "
    "uses different clients in the same kinds of moments, so you can see how your replies "
    "changed. It is a practice measure for you, not a grade and not a validated test.</p>"
)
NO_PSEUDONYM = (
    "Your private folder cannot be used ({reason}), so replies cannot be saved. Ask your "
    "instructor to check the course setup, then run this cell again."
)


class Panel(widgets.HTML):
    """An HTML panel whose stored text form tells a learner to run the cell."""

    def __init__(self, value: str, text: str) -> None:
        super().__init__(value, layout=full_width())
        self._text = text

    def __repr__(self) -> str:
        return self._text


COMPARISON_TEXT = (
    "Your skills snapshots before and after, side by side (run this cell to see them)."
)
PROBLEM_TEXT = "The skills snapshot (run this cell to start it)."


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _labels_text(labels: tuple[str, ...]) -> str:
    ordered = [word for label, word in LABEL_WORDS.items() if label in labels]
    return ", ".join(ordered) or "nothing recognized"


def _moment_html(moment: skills.Moment, number: int, total: int) -> str:
    return (
        f'<p class="alliance-skills-progress"><strong>Moment {number} of {total}</strong></p>'
        f"<p><em>{_escape(moment.context)}</em></p>"
        f'<blockquote class="alliance-client"><strong>Client:</strong> '
        f"{_escape(moment.client)}</blockquote>"
    )


def results_html(stage: str, form: str, scored: list[skills.Scored]) -> str:
    """A finished stage: each reply, what the coach noticed, its points, and the total."""
    rows = "".join(
        "<tr>"
        f"<td>{_escape(s.moment.client)}</td>"
        f"<td>{_escape(s.response) or '<em>(no reply)</em>'}</td>"
        f"<td>{_escape(_labels_text(s.labels))}</td>"
        f"<td>{s.points} of {skills.ITEM_POINTS}</td>"
        "</tr>"
        for s in scored
    )
    total = skills.form_score(scored)
    most = skills.ITEM_POINTS * len(scored)
    return (
        f"<h4>Your skills snapshot {_escape(skills.STAGE_TITLES[stage])}: {total} of {most}</h4>"
        '<table class="alliance-table"><caption>What the response coach noticed in each reply '
        f'(form {_escape(form)})</caption><thead><tr><th scope="col">Client</th>'
        '<th scope="col">Your reply</th><th scope="col">The coach noticed</th>'
        '<th scope="col">Points</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        "<p>Each reply starts at 2 points, gains a point for each of up to two moves that keep "
        "the client at the centre (a reflection, an open question, a validation; a repair when "
        "the client confronts or tests you; a plain question about suicide when the client hints "
        "at it) and loses a point for each of up to two moves that pull the focus away (advice, "
        "reassurance, self-focus, judgement). The coach can misread a reply: look at your words, "
        "not only the number.</p>"
    )


class SkillsTask(widgets.VBox):
    """One stage of the skills task for the trainee whose store is given."""

    def __init__(self, stage: str, store: Any, pseudonym: str, labeller: Any = None) -> None:
        if stage not in skills.STAGES:
            raise ValueError(f"stage must be one of {', '.join(skills.STAGES)}, not {stage!r}")
        self.stage = stage
        self.store = store
        self.labeller = labeller
        self.form = skills.stage_form(store, stage, pseudonym)
        self.moments = skills.load_forms()[self.form]
        saved = skills.saved_replies(store)
        self.replies = {m.id: str(saved.get(m.id, {}).get("response", "")) for m in self.moments}
        self.seconds = {m.id: float(saved.get(m.id, {}).get("seconds", 0)) for m in self.moments}
        self.clock = skills.Clock()
        self.position = next(
            (i for i, m in enumerate(self.moments) if not self.replies[m.id].strip()), 0
        )
        title = widgets.HTML(
            f"<h3>Skills snapshot {_escape(skills.STAGE_TITLES[stage])}</h3>"
            + INTRO.format(seconds=skills.load_time_hint()),
            layout=full_width(),
        )
        self.moment_view = widgets.HTML(layout=full_width())
        self.reply = widgets.Textarea(
            placeholder="Type what you would say to the client…",
            description="Your reply",
            rows=3,
            continuous_update=False,
            style=LABEL_STYLE,
            layout=widgets.Layout(width="100%"),
        )
        self.reply.observe(self._on_text, names="value")
        self.back = widgets.Button(description="Previous moment", layout=widgets.Layout(**COMPACT))
        self.forward = widgets.Button(description="Next moment", layout=widgets.Layout(**COMPACT))
        self.back.on_click(lambda _: self._move(-1))
        self.forward.on_click(lambda _: self._move(+1))
        self.saved_note = widgets.HTML(status(""), layout=full_width())
        self.results = widgets.HTML(layout=full_width())
        self.share = widgets.Checkbox(
            value=False,
            description=SHARE_LABEL,
            indent=False,
            layout=widgets.Layout(width="100%", display="none"),
        )
        self.share.observe(self._on_share, names="value")
        self.share_note = widgets.HTML(status(""), layout=full_width())
        self.steps = widgets.VBox(
            [self.moment_view, self.reply, widgets.HBox([self.back, self.forward]), self.saved_note]
        )
        super().__init__(
            [title, self.steps, self.results, self.share, self.share_note], layout=full_width()
        )
        self.add_class("alliance-skills")
        if self.stage in skills.finished_stages(store):
            self._show_results()
        else:
            self._show_moment()

    def __repr__(self) -> str:
        return (
            f"Skills snapshot {skills.STAGE_TITLES[self.stage]}: {len(self.moments)} client "
            "moments to answer in your own words (run this cell to start)."
        )

    # -- moving through the form ---------------------------------------------------------

    def _show_moment(self) -> None:
        moment = self.moments[self.position]
        self.moment_view.value = _moment_html(moment, self.position + 1, len(self.moments))
        self.reply.unobserve(self._on_text, names="value")
        self.reply.value = self.replies[moment.id]
        self.reply.observe(self._on_text, names="value")
        last = self.position == len(self.moments) - 1
        self.forward.description = FINISH if last else "Next moment"
        self.back.disabled = self.position == 0
        self.clock.restart()

    def _keep(self) -> str:
        """Save the reply on screen with the time spent on it so far."""
        moment = self.moments[self.position]
        self.replies[moment.id] = self.reply.value
        self.seconds[moment.id] += self.clock.seconds()
        self.clock.restart()
        return skills.save_reply(
            self.store, self.stage, moment, self.reply.value, self.seconds[moment.id]
        )

    def _on_text(self, _change: Any) -> None:
        problem = self._keep()
        self.saved_note.value = status(_escape(problem) if problem else "Saved.")

    def _move(self, step: int) -> None:
        problem = self._keep()
        if problem:
            self.saved_note.value = status(_escape(problem))
            return
        target = self.position + step
        if target >= len(self.moments):
            self._finish()
            return
        self.position = max(0, target)
        self.saved_note.value = status("")
        self._show_moment()

    def _finish(self) -> None:
        problem = skills.save_finished(self.store, self.stage, self.form)
        if problem:
            self.saved_note.value = status(_escape(problem))
            return
        self._show_results()

    def _show_results(self) -> None:
        self.steps.layout.display = "none"
        try:
            result = skills.stage_result(self.store, self.stage, self.labeller)
        except Exception as error:  # noqa: BLE001 - the coach failing must not break the page
            self.results.value = status(
                _escape(
                    f"Your replies are saved, but the response coach could not read them "
                    f"({type(error).__name__}). Run this cell again later to see the results."
                )
            )
            return
        if result is None:
            return
        form, scored = result
        score = skills.form_score(scored)
        if skills.stage_score(self.store, self.stage) != score:
            skills.save_finished(self.store, self.stage, form, score)
        self.results.value = results_html(self.stage, form, scored)
        self.share.unobserve(self._on_share, names="value")
        self.share.value = skills.share_consent(self.store)
        self.share.observe(self._on_share, names="value")
        self.share.layout.display = None

    def _on_share(self, change: Any) -> None:
        problem = skills.set_share_consent(self.store, bool(change["new"]))
        self.share_note.value = status(
            _escape(problem)
            if problem
            else SHARE_ON
            if change["new"]
            else "Your skills scores will not be shared."
        )


def skills_task(stage: str = "before") -> widgets.Widget:
    """The skills task for one stage ("before" or "after"), for the trainee using the course."""
    store, reason = default_store()
    if store is None:
        return Panel(status(_escape(reason)), PROBLEM_TEXT)
    try:
        token = pseudonym()
    except (OSError, ValueError, RuntimeError) as error:
        return Panel(status(_escape(NO_PSEUDONYM.format(reason=error))), PROBLEM_TEXT)
    return SkillsTask(stage, store, token)


def comparison_html(store: Any, labeller: Any = None) -> str:
    """The trainee's two stages side by side: each kind of moment, both replies, both readings."""
    results = {stage: skills.stage_result(store, stage, labeller) for stage in skills.STAGES}
    missing = [skills.STAGE_TITLES[s] for s, r in results.items() if r is None]
    if len(missing) == 2:
        return (
            "<p>You have not finished the skills snapshot yet. Take it in notebook 00 before the "
            "course, and again in notebook 10 at the end; then your replies appear here side by "
            "side.</p>"
        )
    rows = []
    stages = [results[s] for s in skills.STAGES]
    count = max(len(r[1]) for r in stages if r is not None)
    for index in range(count):
        cells = []
        kind = ""
        for result in stages:
            if result is None:
                cells.append("<td><em>not taken yet</em></td>")
                continue
            scored = result[1][index]
            kind = scored.moment.kind
            cells.append(
                f"<td><p><strong>Client:</strong> {_escape(scored.moment.client)}</p>"
                f"<p><strong>You:</strong> {_escape(scored.response) or '<em>(no reply)</em>'}</p>"
                f"<p>The coach noticed: {_escape(_labels_text(scored.labels))} "
                f"({scored.points} of {skills.ITEM_POINTS})</p></td>"
            )
        rows.append(f'<tr><th scope="row">{_escape(kind)}</th>{"".join(cells)}</tr>')
    totals = "".join(
        f"<td>{skills.form_score(r[1])} of {skills.ITEM_POINTS * len(r[1])}</td>"
        if r is not None
        else "<td>—</td>"
        for r in stages
    )
    note = (
        f"<p>Still to do: the snapshot {' and '.join(missing)}.</p>"
        if missing
        else BOTH_STAGES_NOTE
    )
    return (
        '<table class="alliance-table"><caption>Your skills snapshot before and after the course'
        '</caption><thead><tr><th scope="col">Moment</th><th scope="col">Before the course</th>'
        '<th scope="col">At the end of the course</th></tr></thead>'
        f'<tbody>{"".join(rows)}<tr><th scope="row">Score</th>{totals}</tr></tbody></table>' + note
    )


def show_my_skills() -> widgets.Widget:
    """Your own skills snapshots, before and after, with your replies side by side."""
    store, reason = default_store()
    if store is None:
        return Panel(status(_escape(reason)), COMPARISON_TEXT)
    try:
        markup = comparison_html(store)
    except Exception as error:  # noqa: BLE001 - a failing coach must not break the page
        markup = status(
            _escape(
                "Your replies are saved, but the response coach could not read them "
                f"({type(error).__name__}). Run this cell again later."
            )
        )
    return Panel(markup, COMPARISON_TEXT)
