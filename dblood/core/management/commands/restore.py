from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dblood.core import backup


class Command(BaseCommand):
    help = "Replace the database and MEDIA_ROOT with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup directory (contains manifest.json).")
        parser.add_argument("--yes", action="store_true", help="Really replace the current data.")

    def handle(self, *args, path, yes, **options):
        folder = Path(path)
        self.stdout.write(f"[1/3] checking {folder}")
        manifest = backup.read_manifest(folder)
        if not yes:
            raise CommandError("restore replaces every table and the media files; run again with --yes.")
        expected = manifest["database"]["tables"]
        self.stdout.write(f"[2/3] database <- {backup.DUMP} (one transaction with the row-count check: all or nothing)")
        backup.restore_database(folder / backup.DUMP, expected)
        media_root = Path(settings.MEDIA_ROOT)
        self.stdout.write(f"[3/3] media <- {backup.MEDIA} into {media_root}")
        with tqdm(total=manifest["media"]["files"], unit="file", file=self.stderr._out) as bar:
            backup.unpack_media(folder / backup.MEDIA, media_root, bar.update)
        self.stdout.write(self.style.SUCCESS(f"restore done: {len(expected)} tables, {sum(expected.values())} rows"))
