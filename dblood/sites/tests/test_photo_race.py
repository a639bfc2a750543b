"""Concurrent photo uploads for one site, on the suite's real PostgreSQL: the row lock orders them,
each deletes the photo the one before stored, and exactly one file is left: the row's."""

import io
from pathlib import Path
from threading import Barrier, Thread

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from dblood.sites.models import Site
from dblood.sites.services import site_photo_replace
from testing.personas import make_site


def _png(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (shade, shade, shade)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_replacements_leave_one_file_the_rows(settings, tmp_path):
    assert connection.vendor == "postgresql"
    settings.MEDIA_ROOT = tmp_path
    site = make_site("photo-race")
    barrier = Barrier(20)
    errors = []

    def run(shade):
        try:
            upload = SimpleUploadedFile("p.png", _png(shade), content_type="image/png")
            barrier.wait()
            site_photo_replace(site=site, upload=upload)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run, args=(shade,)) for shade in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    name = Site.objects.get(pk=site.pk).photo.name
    assert [p.relative_to(tmp_path).as_posix() for p in Path(tmp_path).rglob("*.jpg")] == [name]
