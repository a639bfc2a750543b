import os
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from dblood.core import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the uploaded files (MEDIA_ROOT) into a new directory."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=settings.BACKUP_DIR, help="Parent directory (default BACKUP_DIR).")

    def handle(self, *args, output, **options):
        # Health data: the backup is the owner's alone (directory 0700, files 0600).
        previous = os.umask(0o077)
        try:
            self._backup(Path(output) / datetime.now(UTC).strftime("dblood-%Y%m%dT%H%M%SZ"))
        finally:
            os.umask(previous)

    def _backup(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=False)
        self.stdout.write(f"[1/3] database -> {folder / backup.DUMP}")
        tables = backup.dump_database(folder / backup.DUMP)
        media_root = Path(settings.MEDIA_ROOT)
        total = len(backup.media_files(media_root))
        self.stdout.write(f"[2/3] media ({total} files from {media_root}) -> {folder / backup.MEDIA}")
        with tqdm(total=total, unit="file", file=self.stderr._out, disable=total == 0) as bar:
            count = backup.pack_media(media_root, folder / backup.MEDIA, bar.update)
        self.stdout.write("[3/3] manifest (checksums, row counts)")
        manifest = backup.write_manifest(folder, tables=tables, media_count=count)
        tables = manifest["database"]["tables"]
        summary = f"{len(tables)} tables, {sum(tables.values())} rows, {count} files"
        self.stdout.write(self.style.SUCCESS(f"backup done: {folder} ({summary})"))
        self.stdout.write(str(folder))
