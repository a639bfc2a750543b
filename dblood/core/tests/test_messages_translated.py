"""Every message the api shows a person goes through gettext, and every catalogue entry is translated.

The source walk flags a string literal (plain, f-string, `%`- or `.format()`-built) that reaches an
api error directly: passed to ValidationError/Conflict/PermissionDenied/NotFound/ServiceUnavailable
(or inside the dict/list given to one), set as an exception's `default_detail` or a permission's
`message`, or a module-level constant holding such a literal that is passed to one of them.
"""

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ERRORS = {
    "ValidationError",
    "Conflict",
    "PermissionDenied",
    "NotFound",
    "ServiceUnavailable",
    "ParseError",
    "NotAuthenticated",
    "AuthenticationFailed",
    "MethodNotAllowed",
    "NotAcceptable",
    "UnsupportedMediaType",
    "Throttled",
    "PayloadTooLarge",
}
# Builders of the error body, and which positional argument is the message people read.
BUILDERS = {"error_body": 2, "json_error_view": 2}
CLASS_MESSAGES = {"message", "default_detail"}

# (path relative to dblood/, line text fragment): why this literal is never shown to people.
# Empty today: every literal the walk finds reaches a person.
ALLOWED: dict[tuple[str, str], str] = {}


def _sources(folder: Path = ROOT):
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def _is_literal(node) -> bool:
    """A str the translator never sees: a literal, an f-string, or one built from a literal."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_literal(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_literal(node.func.value)
    return False


def _literals_in(node, constants) -> list[ast.AST]:
    if isinstance(node, ast.Name) and node.id in constants:
        return _literals_in(constants[node.id], {})
    if _is_literal(node):
        return [node]
    if isinstance(node, ast.Dict):
        return [hit for value in node.values for hit in _literals_in(value, constants)]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [hit for item in node.elts for hit in _literals_in(item, constants)]
    if isinstance(node, ast.DictComp):
        return _literals_in(node.value, constants)
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        return _literals_in(node.elt, constants)
    return []


def _collected(function, names, constants) -> list[ast.AST]:
    """Literals put into a local (`errors["x"] = [...]`, `errors.update(...)`) that is then raised."""
    hits = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                base = target.value if isinstance(target, ast.Subscript) else target
                if isinstance(base, ast.Name) and base.id in names:
                    hits.extend(_literals_in(node.value, constants))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "append", "extend", "setdefault")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in names
        ):
            hits.extend(hit for arg in node.args for hit in _literals_in(arg, constants))
    return hits


def _name(func) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def untranslated(path: Path) -> list[tuple[int, str]]:
    source = path.read_text()
    tree = ast.parse(source)
    constants = {
        target.id: stmt.value
        for stmt in tree.body
        if isinstance(stmt, ast.Assign)
        for target in stmt.targets
        if isinstance(target, ast.Name)
    }
    hits: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (_name(node.func) in ERRORS or _name(node.func) in BUILDERS):
            at = BUILDERS.get(_name(node.func), 0)
            args = node.args[at : at + 1] + [kw.value for kw in node.keywords if kw.arg in ("detail", "message")]
            for arg in args:
                hits.extend(_literals_in(arg, constants))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            raised = {
                arg.id
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and _name(call.func) in ERRORS
                for arg in call.args[:1]
                if isinstance(arg, ast.Name) and arg.id not in constants
            }
            hits.extend(_collected(node, raised, constants))
        elif isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in CLASS_MESSAGES for t in stmt.targets
                ):
                    hits.extend(_literals_in(stmt.value, constants))
    lines = source.splitlines()
    return sorted({(hit.lineno, lines[hit.lineno - 1].strip()) for hit in hits})


def _apps():
    return sorted(path.name for path in ROOT.iterdir() if path.is_dir() and (path / "__init__.py").exists())


@pytest.mark.parametrize("app", _apps())
def test_every_api_error_message_goes_through_gettext(app):
    found = []
    for path in _sources(ROOT / app):
        relative = str(path.relative_to(ROOT))
        for lineno, text in untranslated(path):
            if any(relative == where and fragment in text for (where, fragment) in ALLOWED):
                continue
            found.append(f"dblood/{relative}:{lineno}: {text}")
    assert not found, "untranslated api messages (wrap them in gettext):\n" + "\n".join(found)


def test_the_walk_catches_each_kind_of_literal(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from django.utils.translation import gettext as _\n"
        "GONE = 'It is gone.'\n"
        "KEPT = _('Translated.')\n"
        "class Only(BasePermission):\n"
        "    message = 'Staff only.'\n"
        "def f(state):\n"
        "    raise Conflict(f'Already {state}.')\n"
        "    raise ValidationError({'when': ['Must be in the future.']})\n"
        "    raise NotFound(GONE)\n"
        "    raise PermissionDenied('Not yours: %s' % state)\n"
        "    raise ValidationError(_('Fine.'))\n"
        "    raise NotFound(KEPT)\n"
        "    return error_body(400, 'bad_request', 'Invalid Content-Length.')\n"
        "def g(codes):\n"
        "    errors = {c: ['Answer this question.'] for c in codes}\n"
        "    errors['when'] = [_('Fine.')]\n"
        "    errors.update({'x': ['Unknown question.']})\n"
        "    raise ValidationError(errors)\n"
    )
    # GONE is flagged where it is defined (line 2), not where it is raised.
    assert [line for line, _ in untranslated(sample)] == [
        2,
        5,
        7,
        8,
        10,
        13,
        15,
        17,
    ]  # a constant is flagged where it is defined


def _catalogues():
    return sorted(ROOT.glob("*/locale/id/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda p: p.parts[-5])
def test_every_catalogue_entry_has_an_indonesian_translation(po_path):
    """msgattrib lists the entries with an empty msgstr or a fuzzy flag; there must be none."""
    for kind in ("--untranslated", "--only-fuzzy"):
        listed = subprocess.run(
            ["msgattrib", kind, "--no-obsolete", str(po_path)], check=True, capture_output=True, text=True
        ).stdout
        assert "msgid" not in listed, f"{po_path}: {kind[2:]} entries:\n{listed}"
