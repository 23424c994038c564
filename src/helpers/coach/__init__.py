"""The response coach: reads a trainee's typed reply and names the kinds of response in it.

A practice aid, never a grade. Nothing here leaves the trainee's machine: the model is trained
from the corpus in ``data/coach/`` and cached in the trainee's private folder.
"""
