"""A service that locks rows holds its transaction itself: `select_for_update` outside one raises
(« select_for_update cannot be used outside of a transaction »), a 500 in production under autocommit that no
test inside a transaction would see. Read from the source: every public function of the apps that locks rows is
`@transaction.atomic` or opens `transaction.atomic()` — but the helpers a locked service calls inside its own."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("programme", "prospects", "projects", "evaluation")
#: Called only inside another service's transaction (the gate move's hooks, the bulk services' row lock),
#: never on their own.
INSIDE_A_TRANSACTION = {
    ("evaluation/judgement/services.py", "decision_check"),
    ("programme/bulk_actions.py", "locked_rows"),
}


def _locking_functions_without_a_transaction(root: Path = ROOT) -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text()
            if "select_for_update" not in source:
                continue
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                    continue
                body = ast.get_source_segment(source, node) or ""
                if "select_for_update" not in body:
                    continue
                decorated = any("atomic" in ast.unparse(d) for d in node.decorator_list)
                where = (str(path.relative_to(root)), node.name)
                if not decorated and "transaction.atomic(" not in body and where not in INSIDE_A_TRANSACTION:
                    found.append(f"{where[0]}: {where[1]}")
    return found


def test_every_service_that_locks_rows_holds_its_transaction():
    assert _locking_functions_without_a_transaction() == []


def test_the_check_sees_a_lock_outside_a_transaction(tmp_path):
    """The check itself: a function that locks without `atomic` is reported."""
    app = tmp_path / "programme"
    app.mkdir()
    (app / "services.py").write_text(
        "from django.db import transaction\n\n"
        "@transaction.atomic\ndef fine():\n    X.objects.select_for_update()\n\n"
        "def unlocked():\n    X.objects.select_for_update()\n"
    )
    assert _locking_functions_without_a_transaction(tmp_path) == ["programme/services.py: unlocked"]
