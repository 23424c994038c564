"""`alliance link` prints nbgitpuller links a hub understands, in course order."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from helpers.cli import main
from helpers.links import binder_links, course_links, course_notebooks


def test_one_link_for_the_course_and_one_per_notebook_in_order(capsys):
    assert (
        main(
            [
                "link",
                "--hub",
                "https://hub.example.edu/",
                "--repo",
                "https://github.com/dept/alliance-lab",
                "--branch",
                "spring",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    notebooks = course_notebooks()
    assert len(lines) == len(notebooks) + 1
    assert lines[0].startswith("whole course")
    for line, name in zip(lines[1:], notebooks, strict=True):
        label, link = line.split()
        assert label == name
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc) == ("https", "hub.example.edu")
        assert parts.path == "/hub/user-redirect/git-pull"
        query = parse_qs(parts.query)
        assert query == {
            "repo": ["https://github.com/dept/alliance-lab"],
            "branch": ["spring"],
            "urlpath": [f"voila/render/alliance-lab/notebooks/{name}"],
        }
    whole = parse_qs(urlsplit(lines[0].split()[-1]).query)["urlpath"]
    assert whole == [f"voila/render/alliance-lab/notebooks/{notebooks[0]}"]  # the start page


def test_lab_links_open_jupyterlab(capsys):
    args = ["link", "--hub", "https://h.edu", "--repo", "https://github.com/d/course", "--lab"]
    assert main(args) == 0
    first, second = capsys.readouterr().out.splitlines()[:2]
    assert parse_qs(urlsplit(first.split()[-1]).query)["urlpath"] == ["lab/tree/course/notebooks"]
    assert parse_qs(urlsplit(second.split()[-1]).query)["urlpath"] == [
        f"lab/tree/course/notebooks/{course_notebooks()[0]}"
    ]


def test_targetpath_changes_the_folder_opened():
    (label, link), *_ = course_links(
        "http://127.0.0.1:8000",
        "file:///srv/course.git",
        "main",
        ["00-start-here.ipynb"],
        targetpath="alliance",
    )
    query = parse_qs(urlsplit(link).query)
    assert label == "whole course"
    assert query["targetpath"] == ["alliance"]
    assert query["urlpath"] == ["voila/render/alliance/notebooks/00-start-here.ipynb"]


def test_default_folder_is_the_last_part_of_the_repository_url():
    _, (_, link) = course_links("http://h", "file:///srv/course.git", "main", ["01-a.ipynb"])
    assert parse_qs(urlsplit(link).query)["urlpath"] == [
        "voila/render/course.git/notebooks/01-a.ipynb"
    ]


def test_binder_links_need_a_github_repository(capsys):
    links = binder_links(
        "https://github.com/dept/alliance-lab.git", "main", ["00-start-here.ipynb"]
    )
    assert links[1][1] == (
        "https://mybinder.org/v2/gh/dept/alliance-lab/main"
        "?urlpath=voila%2Frender%2Fnotebooks%2F00-start-here.ipynb"
    )
    assert main(["link", "--binder", "--repo", "https://gitlab.com/x/y"]) == 2
    assert "GitHub repository URL" in capsys.readouterr().out


def test_binder_links_open_the_trainee_view_or_jupyterlab(capsys):
    repo = "https://github.com/dept/alliance-lab"
    assert main(["link", "--binder", "--repo", repo]) == 0
    lines = capsys.readouterr().out.splitlines()
    paths = [parse_qs(urlsplit(line.split()[-1]).query)["urlpath"][0] for line in lines]
    first = course_notebooks()[0]
    assert paths[0] == f"voila/render/notebooks/{first}"  # the whole course: its start page
    assert paths[1:] == [f"voila/render/notebooks/{name}" for name in course_notebooks()]
    assert main(["link", "--binder", "--lab", "--repo", repo]) == 0
    lab_paths = [
        parse_qs(urlsplit(line.split()[-1]).query)["urlpath"][0]
        for line in capsys.readouterr().out.splitlines()
    ]
    assert lab_paths[:2] == ["lab/tree/notebooks", f"lab/tree/notebooks/{first}"]


def test_a_missing_or_bad_hub_address_is_explained(capsys):
    assert main(["link", "--repo", "https://github.com/dept/alliance-lab"]) == 2
    assert "--hub https://" in capsys.readouterr().out
    assert main(["link", "--hub", "hub.example.edu", "--repo", "r"]) == 2


def test_readme_launch_links_match_the_generated_binder_links():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    expected = binder_links(
        "https://github.com/alliance-lab/alliance-lab", "main", course_notebooks()
    )
    for name, link in expected[1:]:
        assert f"| {name.removesuffix('.ipynb')} | [launch]({link}) |" in readme, name
    badge = re.search(r"\]\((https://mybinder\.org/v2/gh/[^)]+)\)", readme)
    assert badge and badge[1] == expected[0][1], "the README's Binder badge opens the start page"
