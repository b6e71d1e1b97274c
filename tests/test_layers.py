"""The package layout is the pipeline, and imports only go down it.

The layer order below is the one place it is written down (docs/design.md points here). Every
import of every module under ``xlkinerja/`` counts, including those inside functions and under
``TYPE_CHECKING``: a lazy import is still a dependency a reader has to follow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xlkinerja"

#: lowest first; a module may import from its own layer and the layers before it
LAYERS = [
    ["base"],           # atomic outputs, worker processes, bundled templates, Indonesian numbers
    ["reference"],      # official published results (IPP, SAKIP) and regions: data, no workbook
    ["findings"],       # what a check found, and the catalogue of codes
    ["form"],           # spec, master, formcheck, model, codes, nip: the form before any sheet
    ["register"],       # the register of issued forms and their signatures (generate writes it)
    ["workbook"],       # layout, calc/formulas, writer, xlsx helpers, petunjuk, vba, hasil
    ["reading"],        # preflight, files, sources, reader
    ["validation"],     # rules over a read-back workbook
    ["consolidation"],  # records, ledger, plan, figures, recap with its layout, run
    ["desk"],           # what runs inside Excel when a button is pressed
    ["button", "cli", "testing", "api", "__init__", "__main__"],  # the shells and the public API
]
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every xlkinerja module ``path`` imports, wherever the import statement stands."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "xlkinerja")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "xlkinerja":
                continue
            for alias in node.names:  # ``from xlkinerja.x import y``: y may be a module
                sub = f"{target}.{alias.name}"
                found.add(sub if module_path(sub) else target)
    found.discard(me)
    return {m for m in found if module_path(m)}


def module_path(name: str) -> Path | None:
    p = PACKAGE.parent.joinpath(*name.split("."))
    if p.with_suffix(".py").is_file():
        return p.with_suffix(".py")
    if (p / "__init__.py").is_file():
        return p / "__init__.py"
    return None


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return LAYER_OF[top]


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_every_package_has_a_layer():
    tops = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    tops |= {p.stem for p in PACKAGE.glob("*.py")}
    assert tops <= set(LAYER_OF), f"packages without a layer in LAYERS: {sorted(tops - set(LAYER_OF))}"


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_imports_go_down_the_layers():
    bad = [f"{m} (layer {layer(m)}) imports {d} (layer {layer(d)})"
           for m, deps in sorted(graph().items()) for d in sorted(deps) if layer(d) > layer(m)]
    assert bad == [], "\n".join(bad)


def test_every_package_says_what_it_owns():
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{init.relative_to(PACKAGE.parent)} has no docstring"


def test_the_checks_see_a_cycle_and_a_climb(tmp_path):
    """The test can fail: a cycle put back, and an import up the layers, are both caught."""
    g = graph()
    g["xlkinerja.consolidation.ledger"] = g["xlkinerja.consolidation.ledger"] | {
        "xlkinerja.consolidation.records"}
    g["xlkinerja.consolidation.records"] = g["xlkinerja.consolidation.records"] | {
        "xlkinerja.consolidation.ledger"}
    assert ["xlkinerja.consolidation.ledger", "xlkinerja.consolidation.records"] in cycles(g)
    assert layer("xlkinerja.form.model") < layer("xlkinerja.consolidation.run")


@pytest.mark.parametrize("source, expected", [
    ("def f():\n    from xlkinerja.consolidation import run\n", "xlkinerja.consolidation.run"),
    ("from xlkinerja.workbook.layout import Q\n", "xlkinerja.workbook.layout"),
    ("from ..workbook import calc\n", "xlkinerja.workbook.calc"),
])
def test_imports_inside_functions_and_relative_ones_count(tmp_path, monkeypatch, source, expected):
    f = PACKAGE / "form" / "_probe_imports.py"
    f.write_text(source, encoding="utf-8")
    try:
        assert expected in imports_of(f)
    finally:
        f.unlink()
