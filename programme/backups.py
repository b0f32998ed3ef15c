"""Backups that restore: one tar archive holding the database (`pg_dump` custom format on PostgreSQL, a
consistent copy through SQLite's backup API), every private file of the default storage (local disk or S3),
and a manifest with versions, row counts and SHA-256 checksums. `restore` checks every checksum before it
touches anything, refuses an installation that already holds data, and puts both back
(`manage.py backup` / `manage.py restore`, docs/operations.md)."""

import contextlib
import datetime
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from . import dataversion

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files/"
DATABASE = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, in French."""


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    row_counts: dict[str, int]
    files: int


def project_version() -> str:
    try:
        return str(tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "inconnue"


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def row_counts() -> dict[str, int]:
    """Rows of every table of the database, by table name."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 — a table name
            counts[table] = int(cursor.fetchone()[0])
    return counts


def applied_migrations() -> dict[str, list[str]]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    applied: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def storage_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file of a storage, recursively (local disk and S3 alike)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield str(PurePosixPath(folder, name)) if folder else name
    for sub in sorted(folders):
        yield from storage_names(storage, str(PurePosixPath(folder, sub)) if folder else sub)


def _vendor() -> str:
    if connection.vendor not in DATABASE:
        raise BackupError(f"Base de données « {connection.vendor} » non prise en charge par la sauvegarde.")
    return connection.vendor


def _pg_environment() -> dict[str, str]:
    """The connection to the database for pg_dump / pg_restore, as libpq variables: no URL, no password on the
    command line."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(
            f"{command[0]} est introuvable : installez le client PostgreSQL (paquet postgresql-client)."
        )
    result = subprocess.run([tool, *command[1:]], capture_output=True, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {result.stderr.decode(errors='replace').strip()}")
    return result


def _dump_database(vendor: str, target: Path) -> dict[str, Any]:
    if vendor == "postgresql":
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
            env=_pg_environment(),
        )
        version = _run(["pg_dump", "--version"]).stdout.decode().strip()
        return {"tool": version, "server_version": getattr(connection, "pg_version", None)}
    # SQLite: a consistent copy of a live database, page by page, while others may keep writing. (Inside a
    # transaction of our own the copy would wait for it forever.)
    if connection.in_atomic_block:
        raise BackupError("La sauvegarde d’une base SQLite ne peut pas se faire dans une transaction.")
    connection.ensure_connection()
    source: Any = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
    return {"tool": f"sqlite3 {sqlite3.sqlite_version}"}


def create_backup(destination: IO[bytes]) -> dict[str, Any]:
    """Write one archive to `destination` (a file open for writing); returns its manifest."""
    vendor = _vendor()
    with tempfile.TemporaryDirectory(prefix="parcours-backup-") as work:
        dump = Path(work) / DATABASE[vendor]
        database = _dump_database(vendor, dump)
        with dump.open("rb") as handle:
            database.update(file=dump.name, size=dump.stat().st_size, sha256=sha256_of(handle))
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "versions": {
                "parcours": project_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
            },
            "database": {"vendor": vendor, **database},
            "migrations": applied_migrations(),
            "row_counts": row_counts(),
            "storage": default_storage.__class__.__name__,
            "files": [],
        }
        with tarfile.open(fileobj=destination, mode="w|") as archive:
            archive.add(dump, arcname=dump.name)
            for name in storage_names(default_storage):
                with tempfile.TemporaryFile(dir=work) as spool:
                    digest = hashlib.sha256()
                    with default_storage.open(name, "rb") as source:
                        for chunk in iter(lambda: source.read(CHUNK), b""):
                            digest.update(chunk)
                            spool.write(chunk)
                    size = spool.tell()
                    spool.seek(0)
                    info = tarfile.TarInfo(FILES + name)
                    info.size, info.mode = size, 0o600
                    archive.addfile(info, spool)
                manifest["files"].append({"name": name, "size": size, "sha256": digest.hexdigest()})
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(body), 0o600
            archive.addfile(info, io.BytesIO(body))
    return manifest


def backup_to_folder(folder: Path, *, keep: int | None = None) -> tuple[Path, dict[str, Any]]:
    """A new archive `parcours-backup-<UTC time>.tar` in `folder` (written aside, then renamed: a half-written
    archive never carries the final name); with `keep`, only the `keep` most recent archives stay."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"parcours-backup-{stamp}.tar"
    partial = path.with_suffix(".tar.partial")
    with partial.open("wb") as handle:
        os.chmod(partial, 0o600)
        manifest = create_backup(handle)
    partial.rename(path)
    if keep is not None:
        for old in sorted(folder.glob("parcours-backup-*.tar"))[:-keep] if keep > 0 else []:
            old.unlink()
    return path, manifest


