"""The project's layout: one-way dependencies, no import cycle, nothing in the wrong package.

Every module of ``derivations/`` and ``impl/`` is parsed with :mod:`ast` (nothing is imported)
and every import statement counts wherever it stands: at the top of the module, inside a
function, or under ``if TYPE_CHECKING:``. ``from package import name`` counts as an import of
the module ``package.name`` when there is one, else of ``package``.
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import tomllib
from functools import cache

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("derivations", "impl")
#: the modules of impl that may import derivations: the commands that run proofs or write
#: the documents, the benchmark section that times the proofs and lambdified deltas, and the
#: checker of a user's backward pass (the known mistakes and the lambdified formulas that
#: reproduce them: impl/testing/__init__.py says why)
IMPL_MODULES_USING_DERIVATIONS = ("impl.commands", "impl.bench.symbolic", "impl.testing")
#: the document-rendering modules, which belong in derivations/rendering/
RENDERING_NAMES = (
    "latex",
    "prose",
    "content",
    "common",
    "documents",
    "model",
    "build",
    "markdown",
    "tex",
    "html",
)


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def project_modules() -> dict[str, pathlib.Path]:
    """Dotted name -> file, for every module and package of the project."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                modules[_module_name(path)] = path
    return modules


def _resolve(name: str, modules: dict[str, pathlib.Path]) -> str | None:
    """The project module ``name`` refers to (its longest importable prefix), or None."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: pathlib.Path) -> set[str]:
    modules = project_modules()
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        found.update(target for name in targets if (target := _resolve(name, modules)))
    found.discard(module)
    return found


@cache
def import_graph() -> dict[str, frozenset[str]]:
    """Module -> the project modules it imports."""
    return {name: frozenset(_imports(name, path)) for name, path in project_modules().items()}


def _find_cycle(graph: dict[str, frozenset[str]]) -> list[str]:
    """One import cycle as [a, b, ..., a], or [] if the graph is acyclic."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str]:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph[node]):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return []

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle:
                return cycle
    return []


def _importers_of(prefix: str) -> dict[str, set[str]]:
    """Module -> the modules in package ``prefix`` (or ``prefix`` itself) that it imports."""
    return {
        module: hits
        for module, targets in import_graph().items()
        if (hits := {t for t in targets if t == prefix or t.startswith(f"{prefix}.")})
    }


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def test_the_graph_sees_every_module_and_imports_inside_functions() -> None:
    graph = import_graph()
    assert {"derivations.kernel.engine", "impl.network", "impl.commands.bench"} <= set(graph)
    # an import inside a function (impl.bench.symbolic imports the proofs when it times them)
    assert "derivations.claims" in graph["impl.bench.symbolic"]
    # an import under ``if TYPE_CHECKING:``
    assert "impl.network" in graph["impl.per_example"]


def test_there_is_no_import_cycle() -> None:
    cycle = _find_cycle(import_graph())
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_the_network_uses_training_and_serialization_which_never_import_it() -> None:
    """``Network.fit``/``save``/``load`` delegate downward; the helpers see a protocol."""
    graph = import_graph()
    assert {"impl.training", "impl.serialization"} <= graph["impl.network"]
    assert "impl.network" not in graph["impl.training"] | graph["impl.serialization"]


