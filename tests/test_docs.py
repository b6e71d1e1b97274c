"""docs/ stays navigable: every page is listed in docs/index.md, every listed page exists, every
relative link in the README and docs/ points at a file that exists, and the README stays short."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")


def listed() -> list[str]:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    block = index.split("<!-- pages:start -->")[1].split("<!-- pages:end -->")[0]
    return [m.group(1) for m in LINK.finditer(block)]


def test_every_page_is_listed_in_the_index():
    pages = {p.name for p in DOCS.glob("*.md")} - {"index.md"}
    missing = sorted(pages - set(listed()))
    assert not missing, f"add a line for each to docs/index.md (between the pages markers): {missing}"


def test_every_listed_page_exists():
    for target in listed():
        assert (DOCS / target).resolve().is_file(), target


def test_relative_links_resolve():
    broken = []
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for m in LINK.finditer(page.read_text(encoding="utf-8")):
            target = m.group(1)
            if re.match(r"\w+://|mailto:", target):
                continue
            if not (page.parent / target).resolve().exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken


def test_readme_is_for_a_newcomer():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    for must in ("demo-command:start", "test-command:start", "## Mulai cepat", "docs/index.md",
                 "docs/api.md"):
        assert must in readme, must
