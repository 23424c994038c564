"""Saved notebooks hold no widgets: not in ``make outputs``, not in JupyterLab's saves."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.saving import WIDGET_STATE, WIDGET_VIEW, pre_save_hook, without_widgets

ROOT = Path(__file__).resolve().parents[1]


def executed_notebook() -> dict:
    """A notebook as JupyterLab saves it after its exercises ran (widget state saved)."""
    view = {"version_major": 2, "version_minor": 0, "model_id": "abc123"}
    return {
        "metadata": {
            "widgets": {WIDGET_STATE: {"state": {"abc123": {"state": {"value": "my comment"}}}}}
        },
        "cells": [
            {"cell_type": "markdown", "source": "# Title"},
            {
                "cell_type": "code",
                "source": 'show_vignette("care-04")',
                "outputs": [
                    {
                        "output_type": "execute_result",
                        "data": {
                            "text/plain": "Exercise care-04 … Run this cell",
                            WIDGET_VIEW: view,
                        },
                    }
                ],
            },
            {
                "cell_type": "code",
                "source": "display(widget)",
                "outputs": [{"output_type": "display_data", "data": {WIDGET_VIEW: view}}],
            },
            {
                "cell_type": "code",
                "source": "print('hi')",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi\n"}],
            },
        ],
    }


def test_widgets_are_dropped_and_their_text_kept() -> None:
    notebook = without_widgets(executed_notebook())
    assert "widgets" not in notebook["metadata"]
    exercise, bare, printed = notebook["cells"][1:]
    assert exercise["outputs"] == [
        {
            "output_type": "execute_result",
            "data": {"text/plain": "Exercise care-04 … Run this cell"},
        }
    ]
    assert bare["outputs"] == []  # nothing to show instead: the output goes
    assert printed["outputs"][0]["text"] == "hi\n"
    assert "my comment" not in json.dumps(notebook)


def test_pre_save_hook_cleans_notebooks_and_leaves_other_files() -> None:
    model = {"type": "notebook", "content": executed_notebook()}
    pre_save_hook(model=model, path="03-show-genuine-care.ipynb", contents_manager=None)
    assert WIDGET_VIEW not in json.dumps(model) and "my comment" not in json.dumps(model)
    text_file = {"type": "file", "content": "my comment", "format": "text"}
    pre_save_hook(model=text_file, path="notes.txt", contents_manager=None)
    assert text_file["content"] == "my comment"


def test_course_server_config_installs_the_hook_and_lab_never_saves_state() -> None:
    server = json.loads((ROOT / "config" / "jupyter_server_config.json").read_text("utf-8"))
    assert server["ContentsManager"]["pre_save_hook"] == "helpers.saving.pre_save_hook"
    lab = json.loads((ROOT / "config" / "lab-overrides.json").read_text("utf-8"))
    assert lab["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is False
