"""The production image: what goes into it, how its dependencies are pinned, who may write its code."""

import fnmatch
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    """Docker's rule, as far as these patterns need it: a pattern excludes the path it matches and everything
    under it; `**/` matches any number of folders (none included)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in dockerignore_patterns():
        assert not pattern.startswith("!"), "no exception patterns: they would let a secret back in"
        variants = {pattern, pattern.removeprefix("**/")}
        if any(fnmatch.fnmatchcase(prefix, variant) for prefix in prefixes for variant in variants):
            return True
    return False


def test_secrets_environments_databases_and_private_files_stay_out_of_the_image():
    for path in (
        ".env",
        ".env.production",
        "deploy/.env",
        ".git/HEAD",
        ".venv/bin/python",
        "db.sqlite3",
        "db.sqlite3-wal",
        "var/private/deliverables/rapport.pdf",
        "var/celery/messages/x.msg",
        "var/bench.sqlite3",
        "staticfiles/css/parcours.css",
        "celerybeat-schedule",
        "celerybeat-schedule.db",
        "backups/parcours-backup-20260101.tar",
        "programme/__pycache__/settings.cpython-312.pyc",
        "locale/en/LC_MESSAGES/django.mo",
        "tests/conftest.py",
    ):
        assert ignored(path), f"{path} would be copied into the image"


def test_the_code_and_what_it_needs_go_into_the_image():
    for path in (
        "manage.py",
        "requirements.txt",
        "programme/settings.py",
        "programme/migrations/0001_initial.py",
        "evaluation/reports/tasks.py",
        "templates/page.html",
        "templates/emails/invitation.txt",
        "static/css/print.css",
        "locale/en/LC_MESSAGES/django.po",
    ):
        assert not ignored(path), f"{path} is left out of the image"
        assert (ROOT / path).exists(), path


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_dependencies_are_installed_from_the_lock_before_the_code_is_copied():
    text = dockerfile()
    install = text.index("pip install --require-hashes --no-deps -r requirements.txt")
    assert text.index("COPY requirements.txt ./") < install < text.index("COPY . .")
    # The layer depends on the lock alone: nothing else is copied before it (in the image's own stage).
    image = text.index("\nFROM python:")
    assert re.findall(r"^COPY .*$", text[image:install], re.M) == ["COPY requirements.txt ./"]
    assert "pip install ." not in text and "pip install -e" not in text


def test_the_code_is_read_only_for_the_runtime_user():
    text = dockerfile()
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users == ["parcours"], "the processes run as an unprivileged user"
    assert text.index("COPY . .") < text.index("USER parcours")
    # Only /data is theirs; the code stays root's, without write permission for anyone else.
    assert not re.search(r"chown[^\n&]*/app", text)
    assert "chmod -R go-w /app" in text
    assert "chown -R parcours:parcours /data" in text


def test_weasyprint_has_pango_and_the_fonts_of_the_print_stylesheet():
    text = dockerfile()
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        assert package in text
    assert '"DejaVu Sans"' in (ROOT / "static" / "css" / "print.css").read_text()


def pins(name: str) -> dict[str, Version]:
    text = (ROOT / name).read_text()
    found = {canonicalize_name(package): Version(version) for package, version in PIN.findall(text)}
    assert found, name
    return found


def hashed(name: str) -> None:
    """Every pinned requirement carries at least one sha256 hash."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / name).read_text())
    for block in blocks:
        if PIN.match(block):
            assert "--hash=sha256:" in block, f"{name}: {block.splitlines()[0]} has no hash"


def test_the_locks_pin_every_dependency_of_pyproject_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    for spec in project["dependencies"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"{name} is missing from requirements.txt: run `make lock`"
        assert runtime[name] in requirement.specifier, f"requirements.txt pins {name} outside {spec}"
    for spec in project["optional-dependencies"]["dev"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in dev, f"{name} is missing from requirements-dev.txt: run `make lock`"
        assert dev[name] in requirement.specifier, f"requirements-dev.txt pins {name} outside {spec}"
    # The development lock is the runtime lock plus the tools: the same versions everywhere.
    assert {name: dev[name] for name in runtime} == runtime
    hashed("requirements.txt")
    hashed("requirements-dev.txt")


def test_make_installs_from_the_lock_and_make_lock_writes_it():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.txt" in makefile
    assert "$(STAMP): requirements-dev.txt" in makefile
    assert re.search(r"^lock:", makefile, re.M)
    assert "--generate-hashes" in makefile


def test_the_build_time_settings_start(monkeypatch):
    """collectstatic runs at build time with DEBUG=0: the values the Dockerfile gives it pass the production
    checks of settings.py (secret key, sender)."""
    import runpy

    text = dockerfile()
    command = text[text.index("DEBUG=0 SECRET_KEY=") : text.index("collectstatic")]
    for name, value in re.findall(r"([A-Z_]+)=('[^']*'|\S+)", command):
        monkeypatch.setenv(name, value.strip("'"))
    values = runpy.run_path(str(ROOT / "programme" / "settings.py"))
    assert values["DEBUG"] is False and values["DEFAULT_FROM_EMAIL"] == "Parcours <build@example.org>"


def test_the_image_carries_the_administrative_areas_from_the_lock():
    """Territories need the official areas: fetched at build time from package-lock.json (install scripts
    off), only the data files copied where `load_areas --auto` looks for them; nothing fetched at run time."""
    from programme.territories.loading import DEFAULT_PATH

    text = dockerfile()
    stage = text[text.index(" AS areas") : text.index("\nFROM python:")]
    assert "COPY package.json package-lock.json" in stage
    assert "npm ci --ignore-scripts" in stage
    assert not ignored("package.json") and not ignored("package-lock.json")
    copied = re.search(r"COPY --from=areas (\S+) \\\n\s+(\S+)", text)
    assert copied, "the areas' data are copied from the build stage"
    assert copied.group(1).endswith("node_modules/@etalab/decoupage-administratif/data")
    assert Path(copied.group(2)) == Path("/app") / DEFAULT_PATH.relative_to(ROOT)
