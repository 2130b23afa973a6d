"""Feature packages depend on each other in one direction only: a test walks every import
(deferred ones inside functions included) and fails on a cycle."""
import ast

from pwa.config import ROOT

PWA = ROOT / "pwa"


def features():
    return sorted(p.name for p in PWA.iterdir() if (p / "__init__.py").exists())


def imported_modules(path, package):
    """Absolute names of the pwa modules a file imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def feature_graph():
    names = set(features())
    graph = {name: set() for name in names}
    for name in names:
        for path in (PWA / name).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            package = ".".join(parts if path.name == "__init__.py" else parts[:-1])
            package = package.removesuffix(".__init__")
            for module in imported_modules(path, package):
                bits = module.split(".")
                if len(bits) > 1 and bits[0] == "pwa" and bits[1] in names and bits[1] != name:
                    graph[name].add(bits[1])
    return graph


def find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_walk_sees_the_known_dependencies():
    graph = feature_graph()
    assert {"report", "officers", "offline_app"} <= set(graph)
    assert "report" in graph["officers"]  # officers read reports
    assert "offline_app" in graph["report"]  # the form registers its pages for precaching
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycle_between_feature_packages():
    cycle = find_cycle(feature_graph())
    assert cycle is None, "import cycle between features: " + " -> ".join(cycle)


def test_the_report_feature_owns_its_api():
    assert not (PWA / "api").exists()
    assert "officers" not in feature_graph()["report"]
