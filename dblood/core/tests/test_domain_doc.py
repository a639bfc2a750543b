"""The domain knowledge the code cites is in the repository (docs/domain.md), and comments give
reasons, not pointers to the project's history or to files outside the repository."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOMAIN = ROOT / "docs" / "domain.md"

# Pointers a newcomer cannot follow: an issue tracker's numbers, the design folder beside the
# repository, the facts file that lives there.
UNFOLLOWABLE = re.compile(r"\b[Ii]ssue ?#?\d+|FACTS\.md|\.\./shared/|shared/domain/")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    suffixes = {".py", ".html", ".txt", ".md", ".yml", ".yaml", ".conf", ".toml", ".cfg", ".ini", ".po", ""}
    files = []
    for name in listed.splitlines():
        path = ROOT / name
        if path.suffix in suffixes and path.is_file() and "RESULTS" not in path.name and path != Path(__file__):
            files.append(path)
    return files


def test_domain_doc_states_each_rule_the_code_relies_on():
    text = DOMAIN.read_text()
    for section in (
        "## Compatibility",
        "## Components",
        "## Processing",
        "## Donor eligibility",
        "## Deferrals",
        "## Infection screening and release",
        "## Unit states",
        "## Returns and lookback",
        "## ISBT 128",
    ):
        assert section in text


def test_nothing_points_outside_the_repository_or_at_issue_numbers():
    offenders = []
    for path in tracked_text_files():
        try:
            lines = path.read_text().splitlines()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(lines, 1):
            if UNFOLLOWABLE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert offenders == []
