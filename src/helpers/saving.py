"""Keep what a trainee does out of the notebook files.

A notebook saved by JupyterLab after its cells ran holds, for every exercise, a reference to a
live widget (``application/vnd.jupyter.widget-view+json``) and, with widget state saved, every
answer chosen or typed. Opened again with a new kernel, those references show "Error displaying
widget: model not found". So every saved notebook keeps only each exercise's text line ("Run this
cell … to start the exercise") and no widget state:

* ``make outputs`` passes the notebooks it executes through :func:`without_widgets`;
* the course's Jupyter server configuration (``config/jupyter_server_config.json``) installs
  :func:`pre_save_hook`, so every save and autosave in JupyterLab does the same.
"""

from __future__ import annotations

from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def without_widgets(notebook: Any) -> Any:
    """Drop the widget state and every output's widget reference, in place; return the notebook.

    An output that held only a widget reference (no text to show instead) is dropped.
    """
    metadata = notebook.get("metadata", {})
    metadata.pop("widgets", None)
    for cell in notebook.get("cells", []):
        outputs = cell.get("outputs")
        if not outputs:
            continue
        kept = []
        for output in outputs:
            data = output.get("data")
            if data is not None and WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)
                if not data:
                    continue
            kept.append(output)
        cell["outputs"] = kept
    return notebook


def pre_save_hook(model: dict[str, Any], **_: Any) -> None:
    """Jupyter server pre-save hook: save notebooks without widgets (see the module's notes)."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        without_widgets(model["content"])
