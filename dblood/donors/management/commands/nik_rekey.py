"""Re-encrypt every stored NIK under the first key of NIK_ENCRYPTION_KEYS (key rotation).

Put the new key first in NIK_ENCRYPTION_KEYS (the old one after it), restart, run this, then drop
the old key. The keyed hash (NIK_HASH_KEY) is not touched: see README "Rotating the NIK keys".
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from dblood.donors.identity import nik_reencrypt
from dblood.donors.models import Donor

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every donor's NIK under the first key of NIK_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        done = 0
        ids = list(Donor.objects.exclude(nik_ciphertext="").order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                rows = Donor.objects.select_for_update().filter(pk__in=ids[start : start + BATCH])
                for donor in rows:
                    token = nik_reencrypt(donor.nik_ciphertext)
                    Donor.objects.filter(pk=donor.pk).update(nik_ciphertext=token)
                    done += 1
        self.stdout.write(f"{done} NIK(s) re-encrypted under the first key.")
