"""The house shows its plan: the apps import in one direction (people ← publications ← polls ←
what builds on them), no modules import each other in a circle, and no project import hides
inside a function to dodge one."""

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "migrations", "node_modules", "staticfiles", "media", "locale"}
APPS = ("people", "publications", "polls", "dialogue_portal")
# The infrastructure every app builds on (dialogue_portal/core); it imports no app.
CORE = "dialogue_portal.core"
# The site's own pages and its URLconf, which import every app.
SITE_VIEWS = {"dialogue_portal.views", "dialogue_portal.urls"}
# What stays at the top of dialogue_portal/ beside the packages: settings, the site's own
# pages and the glue Django looks for by name.
SITE_MODULES = {"apps", "context_processors", "health", "settings", "urls", "views", "wsgi"}


def project_modules():
    modules = {}
    for top in APPS:
        for path in (ROOT / top).rglob("*.py"):
            if set(path.relative_to(ROOT).parts) & SKIP:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = path
    return modules


def layer(module):
    """0: the infrastructure (dialogue_portal.core) and settings; 1 people; 2 publications;
    3 polls; 4 the capabilities built on them (dialogue_portal.<app>); 5 site views and URLs."""
    if module == CORE or module.startswith(CORE + "."):
        return 0
    top, _, rest = module.partition(".")
    if top == "people":
        return 1
    if top == "publications":
        return 2
    if top == "polls":
        return 3
    if module in SITE_VIEWS:
        return 5
    if rest and (ROOT / "dialogue_portal" / rest.split(".")[0]).is_dir():
        return 4
    return 0


def imports(modules):
    """{module: [(imported module, line, inside a function)]} for project imports."""

    def target(name):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    found = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        functions = [
            node
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        inside = {id(n) for f in functions for n in ast.walk(f) if n is not f}
        edges = []
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                imported = target(name) if name.split(".")[0] in APPS else None
                if imported and imported != module:
                    edges.append((imported, node.lineno, id(node) in inside))
        found[module] = edges
    return found


@functools.cache
def project_imports():
    """The project's modules and their imports, read once for the tests below (a second
    each on a quiet machine), which only read them."""
    modules = project_modules()
    return modules, imports(modules)


@pytest.mark.slow
def test_no_project_import_inside_a_function():
    modules, found = project_imports()
    hidden = [
        f"{modules[module].relative_to(ROOT)}:{line} imports {imported}"
        for module, edges in found.items()
        for imported, line, inside in edges
        if inside
    ]
    assert hidden == []


def test_apps_import_in_one_direction():
    modules, found = project_imports()
    against = [
        f"{modules[module].relative_to(ROOT)}:{line} ({module}, layer {layer(module)}) "
        f"imports {imported} (layer {layer(imported)})"
        for module, edges in found.items()
        for imported, line, _inside in edges
        if layer(imported) > layer(module)
    ]
    assert against == []


def test_no_modules_import_each_other_in_a_circle():
    graph = {
        module: {imported for imported, _, _ in edges}
        for module, edges in project_imports()[1].items()
    }
    circles = []
    state = {}  # module -> "visiting" | "done"

    def visit(module, path):
        state[module] = "visiting"
        for imported in sorted(graph[module]):
            if state.get(imported) == "visiting":
                circles.append(" -> ".join(path[path.index(imported) :] + [imported]))
            elif imported not in state:
                visit(imported, path + [imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_the_layers_are_read_as_intended():
    """The rule above is only as good as its reading of the layout."""
    assert layer("dialogue_portal.core.uploads") == 0
    assert layer("people.models") == 1
    assert layer("publications.people_views") == 2
    assert layer("polls.templatetags.poll_tags") == 3
    assert layer("dialogue_portal.demo.management.commands.generate_content") == 4
    assert layer("dialogue_portal.views") == 5


def test_the_infrastructure_lives_in_one_package():
    """Beside its packages, dialogue_portal/ holds only the site's own modules: anything every
    app uses goes into dialogue_portal/core, a capability into an app of its own."""
    loose = {path.stem for path in (ROOT / "dialogue_portal").glob("*.py")} - {"__init__"}
    assert loose == SITE_MODULES
