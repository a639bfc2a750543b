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
        self.stdout.write(f"[1/4] checking {folder}")
        manifest = backup.read_manifest(folder)
        if not yes:
            raise CommandError("restore replaces every table and the media files; run again with --yes.")
        self.stdout.write(f"[2/4] database <- {backup.DUMP} (one transaction: all or nothing)")
        backup.restore_database(folder / backup.DUMP)
        media_root = Path(settings.MEDIA_ROOT)
        self.stdout.write(f"[3/4] media <- {backup.MEDIA} into {media_root}")
        with tqdm(total=manifest["media"]["files"], unit="file", file=self.stderr._out) as bar:
            backup.unpack_media(folder / backup.MEDIA, media_root, bar.update)
        self.stdout.write("[4/4] comparing row counts with the manifest")
        expected, actual = manifest["database"]["tables"], backup.table_counts()
        wrong = {t: (n, actual.get(t)) for t, n in expected.items() if actual.get(t) != n}
        if wrong:
            raise CommandError(f"restored row counts differ from the backup: {wrong}")
        self.stdout.write(self.style.SUCCESS(f"restore done: {len(expected)} tables, {sum(expected.values())} rows"))
