"""The house's rules, read from the code's own imports (every import, function-local ones too).

- no import cycle between the kit's modules;
- rooms stand on lower rooms only: shared modules < learner-side modules < course/ < roster/ and
  engine/ < report/ and learner/lab < api < cli (demo is an orchestrator beside api);
  report/ and roster/ never import engine/;
- learner-side modules (answers, items, checks) import only the standard library, ipywidgets
  and document libraries: they run inside learners' kernels;
- cli.py is the only module that prints (the learner-side modules print their verdicts into
  the learner's notebook, which is their job);
- no module over ~300 lines without a reason written at its top.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "grading"
SHARED = {"grading", "grading.errors", "grading.columns", "grading.files", "grading.settings",
          "grading.status", "grading.vntext"}
LEARNER_SIDE = ("grading.learner.answers", "grading.learner.items", "grading.learner.checks",
                "grading.learner.variants")
ALIASES = {"grading.items", "grading.nbhooks", "grading.checks"}  # kept for stored notebooks
DOCUMENT_LIBS = {"ipywidgets", "docx", "lxml", "openpyxl", "pptx"}  # lxml: python-docx
PRINTERS = ("grading.cli",) + LEARNER_SIDE
MAX_LINES = 330


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


MODULES = modules()


def imports(path: Path) -> set[str]:
    """Kit modules that ``path`` imports anywhere in its code (resolved to existing modules)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            subs = [f"{base}.{a.name}" for a in node.names]
            # "from pkg import submodule" imports the submodule (pkg's __init__ is a map)
            targets = subs if all(s in MODULES for s in subs) else subs + [base]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def third_party(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module.split(".")[0])
    return out - set(sys.stdlib_module_names) - {"grading", "__future__"}


GRAPH = {name: imports(path) for name, path in MODULES.items()}


def rank(name: str) -> int:
    """The floor a module stands on (it may import only lower floors or its own room)."""
    if name in SHARED:
        return 0
    if name.startswith(LEARNER_SIDE) or name == "grading.learner.nbhooks":
        return 1
    if name in ALIASES or name.startswith("grading.checks"):
        return 2
    room = name.split(".")[1]
    return {"course": 3, "roster": 4, "engine": 4, "report": 5, "learner": 5,
            "demo": 6, "api": 7, "cli": 8}[room]


def room(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 2 else name


def test_no_import_cycles():
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_rooms_stand_on_lower_rooms():
    wrong = [f"{a} -> {b}" for a, targets in GRAPH.items() for b in targets
             if rank(b) > rank(a) or (rank(b) == rank(a) and room(a) != room(b)
                                      and a not in SHARED)]
    assert not wrong, "imports from a lower room to a higher one:\n" + "\n".join(sorted(wrong))


@pytest.mark.parametrize("lower", ["grading.report", "grading.roster"])
def test_report_and_roster_never_import_engine(lower):
    wrong = [f"{a} -> {b}" for a, targets in GRAPH.items() if a.startswith(lower)
             for b in targets if b.startswith("grading.engine")]
    assert not wrong


def test_learner_side_imports_only_stdlib_widgets_and_documents():
    for name, path in MODULES.items():
        if name.startswith(LEARNER_SIDE):
            assert third_party(path) <= DOCUMENT_LIBS, (name, third_party(path))
            kit = {m for m in GRAPH[name] if m not in SHARED}
            assert all(m.startswith(LEARNER_SIDE) for m in kit), (name, kit)


def test_only_the_cli_prints():
    printers = set()
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                printers.add(name)
    assert {p for p in printers if not p.startswith(PRINTERS)} == set()


def test_modules_are_short_or_say_why():
    long = [name for name, path in MODULES.items()
            if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
            and "Size:" not in (ast.get_docstring(ast.parse(path.read_text())) or "")]
    assert not long, f"over {MAX_LINES} lines without a 'Size:' reason in the docstring: {long}"


def test_every_room_opens_with_a_map():
    for init in PKG.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        files = {p.name for p in init.parent.glob("*.py") if p.name != "__init__.py"}
        if init.parent.name == "checks":  # the alias package for stored notebooks
            continue
        missing = {f for f in files if f not in doc}
        assert not missing, f"{init}: the map does not name {missing}"
