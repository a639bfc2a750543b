"""`manage.py backup` then `manage.py restore` gives back every row and every file, bit for bit.

On PostgreSQL, with the demo data of every app loaded, through the real commands (production
settings, subprocesses). Compared: each table's row count and an md5 of its rows in primary-key
order, and the sha256 of every media file.
"""

import hashlib
import json
import os
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest

from testing.servers import create_database, manage, production_env


def table_checksums(url: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        tables = [
            row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ]
        sums = {}
        for table in tables:
            count, digest = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            sums[table] = (count, digest)
    return sums


def media_checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def source(postgresql_server, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("backup-source")
    url = create_database(postgresql_server, "backup_source")
    env = production_env(url, MEDIA_ROOT=str(tmp_path / "media"))
    # Test settings (fast password hashing) only to build the data; backup/restore run on production's.
    fast = {**env, "DJANGO_SETTINGS_MODULE": "dblood.settings.test"}
    manage(fast, "migrate", "--noinput")
    manage(fast, "demo", timeout=600)
    media = tmp_path / "media"
    (media / "donors" / "photos").mkdir(parents=True)
    (media / "donors" / "photos" / "ayu.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(50_000))
    (media / "reports").mkdir()
    (media / "reports" / "stock 2026-11.csv").write_text("site,group,units\nUDD A,O+,12\n")
    (media / "empty.txt").write_bytes(b"")
    return url, env, media


def test_restore_refuses_a_damaged_backup_and_needs_yes(source, tmp_path):
    url, env, _ = source
    manage(env, "backup", "--output", str(tmp_path / "b"))
    (folder,) = (tmp_path / "b").iterdir()
    before = table_checksums(url)
    with pytest.raises(subprocess.CalledProcessError) as refused:
        manage(env, "restore", str(folder))
    assert "--yes" in refused.value.stderr
    dump = folder / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-100] + b"\0" * 100)
    with pytest.raises(subprocess.CalledProcessError) as damaged:
        manage(env, "restore", str(folder), "--yes")
    assert "checksum" in damaged.value.stderr
    assert table_checksums(url) == before
    shutil.rmtree(tmp_path / "b")


def test_backup_and_restore_round_trip(source, postgresql_server, tmp_path):
    url, env, media = source
    before_db, before_media = table_checksums(url), media_checksums(media)
    assert sum(count for count, _ in before_db.values()) > 100, "demo data missing: nothing to prove"

    backups = tmp_path / "backups"
    result = manage(env, "backup", "--output", str(backups))
    assert "[1/3] database" in result.stdout and "backup done" in result.stdout
    (folder,) = backups.iterdir()
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}

    # 1. Onto a fresh server database and an empty media folder (a new host).
    fresh_url = create_database(postgresql_server, "backup_fresh")
    fresh_media = tmp_path / "fresh-media"
    fresh_env = production_env(fresh_url, MEDIA_ROOT=str(fresh_media))
    result = manage(fresh_env, "restore", str(folder), "--yes")
    assert "restore done" in result.stdout
    assert table_checksums(fresh_url) == before_db
    assert media_checksums(fresh_media) == before_media

    # 2. Back over the original after damage: rows deleted and added, a file changed.
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DELETE FROM audit_auditevent")
        conn.execute("UPDATE accounts_user SET full_name = 'tampered'")
    (media / "reports" / "stock 2026-11.csv").write_text("tampered")
    assert table_checksums(url) != before_db
    manage(env, "restore", str(folder), "--yes")
    assert table_checksums(url) == before_db
    assert media_checksums(media) == before_media


def test_a_backup_taken_under_writes_restores_and_agrees_with_itself(source, postgresql_server, tmp_path):
    """The row counts come from the dump's own snapshot: rows committed while pg_dump runs are in
    neither, so the restore's check passes."""
    url, env, _ = source
    plain = url.replace("postgres://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("CREATE TABLE write_probe (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())")
    stop, written = threading.Event(), []

    def writer():
        with psycopg.connect(plain, autocommit=True) as conn:
            while not stop.is_set():
                conn.execute("INSERT INTO write_probe DEFAULT VALUES")
                conn.execute(
                    "UPDATE accounts_user SET full_name = full_name WHERE id = (SELECT min(id) FROM accounts_user)"
                )
                written.append(1)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.3)
        manage(env, "backup", "--output", str(tmp_path / "b"))
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join()
        with psycopg.connect(plain, autocommit=True) as conn:
            final = conn.execute("SELECT count(*) FROM write_probe").fetchone()[0]
            conn.execute("DROP TABLE write_probe")
    (folder,) = (tmp_path / "b").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    in_backup = manifest["database"]["tables"]["write_probe"]
    assert 0 < in_backup < final, (in_backup, final)  # rows were written before, during and after
    fresh_url = create_database(postgresql_server, "backup_under_writes")
    result = manage(production_env(fresh_url, MEDIA_ROOT=str(tmp_path / "m")), "restore", str(folder), "--yes")
    assert "restore done" in result.stdout
    with psycopg.connect(fresh_url.replace("postgres://", "postgresql://")) as conn:
        assert conn.execute("SELECT count(*) FROM write_probe").fetchone()[0] == in_backup


def test_a_restore_that_fails_its_check_leaves_the_previous_data(source, tmp_path):
    url, env, media = source
    manage(env, "backup", "--output", str(tmp_path / "b"))
    (folder,) = (tmp_path / "b").iterdir()
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["database"]["tables"]["accounts_user"] += 1  # the dump no longer matches its manifest
    manifest_path.write_text(json.dumps(manifest))
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("UPDATE accounts_user SET full_name = 'changed after the backup'")
    before, before_media = table_checksums(url), media_checksums(media)
    with pytest.raises(subprocess.CalledProcessError) as failed:
        manage(env, "restore", str(folder), "--yes")
    assert "row count of accounts_user" in failed.value.stderr and "unchanged" in failed.value.stderr
    assert table_checksums(url) == before  # not replaced, not half-replaced
    assert media_checksums(media) == before_media


def test_backup_files_are_the_owners_alone(source, tmp_path):
    _, env, _ = source
    manage(env, "backup", "--output", str(tmp_path / "b"))
    (folder,) = (tmp_path / "b").iterdir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {
        "database.dump": 0o600,
        "media.tar.gz": 0o600,
        "manifest.json": 0o600,
    }
