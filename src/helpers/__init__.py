"""Alliance Lab course helpers: everything a notebook needs, through ``from helpers import ...``.

Names are imported lazily, so ``import helpers`` stays cheap and a notebook only pays for what
it uses.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # vignette bank and exercises
    "load_bank": "helpers.bank",
    "show_vignette": "helpers.exercises",
    "show_progress": "helpers.exercises",
    "coach_practice": "helpers.coach.practice_block",
    # crisis lines for the course's country (notebook 08)
    "show_crisis_resources": "helpers.crisis",
    # the course map on the start page
    "show_course_map": "helpers.course",
    "show_my_work": "helpers.mywork",
    # research figures (notebook 01)
    "show_alliance_effects": "helpers.research",
    # the skills snapshot, before and after the course (notebooks 00 and 10)
    "skills_task": "helpers.skills_view",
    "show_my_skills": "helpers.skills_view",
    # reflections
    "reflection_form": "helpers.reflection",
    "show_my_history": "helpers.reflection",
    "where_my_data_lives": "helpers.reflection",
    # the class view (notebook 11)
    "load_class": "helpers.classview",
    "sample_class": "helpers.classview",
    "what_was_hidden": "helpers.classview",
    "show_skills": "helpers.charts",
    "show_first_choices": "helpers.charts",
    "show_profile": "helpers.charts",
    "show_change": "helpers.charts",
    "show_self_vs_partner": "helpers.charts",
    "show_choices": "helpers.charts",
    "show_checkins": "helpers.charts",
    "show_profile_table": "helpers.charts",
    "write_handout": "helpers.handout",
    "handout_button": "helpers.handout",
    "rubric_form": "helpers.rubric",
    # paths
    "alliance_home": "helpers.paths",
    "data_path": "helpers.paths",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'helpers' has no attribute '{name}'")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
