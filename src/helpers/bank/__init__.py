"""The vignette bank: every vignette in ``data/vignettes/*.yaml``, checked and ready to show.

A broken file or vignette never stops the course: it is recorded as a :class:`Problem` (with
file, line, vignette and field, in plain words) and every valid vignette still loads. The same
checks power ``alliance validate``, so authors see exactly what a trainee would run into.

- ``model``: ``Bank``, ``Vignette`` and ``Problem``;
- ``yamlfile``: reading a file as plain YAML that remembers its lines;
- ``rules``: the vignette schema, then the rules of each exercise kind (the dialogue graph and
  its best path among them);
- ``links``: ids used twice, links and sources that point at nothing, HTML warnings;
- ``load``: ``load_bank`` and ``validate_files``, with the cache.

Every name is importable from ``helpers.bank`` itself.
"""

from __future__ import annotations

from helpers.bank.load import PathsArg, clear_cache, load_bank, validate_files
from helpers.bank.model import Bank, Problem, Vignette, VignetteError
from helpers.bank.rules import MIN_DIALOGUE_TURNS, best_choice, best_path
from helpers.bank.yamlfile import MAX_FILE_BYTES

__all__ = [
    "MAX_FILE_BYTES",
    "MIN_DIALOGUE_TURNS",
    "Bank",
    "PathsArg",
    "Problem",
    "Vignette",
    "VignetteError",
    "best_choice",
    "best_path",
    "clear_cache",
    "load_bank",
    "validate_files",
]
