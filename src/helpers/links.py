"""``alliance link``: nbgitpuller links that hand the course out on a JupyterHub (or Binder).

A trainee who opens a link logs in to the hub, which clones the course into their home folder
(or pulls the latest version, keeping their own edits) and opens the notebook in the trainee
view: a page that runs when it opens, with the code hidden (Voilà). ``--lab`` prints links that
open JupyterLab instead; ``--binder`` prints Binder launch links, which open the same views. The
links follow the numbered order of the notebooks; the whole-course link opens the start page,
which links every notebook.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from helpers.paths import data_dir


def clone_folder(repo: str) -> str:
    """The folder nbgitpuller clones ``repo`` into: the last part of its URL."""
    return repo.rstrip("/").split("/")[-1]


def pull_link(hub: str, repo: str, branch: str, urlpath: str, targetpath: str | None = None) -> str:
    """One nbgitpuller link: clone or update ``repo`` on ``hub``, then open ``urlpath``."""
    query = {"repo": repo, "branch": branch}
    if targetpath:
        query["targetpath"] = targetpath
    query["urlpath"] = urlpath
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query, quote_via=quote)}"


TRAINEE_VIEW = "voila/render"
LAB = "lab/tree"


def course_links(
    hub: str,
    repo: str,
    branch: str,
    notebooks: list[str],
    targetpath: str | None = None,
    view: str = TRAINEE_VIEW,
) -> list[tuple[str, str]]:
    """``(label, link)`` for the whole course, then one per notebook, in course order.

    In the trainee view the whole course is its start page (the first notebook); in JupyterLab
    it is the notebooks folder.
    """
    folder = f"{targetpath or clone_folder(repo)}/notebooks"
    whole = f"{view}/{folder}/{notebooks[0]}" if view == TRAINEE_VIEW else f"{view}/{folder}"
    links = [("whole course", pull_link(hub, repo, branch, whole, targetpath))]
    links += [
        (name, pull_link(hub, repo, branch, f"{view}/{folder}/{name}", targetpath))
        for name in notebooks
    ]
    return links


def binder_links(
    repo: str, branch: str, notebooks: list[str], view: str = TRAINEE_VIEW
) -> list[tuple[str, str]]:
    """Binder launch links (GitHub repositories), built by repo2docker from environment.yml.

    Like the hub links they open the trainee view (the whole course is its start page), or
    JupyterLab with ``view=LAB``.
    """
    match = re.match(r"https://github\.com/([^/]+)/([^/]+?)(\.git)?/?$", repo)
    if not match:
        raise ValueError(f"Binder links need a GitHub repository URL, not '{repo}'")
    base = f"https://mybinder.org/v2/gh/{match[1]}/{match[2]}/{quote(branch, safe='')}"
    whole = f"{view}/notebooks/{notebooks[0]}" if view == TRAINEE_VIEW else f"{view}/notebooks"
    links = [("whole course", f"{base}?urlpath={quote(whole, safe='')}")]
    links += [
        (name, f"{base}?urlpath={quote(f'{view}/notebooks/{name}', safe='')}") for name in notebooks
    ]
    return links


def course_notebooks(folder: Path | None = None) -> list[str]:
    """The course's notebook files, in their numbered order."""
    folder = folder or data_dir().parent / "notebooks"
    return sorted(p.name for p in folder.glob("[0-9][0-9]-*.ipynb"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hub", help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("--repo", required=True, help="the course repository's git URL")
    parser.add_argument("--branch", default="main", help="branch to hand out (default: main)")
    parser.add_argument("--targetpath", help="folder in each home to clone into")
    parser.add_argument("--notebooks", type=Path, help="notebooks folder (default: the course's)")
    parser.add_argument("--binder", action="store_true", help="print Binder launch links instead")
    parser.add_argument(
        "--lab",
        action="store_true",
        help="links that open JupyterLab (default: the trainee view, which hides the code)",
    )


def run(args: argparse.Namespace) -> int:
    notebooks = course_notebooks(args.notebooks)
    if not notebooks:
        print(f"alliance link: no numbered notebooks found in {args.notebooks or 'the course'}")
        return 2
    view = LAB if args.lab else TRAINEE_VIEW
    if args.binder:
        try:
            links = binder_links(args.repo, args.branch, notebooks, view)
        except ValueError as error:
            print(f"alliance link: {error}")
            return 2
    else:
        if not args.hub or urlsplit(args.hub).scheme not in {"http", "https"}:
            print("alliance link: give the hub's address with --hub https://... (or use --binder)")
            return 2
        links = course_links(args.hub, args.repo, args.branch, notebooks, args.targetpath, view)
    width = max(len(label) for label, _ in links)
    for label, link in links:
        print(f"{label:<{width}}  {link}")
    return 0