# --- Restore ----------------------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("Cette archive n’a pas de manifeste : ce n’est pas une sauvegarde de Parcours.")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"Format de sauvegarde {manifest.get('format')} inconnu de cette version de Parcours."
        )
    return manifest


def _member(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    try:
        handle = archive.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise BackupError(f"L’archive est incomplète : « {name} » manque.")
    return handle


def verify(archive: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """Every checksum of the manifest against the archive's content, before anything is restored."""
    database = manifest["database"]
    if sha256_of(_member(archive, database["file"])) != database["sha256"]:
        raise BackupError(
            "L’archive est abîmée : la copie de la base ne correspond pas à sa somme de contrôle."
        )
    for entry in manifest["files"]:
        if sha256_of(_member(archive, FILES + entry["name"])) != entry["sha256"]:
            raise BackupError(f"L’archive est abîmée : le fichier « {entry['name']} » ne correspond pas.")


def _check_target(manifest: dict[str, Any], *, force: bool) -> None:
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"Cette sauvegarde vient d’une base {manifest['database']['vendor']} : elle ne se restaure que "
            f"dans une base du même type (ici {vendor})."
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "Cette sauvegarde a été faite par une version plus récente de Parcours (migrations inconnues : "
            f"{', '.join(unknown[:5])}) : restaurez-la avec cette version ou une plus récente."
        )
    if force:
        return
    counts = row_counts()
    user_table = settings.AUTH_USER_MODEL.replace(".", "_").lower()
    if counts.get(user_table) or next(storage_names(default_storage), None) is not None:
        raise BackupError(
            "Cette installation contient déjà des données (comptes ou fichiers) : la restauration les remplacerait. "
            "Restaurez dans une installation vide, ou relancez avec --force pour tout remplacer."
        )


def _restore_database(archive: tarfile.TarFile, manifest: dict[str, Any], work: Path) -> None:
    dump = work / manifest["database"]["file"]
    with dump.open("wb") as target:
        shutil.copyfileobj(_member(archive, manifest["database"]["file"]), target, CHUNK)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)  # replaces the whole database, page by page
        finally:
            source.close()
        return
    # PostgreSQL: what `migrate` may already have created goes first, then the dump comes back in one transaction.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connection.close()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        env=_pg_environment(),
    )


def _restore_files(archive: tarfile.TarFile, manifest: dict[str, Any]) -> int:
    for entry in manifest["files"]:
        name = entry["name"]
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, File(_member(archive, FILES + name), name=name))
        if saved != name:
            raise BackupError(f"Le fichier « {name} » a été enregistré sous un autre nom (« {saved} »).")
    return len(manifest["files"])


def restore_backup(source: IO[bytes], *, force: bool = False, migrate: bool = True) -> Restored:
    """Put an archive back: checksums first, then the database and the private files, then `migrate` (for an
    archive made by an older version). Raises BackupError, in French, before changing anything when it can."""
    try:
        version = dataversion.current()
    except DatabaseError:  # an empty database: nothing was cached from it
        version = 0
    with tempfile.TemporaryDirectory(prefix="parcours-restore-") as folder:
        work = Path(folder)
        if not source.seekable():
            spooled = work / "archive.tar"
            with spooled.open("wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            source = spooled.open("rb")
        try:
            archive = tarfile.open(fileobj=source, mode="r:")  # noqa: SIM115 — closed by the `with` below
        except tarfile.TarError as error:
            raise BackupError(f"Ce fichier n’est pas une archive lisible ({error}).") from error
        with archive:
            manifest = read_manifest(archive)
            verify(archive, manifest)
            _check_target(manifest, force=force)
            _restore_database(archive, manifest, work)
            counts = row_counts()
            files = _restore_files(archive, manifest)
    differences = {
        table: (expected, counts.get(table))
        for table, expected in manifest["row_counts"].items()
        if counts.get(table) != expected
    }
    if differences:
        raise BackupError(f"Les lignes restaurées ne correspondent pas au manifeste : {differences}")
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    # The restored data version may be one the dashboard's cached figures were read under since the backup.
    with contextlib.suppress(DatabaseError):  # an archive older than the table, not migrated
        dataversion.move_past(version)
    return Restored(manifest=manifest, row_counts=counts, files=files)