def test_importing_the_library_binds_no_method_onto_a_class() -> None:
    """``fit``, ``save`` and ``load`` are in Network's own body, and no module of impl assigns
    an attribute of a class (``Network.fit = ...``) when it is imported."""
    from impl.network import Network

    assert {"fit", "save", "load"} <= set(vars(Network))
    trees = {
        name: ast.parse(path.read_text(encoding="utf-8"))
        for name, path in project_modules().items()
        if name.startswith("impl")
    }
    classes = {
        node.name
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    for name, tree in trees.items():
        for node in tree.body:  # what runs at import
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                assert not (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in classes
                ), f"{name} sets {target.value.id}.{target.attr} at import"


def test_the_library_never_imports_the_commands() -> None:
    """The commands are thin: they import the library (impl.bench, impl.testing, ...), and
    nothing outside impl.commands imports them (bar the console script's loader)."""
    offenders = {
        module: targets
        for module, targets in _importers_of("impl.commands").items()
        if not _within(module, ("impl.commands",))
    }
    assert not offenders, f"library code imports a command: {offenders}"


def test_derivations_never_imports_impl() -> None:
    offenders = {m: t for m, t in _importers_of("impl").items() if m.startswith("derivations")}
    assert not offenders, f"derivations must not import impl: {offenders}"


def test_impl_imports_derivations_only_in_the_commands_the_benchmark_and_the_checker() -> None:
    offenders = {
        module: targets
        for module, targets in _importers_of("derivations").items()
        if module.startswith("impl") and not _within(module, IMPL_MODULES_USING_DERIVATIONS)
    }
    assert not offenders, f"the implementation must not need the proofs: {offenders}"


def test_no_benchmark_module_is_loose_in_impl() -> None:
    loose = [name for name in project_modules() if name.rpartition(".")[2].startswith("bench_")]
    assert not loose, f"benchmark modules belong in impl/bench/: {loose}"
    assert "impl.bench" in project_modules()


def test_no_rendering_or_command_module_beside_the_proof_modules() -> None:
    top_level = [path.stem for path in (ROOT / "derivations").glob("*.py")]
    misplaced = [
        name
        for name in top_level
        if name in RENDERING_NAMES
        or name.startswith(("render", "docs_"))
        or name.endswith("_command")
        or name == "cli"
    ]
    assert not misplaced, (
        f"not beside the proof modules (rendering/ or impl/commands/): {misplaced}"
    )
    for name in RENDERING_NAMES:
        assert f"derivations.rendering.{name}" in project_modules(), name


#: the rendering modules the notebook display of a claim uses (attached by ``import
#: derivations``): the LaTeX printer and the prose renderer, which import nothing of the
#: project but the kernel's language
LEAF_RENDERERS = ("derivations.rendering.latex", "derivations.rendering.prose")
NOTEBOOK = "derivations.rendering.notebook"


def test_the_proofs_do_not_depend_on_the_documents() -> None:
    offenders = {
        module: targets - ({NOTEBOOK} if module == "derivations" else set())
        for module, targets in _importers_of("derivations.rendering").items()
        if not _within(module, ("derivations.rendering", "impl.commands"))
    }
    offenders = {module: targets for module, targets in offenders.items() if targets}
    assert not offenders, f"only the documents and the commands use rendering: {offenders}"


def test_the_printer_a_claim_displays_itself_with_imports_nothing_of_the_project() -> None:
    graph = import_graph()
    for leaf in LEAF_RENDERERS:
        assert graph[leaf] <= {*LEAF_RENDERERS, "derivations.rendering"}, (leaf, graph[leaf])
    # ``import derivations`` attaches the notebook display: at import, the notebook module
    # loads only the leaf printers and the kernel's classes; what a display needs (the
    # documents' renderers, the report's name lookup) is imported when a display is asked for
    tree = ast.parse(project_modules()[NOTEBOOK].read_text(encoding="utf-8"))
    at_import = {
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("derivations")
    }
    assert at_import <= {*LEAF_RENDERERS, "derivations.kernel.language"}, at_import


def test_the_kernel_imports_nothing_of_the_project_outside_itself() -> None:
    outside = {
        module: {t for t in targets if not _within(t, ("derivations.kernel",))}
        for module, targets in import_graph().items()
        if _within(module, ("derivations.kernel",))
    }
    outside = {module: targets for module, targets in outside.items() if targets}
    assert not outside, f"the kernel must stand alone: {outside}"


def test_everything_proven_rests_on_is_inside_the_kernel_folder() -> None:
    kernel = {
        name.rpartition(".")[2]
        for name in project_modules()
        if name.startswith("derivations.kernel.")
    }
    assert {
        "language",
        "binding",
        "wellformed",
        "wellformed_binders",
        "wellformed_derivatives",
        "subject",
        "rewriting",
        "engine",
        "explicit",
        "instances",
        "points",
        "compiled",
        "witness",
        "counterexamples",
        "verdicts",
        "intervals",
        "sympy_speedup",
    } <= kernel
    loose = {path.stem for path in (ROOT / "derivations").glob("*.py")} & kernel
    assert not loose, f"kernel modules outside derivations/kernel/: {loose}"


def test_every_package_says_what_it_holds_and_which_way_dependencies_run() -> None:
    for name, path in project_modules().items():
        if path.name != "__init__.py":
            continue
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert docstring, f"{name}/__init__.py has no docstring"
        assert "Dependencies run" in docstring, f"{name}: say which way dependencies run"


def test_the_console_script_is_the_commands_parser() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    module, _, function = project["scripts"]["verified-backprop"].partition(":")
    assert module == "verified_backprop_cli"  # loads impl.commands, Ctrl-C caught meanwhile
    assert callable(getattr(importlib.import_module(module), function))
    source = (ROOT / f"{module}.py").read_text(encoding="utf-8")
    assert "from impl.commands import main as run_command" in source


#: the ``verify`` flow, from the command down to the engine: each module imports only those
#: after it (and the kernel), so that a reader goes one way and the results come back up
VERIFY_FLOW = (
    "impl.commands.verify",
    "derivations.__main__",
    "derivations.report",
    "derivations.verification",
    "derivations.sources.census.judging",
)


def test_the_verify_flow_goes_one_way_from_the_command_to_the_engine() -> None:
    graph = import_graph()
    for position, module in enumerate(VERIFY_FLOW):
        above = set(VERIFY_FLOW[:position])
        assert not graph[module] & above, f"{module} imports one above it: {graph[module] & above}"
    # the command and python -m derivations only read options: the work is the report's
    assert graph["impl.commands.verify"] == {"derivations.__main__"}
    # the printer runs no proof and no verdict itself: it asks the runner
    tree = ast.parse(project_modules()["derivations.report"].read_text(encoding="utf-8"))
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"verify", "assess", "judge"}, called & {"verify", "assess", "judge"}


def test_the_census_is_data_that_imports_nothing_above_the_sources() -> None:
    graph = import_graph()
    census = [name for name in graph if _within(name, ("derivations.sources",))]
    above = ("derivations.verification", "derivations.report", "derivations.__main__")
    for module in census:
        assert not {t for t in graph[module] if _within(t, above)}, module
        assert not {t for t in graph[module] if _within(t, ("derivations.rendering",))}, module
    allowed = {
        "derivations.kernel.verdicts",
        "derivations.sources.census.model",
        "derivations.sources.documents",
    }
    for data in ("deriving_backpropagation", "core_concepts"):
        assert graph[f"derivations.sources.census.{data}"] <= allowed, data


def test_the_host_helpers_import_nothing_of_the_project() -> None:
    assert import_graph()["derivations.host"] == frozenset()
