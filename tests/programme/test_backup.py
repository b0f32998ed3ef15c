"""Backups that restore: `manage.py backup` then `manage.py restore` into an empty installation gives back the
same rows and the same private files (the round trip runs on the demo data, on SQLite and — in CI, or wherever
DATABASE_URL names a PostgreSQL server — on PostgreSQL with pg_dump / pg_restore); a damaged archive, a newer
archive or an installation that already holds data is refused before anything changes."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from programme import backups

ROOT = Path(__file__).resolve().parents[2]
COUNTS = "import django, json; django.setup(); from programme.backups import row_counts; print(json.dumps(row_counts()))"


def clean_env(**values: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("PYTEST", "DATABASE_URL", "POSTGRES_", "REDIS_URL", "MEDIA_ROOT", "S3_", "CELERY_")
        )
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "programme.settings", "CELERY_TASK_ALWAYS_EAGER": "1", **values}


def manage(env: dict[str, str], *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, timeout=900
    )
    assert result.returncode == 0, (args, result.stderr.decode()[-3000:])
    return result


def counts(env: dict[str, str]) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "-c", COUNTS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def postgresql_server() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname or "",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or "",
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql)


@pytest.fixture
def databases(request, tmp_path):
    """Two installations, source and target: SQLite files, or two fresh PostgreSQL databases."""
    server = postgresql_server()
    if request.param == "sqlite":
        if server is not None:
            pytest.skip(
                "the round trip runs on PostgreSQL here (CI): the SQLite one is for machines without it"
            )
        yield [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("source", "target")]
        return
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("CI runs the backup round trip on PostgreSQL: DATABASE_URL must name one")
        pytest.skip("DATABASE_URL does not name a PostgreSQL server")
    names = [f"parcours_backup_{name}_{uuid.uuid4().hex[:8]}" for name in ("source", "target")]
    for name in names:
        _admin(server, f'CREATE DATABASE "{name}"')
    yield [urlsplit(server)._replace(path=f"/{name}").geturl() for name in names]
    for name in names:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("databases", ["sqlite", "postgresql"], indirect=True)
def test_a_backup_of_the_demo_restores_into_an_empty_installation(databases, tmp_path):
    source_url, target_url = databases
    source = clean_env(
        DATABASE_URL=source_url, MEDIA_ROOT=str(tmp_path / "source"), CELERY_DATA_DIR=str(tmp_path / "celery")
    )
    target = clean_env(
        DATABASE_URL=target_url, MEDIA_ROOT=str(tmp_path / "target"), CELERY_DATA_DIR=str(tmp_path / "celery")
    )
    manage(source, "migrate", "--no-input", "-v", "0")
    manage(source, "seed_demo")
    (tmp_path / "source" / "extra").mkdir(parents=True)
    (tmp_path / "source" / "extra" / "Compte rendu d'atelier & bilan.pdf").write_bytes(b"%PDF-1.4 " * 1000)
    written = manage(source, "backup", "--output", str(tmp_path / "backups")).stdout.decode()
    assert "Sauvegarde écrite" in written
    (archive,) = (tmp_path / "backups").glob("parcours-backup-*.tar")

    # The empty installation as docker-compose leaves it: migrated, no data.
    manage(target, "migrate", "--no-input", "-v", "0")
    restored = manage(target, "restore", str(archive)).stdout.decode()
    assert "sommes de contrôle vérifiées" in restored

    expected = counts(source)
    assert sum(expected.values()) > 1000 and expected["programme_user"] >= 6
    assert counts(target) == expected
    assert checksums(tmp_path / "target") == checksums(tmp_path / "source")
    assert len(checksums(tmp_path / "source")) >= 2

    # The restored installation works: its demo accounts sign in.
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.contrib.auth import authenticate; "
            "print(authenticate(email='staff@demo.parcours.fr', password='parcours-demo') is not None)",
        ],
        cwd=ROOT,
        env=target,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.stdout.strip().endswith("True"), check.stderr

    # Once it holds data, a second restore is refused and changes nothing.
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=ROOT,
        env=target,
        capture_output=True,
        timeout=300,
    )
    assert refused.returncode != 0 and "contient déjà des données" in refused.stderr.decode()
    assert counts(target) == expected


# --- In the test database: what the archive holds, and what restore refuses ----------------------------------
# (committed, as a real backup sees it: pg_dump is another process, and SQLite's copy waits for open transactions)


@pytest.fixture
def archive_bytes(world):
    default_storage.save("projects/1/convention.pdf", ContentFile(b"%PDF-1.4 convention"))
    buffer = io.BytesIO()
    manifest = backups.create_backup(buffer)
    return buffer.getvalue(), manifest


def rewrite(data: bytes, change) -> bytes:
    """The same archive with `change(name, content) -> content` applied to each member."""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(data)) as source, tarfile.open(fileobj=out, mode="w") as target:
        for member in source.getmembers():
            content = change(member.name, source.extractfile(member).read())
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_archive_holds_the_database_the_files_and_a_manifest(archive_bytes, world):
    data, manifest = archive_bytes
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        names = archive.getnames()
    assert manifest["database"]["file"] in names and "manifest.json" in names
    assert "files/projects/1/convention.pdf" in names
    (entry,) = manifest["files"]
    assert entry["sha256"] == hashlib.sha256(b"%PDF-1.4 convention").hexdigest()
    assert manifest["row_counts"]["programme_user"] == 5  # the world's named users
    assert manifest["versions"]["parcours"] and manifest["versions"]["django"]
    assert "programme" in manifest["migrations"]


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_changes(archive_bytes):
    data, _manifest = archive_bytes
    damaged = rewrite(data, lambda name, content: content + b"x" if name.startswith("files/") else content)
    with pytest.raises(backups.BackupError, match="abîmée"):
        backups.restore_backup(io.BytesIO(damaged), force=True)
    assert default_storage.open("projects/1/convention.pdf").read() == b"%PDF-1.4 convention"


@pytest.mark.django_db(transaction=True)
def test_an_archive_of_a_newer_version_is_refused(archive_bytes):
    data, _manifest = archive_bytes

    def newer(name: str, content: bytes) -> bytes:
        if name != "manifest.json":
            return content
        manifest = json.loads(content)
        manifest["migrations"]["programme"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    with pytest.raises(backups.BackupError, match="version plus récente"):
        backups.restore_backup(io.BytesIO(rewrite(data, newer)), force=True)


@pytest.mark.django_db(transaction=True)
def test_an_installation_with_data_is_not_overwritten(archive_bytes):
    data, _manifest = archive_bytes
    with pytest.raises(backups.BackupError, match="contient déjà des données"):
        backups.restore_backup(io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_a_file_that_is_no_backup_is_refused_in_french(tmp_path):
    (tmp_path / "notes.tar").write_bytes(b"ceci n'est pas une archive")
    with pytest.raises(CommandError, match="n’est pas une archive lisible"):
        call_command("restore", str(tmp_path / "notes.tar"))


@pytest.mark.django_db(transaction=True)
def test_old_archives_beyond_keep_are_deleted(world, tmp_path):
    for stamp in ("20260101-000000", "20260102-000000", "20260103-000000"):
        (tmp_path / f"parcours-backup-{stamp}.tar").write_bytes(b"old")
    call_command("backup", "--output", str(tmp_path), "--keep", "2", stdout=io.StringIO())
    kept = sorted(path.name for path in tmp_path.glob("parcours-backup-*.tar"))
    assert len(kept) == 2 and kept[0] == "parcours-backup-20260103-000000.tar"
    assert not list(tmp_path.glob("*.partial"))
