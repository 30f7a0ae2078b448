"""The painter's layout stays as docs/ARCHITECTURE.md draws it: who imports whom, and small pieces."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "painter"


def allowed() -> dict[str, set[str]]:
    """The "may import" table of docs/ARCHITECTURE.md: module -> painter modules it may import."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    table = text.split("## What each module may import", 1)[1]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("module", "---") or not line.startswith("|"):
            continue
        name = cells[0].replace("\\_", "_")
        rows[name] = set(re.findall(r"[a-z_]+", cells[1])) if "(" not in cells[1] else None
    return rows


def imports(path: Path, relative: bool = True) -> set[str]:
    """The painter modules a file imports (absolute, and relative ones for a file of the package)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module and relative:
                found.add(node.module)
            elif node.module and node.module.startswith("painter."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("painter."))
    return found


MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))


def test_every_module_is_in_the_table():
    assert set(MODULES) == set(allowed())


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_only_what_the_architecture_allows(module):
    rule = allowed()[module]
    if rule is not None:
        assert imports(PACKAGE / f"{module}.py") <= rule


def test_training_and_app_use_only_their_share_of_the_painter():
    for path in (ROOT / "training").glob("*.py"):
        assert imports(path, relative=False) <= {"stroke", "brush", "dabs", "mypaint", "svg", "vgg", "hub"}, path.name
    for path in PACKAGE.glob("*.py"):
        assert not any(n.startswith("training") or n == "app" for n in _absolute_imports(path)), path.name


def _absolute_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_small_pieces():
    """No module of the painter over 400 lines, no function over 60."""
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        assert len(path.read_text().splitlines()) <= 400, path.name
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno - node.lineno + 1 <= 60, f"{path.name}: {node.name}"


SPACE = ROOT / "space"


def test_the_space_imports_the_painter_never_the_reverse():
    """space/ may import painter/; painter/ never imports space/ or app; space/ never imports app,
    training or benchmarks (app.py puts the Space together; the painter knows nothing of a page)."""
    for path in PACKAGE.glob("*.py"):
        assert not any(n.split(".")[0] in ("space", "app") for n in _absolute_imports(path)), path.name
    for path in SPACE.glob("*.py"):
        names = {n.split(".")[0] for n in _absolute_imports(path)}
        assert not names & {"app", "training", "benchmarks"}, path.name


def test_the_space_is_a_short_app_over_small_files():
    """app.py puts the Space together in at most about 150 lines; each file of space/ is at most about 250."""
    assert len((ROOT / "app.py").read_text().splitlines()) <= 150
    for path in SPACE.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 250, path.name
