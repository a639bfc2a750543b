"""Backups: a PostgreSQL dump (pg_dump custom format) plus a tar of MEDIA_ROOT, with a manifest.

A backup is a directory:
    database.dump    pg_dump -Fc of the whole database
    media.tar.gz     MEDIA_ROOT (uploaded files)
    manifest.json    sha256 of both files, row count of every table, when and what made it

The row counts are read in the very snapshot pg_dump dumps (an exported snapshot of a REPEATABLE
READ transaction), so a backup taken while the api writes agrees with itself. `restore` checks the
checksums before touching anything, then replaces the database in one psql transaction that ends
with the row-count check: if any table's count differs from the manifest, the transaction rolls
back and the previous data stays. Only then are the media unpacked (refusing absolute paths and
`..`). Every file of a backup is created readable by its owner only (0600, directory 0700).
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar.gz"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _database() -> dict:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("backup and restore work on PostgreSQL only (DATABASE_URL=postgres://...).")
    return db


def _pg(tool: str) -> str:
    """pg_dump / pg_restore from PG_BIN_DIR, or the PATH."""
    folder = settings.PG_BIN_DIR
    path = os.path.join(folder, tool) if folder else shutil.which(tool)
    if not path or not os.path.exists(path):
        raise CommandError(f"{tool} not found: install the PostgreSQL client (postgresql-client) or set PG_BIN_DIR.")
    return path


def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = ["--dbname", db["NAME"], "--no-password"]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def table_counts() -> dict[str, int]:
    """Rows in every table of the database (not only Django's models), as the current transaction sees them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names come from pg_tables
            counts[table] = cursor.fetchone()[0]
    return counts


def dump_database(target: Path) -> dict[str, int]:
    """pg_dump the database into `target`; returns the row count of every table in the dumped snapshot."""
    db = _database()
    args, env = _pg_args(db)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        # pg_dump reads the snapshot of this transaction, which stays open until both are done.
        command = [_pg("pg_dump"), "--format", "custom", "--no-owner", "--snapshot", snapshot, "--file", str(target)]
        result = subprocess.run([*command, *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        return table_counts()


def _count_check(expected: dict[str, int]) -> str:
    """SQL that raises (rolling the restore back) unless every table has its manifest's row count."""
    lines = ["DO $check$", "DECLARE n bigint;", "BEGIN"]
    for table, count in sorted(expected.items()):
        name = '"public"."' + table.replace('"', '""') + '"'
        lines += [
            f"  SELECT count(*) INTO n FROM {name};",  # noqa: S608 - names are quoted identifiers
            f"  IF n <> {int(count)} THEN RAISE EXCEPTION 'row count of %: % rows, the backup has {int(count)}', "
            f"{_literal(table)}, n; END IF;",
        ]
    lines += ["END", "$check$;"]
    return "\n".join(lines) + "\n"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def restore_database(source: Path, expected: dict[str, int]) -> None:
    """Replace the database with the dump, in one transaction that also checks the row counts:
    on any error or any differing count nothing is changed."""
    db = _database()
    args, env = _pg_args(db)
    script = source.with_name(source.name + ".restore.sql")
    try:
        # The dump as SQL (no database needed for this), then the count check inside the same transaction.
        command = [_pg("pg_restore"), "--clean", "--if-exists", "--no-owner", "--file", str(script), str(source)]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed (the database is unchanged): {result.stderr.strip()}")
        with open(script, "a") as handle:
            handle.write(_count_check(expected))
        connection.close()  # our own session must not hold locks on the tables being replaced
        psql = [_pg("psql"), "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction", "--file", str(script)]
        result = subprocess.run([*psql, *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(f"restore failed, the database is unchanged: {result.stderr.strip()}")
    finally:
        script.unlink(missing_ok=True)


def media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def pack_media(root: Path, target: Path, progress) -> int:
    files = media_files(root)
    with tarfile.open(target, "w:gz") as tar:
        for path in files:
            tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
            progress(1)
    return len(files)


def unpack_media(source: Path, root: Path, progress) -> int:
    root.mkdir(parents=True, exist_ok=True)
    count = 0
    with tarfile.open(source, "r:gz") as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
                raise CommandError(f"refusing unsafe media entry {member.name!r}")
        for member in tar.getmembers():
            tar.extract(member, root, filter="data")
            count += member.isfile()
            progress(1)
    return count


def write_manifest(folder: Path, *, tables: dict[str, int], media_count: int) -> dict:
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "format": 1,
        "database": {"file": DUMP, "sha256": sha256(folder / DUMP), "tables": tables},
        "media": {"file": MEDIA, "sha256": sha256(folder / MEDIA), "files": media_count},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        raise CommandError(f"{folder} is not a dblood backup (no {MANIFEST}).")
    manifest = json.loads(path.read_text())
    for part in ("database", "media"):
        entry = manifest[part]
        if sha256(folder / entry["file"]) != entry["sha256"]:
            raise CommandError(f"{entry['file']} does not match its checksum: the backup is damaged.")
    return manifest
