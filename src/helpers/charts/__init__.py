"""The class view's charts (notebook 11): one module per kind of chart, and the calls the
notebook makes.

Each chart is drawn only from a ``View`` of ``helpers.classview`` (so every privacy rule has
already been applied), says where its data came from at the top, and comes with a one-sentence
summary, alt text and two or three discussion prompts (data/classview/prompts.yaml).
``class_report`` shows them all; ``helpers.handout`` prints them.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import yaml
from matplotlib.figure import Figure

from helpers.charts.choices import (
    choices_alt,
    choices_summary,
    draw_choices,
    draw_first_choices,
    first_choices_alt,
    first_choices_summary,
)
from helpers.charts.layout import chart_title, class_data, fixed_figure, hidden_placeholder
from helpers.charts.profile import (
    ProfileTable,
    draw_profile,
    profile_alt,
    profile_summary,
    show_profile_table,
)
from helpers.charts.sessions import (
    change_alt,
    change_summary,
    checkins_alt,
    checkins_summary,
    draw_change,
    draw_checkins,
    draw_self_vs_partner,
    self_partner_alt,
    self_partner_summary,
)
from helpers.charts.skills import draw_skills, skills_alt, skills_summary
from helpers.classview import ClassData, View, load_class, view_of
from helpers.figures import AccessibleFigure, accessible_figure

__all__ = [
    "CHARTS",
    "ClassChart",
    "ClassReport",
    "ProfileTable",
    "chart_words",
    "class_report",
    "load_class",
    "make_chart",
    "show_change",
    "show_checkins",
    "show_choices",
    "show_first_choices",
    "show_profile",
    "show_profile_table",
    "show_self_vs_partner",
    "show_skills",
]

# how each view of helpers.classview is drawn, summarised and described, in the handout's order
CHARTS: dict[str, tuple[Callable, Callable, Callable]] = {
    "skills": (draw_skills, skills_summary, skills_alt),
    "first_choices": (draw_first_choices, first_choices_summary, first_choices_alt),
    "profile": (draw_profile, profile_summary, profile_alt),
    "change": (draw_change, change_summary, change_alt),
    "self_vs_partner": (draw_self_vs_partner, self_partner_summary, self_partner_alt),
    "choices": (draw_choices, choices_summary, choices_alt),
    "checkins": (draw_checkins, checkins_summary, checkins_alt),
}


@lru_cache(maxsize=1)
def chart_words() -> dict[str, dict[str, object]]:
    """Each chart's heading and discussion prompts (data/classview/prompts.yaml)."""
    from helpers.paths import course_file

    return yaml.safe_load(course_file("classview", "prompts.yaml").read_text("utf-8"))


@dataclass
class ClassChart:
    """One chart of the class view: the figure, the view behind it and its prompts."""

    name: str
    heading: str
    banner: str
    figure: AccessibleFigure
    view: View
    prompts: list[str]

    @property
    def summary(self) -> str:
        return self.figure.summary

    @property
    def alt(self) -> str:
        return self.figure.alt

    def note_lines(self) -> list[str]:
        return [str(note) for note in self.view.notes]

    def __repr__(self) -> str:
        lines = [self.banner, self.summary]
        lines += self.note_lines()
        lines.append("Discuss:")
        lines += [f"{i}. {prompt}" for i, prompt in enumerate(self.prompts, 1)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(line)}</li>" for line in self.note_lines())
        prompts = "".join(f"<li>{html.escape(prompt)}</li>" for prompt in self.prompts)
        return (
            f"<p><strong>{html.escape(self.banner)}</strong></p>"
            + self.figure._repr_html_()
            + (f"<ul>{notes}</ul>" if notes else "")
            + f"<p>Discuss:</p><ol>{prompts}</ol>"
        )


@dataclass
class ClassReport:
    """Every chart of the class view, each under its heading."""

    charts: list[ClassChart]

    def __repr__(self) -> str:
        return "\n\n".join(f"{c.heading}\n{c!r}" for c in self.charts)

    def _repr_html_(self) -> str:
        return "".join(f"<h3>{html.escape(c.heading)}</h3>{c._repr_html_()}" for c in self.charts)


def make_chart(name: str, data: ClassData | str | os.PathLike[str] | None = None) -> ClassChart:
    """Aggregate, draw and describe one chart of the class view."""
    data = class_data(data)
    chart = data.cache.get(f"chart:{name}")
    if isinstance(chart, ClassChart):
        return chart
    draw, summarise, describe = CHARTS[name]
    view = view_of(name, data)
    if view.refused:  # the release log refused it: nothing is drawn, the reason is said
        draw, summarise, describe = _refused_chart, _refused_text, _refused_text
    figure = accessible_figure(
        lambda: draw(view, data), alt=describe(view), summary=summarise(view), tight=False
    )
    words = chart_words()[name]
    chart = ClassChart(
        name, str(words["heading"]), data.banner, figure, view, list(words["prompts"])
    )
    data.cache[f"chart:{name}"] = chart
    return chart


def _refused_chart(view: View, data: ClassData) -> Figure:
    fig = fixed_figure(8, 2.4, left=0.2, right=0.2, top=0.5, bottom=0.2)
    chart_title(fig, str(chart_words()[view.name]["heading"]), data, view.n)
    hidden_placeholder(fig.add_subplot(), "not shown again yet (see the note below)")
    return fig


def _refused_text(view: View) -> str:
    return view.refused


def show_skills(data: ClassData | str | None = None) -> ClassChart:
    """The class's skills snapshot before and after the course, for trainees who shared both."""
    return make_chart("skills", data)


def show_first_choices(data: ClassData | str | None = None) -> ClassChart:
    """Per vignette, the share of trainees whose first answer was the best response."""
    return make_chart("first_choices", data)


def show_profile(data: ClassData | str | None = None) -> ClassChart:
    """The class profile on the four guidelines (distributions, not just means)."""
    return make_chart("profile", data)


def show_change(data: ClassData | str | None = None) -> ClassChart:
    """Change across practice sessions per guideline, with 95 % confidence bands."""
    return make_chart("change", data)


def show_self_vs_partner(data: ClassData | str | None = None) -> ClassChart:
    """Where counselors rate themselves above or below their partners."""
    return make_chart("self_vs_partner", data)


def show_choices(data: ClassData | str | None = None) -> ClassChart:
    """What the class answered on each choose vignette, best option marked."""
    return make_chart("choices", data)


def show_checkins(data: ClassData | str | None = None) -> ClassChart:
    """Rupture check-ins in the first session against the last."""
    return make_chart("checkins", data)


def class_report(data: ClassData | str | None = None) -> ClassReport:
    """Every chart of the class view, each under its heading, with its prompts."""
    data = class_data(data)
    return ClassReport([make_chart(name, data) for name in CHARTS])
