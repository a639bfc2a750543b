"""PUT/DELETE /api/v1/sites/{id}/photo: who may, what is refused, what is stored and where."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from PIL import Image

from dblood.sites.models import Site

STORED_NAME = re.compile(r"^sites/(\d+)/[0-9a-f]{32}\.jpg$")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(fmt="PNG", size=(40, 30), color=(200, 30, 30), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def upload(client, site, content: bytes, name="photo.png", content_type="image/png"):
    return client.put(
        f"/api/v1/sites/{site.pk}/photo",
        {"photo": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


def stored_files(media_root: Path) -> list[Path]:
    return sorted(p for p in Path(media_root).rglob("*") if p.is_file())


def assert_refused(response, status=400):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == status and "photo" in body["fields"], body


# --- accepted photos -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_staff_of_the_bank_uploads_a_photo_shown_on_the_public_site(api, staff_a, bank_a, media_root, fmt):
    response = upload(api(staff_a), bank_a, image_bytes(fmt), name=f"entrance.{fmt.lower()}")
    assert response.status_code == 200, response.content
    bank_a.refresh_from_db()
    assert STORED_NAME.match(bank_a.photo.name) and bank_a.photo.name.startswith(f"sites/{bank_a.pk}/")
    assert response.json()["photo_url"] == f"/media/{bank_a.photo.name}"
    assert (response.json()["photo_width"], response.json()["photo_height"]) == (40, 30)
    public = api().get(f"/api/v1/sites/{bank_a.pk}").json()
    assert public["photo_url"] == f"/media/{bank_a.photo.name}"
    with Image.open(Path(media_root) / bank_a.photo.name) as stored:
        assert stored.format == "JPEG" and stored.size == (40, 30)


def test_the_decision_is_the_contents_not_the_clients_name_or_type(api, staff_a, bank_a, media_root):
    response = upload(api(staff_a), bank_a, image_bytes("PNG"), name="page.html", content_type="text/html")
    assert response.status_code == 200, response.content
    bank_a.refresh_from_db()
    assert bank_a.photo.name.endswith(".jpg")


def test_a_site_without_a_photo_has_photo_url_null(api, bank_a):
    body = api().get(f"/api/v1/sites/{bank_a.pk}").json()
    assert body["photo_url"] is None and body["photo_width"] is None


def test_transparent_png_and_big_photo_are_flattened_and_scaled_down(api, staff_a, bank_a, media_root):
    response = upload(api(staff_a), bank_a, image_bytes("PNG", size=(3200, 800), color=(0, 0, 0, 0), mode="RGBA"))
    assert response.status_code == 200, response.content
    assert (response.json()["photo_width"], response.json()["photo_height"]) == (1600, 400)


def test_exif_including_gps_is_stripped_and_orientation_applied(api, staff_a, bank_a, media_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to show
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (6.0, 11.0, 0.0), 3: "E", 4: (106.0, 49.0, 0.0)})
    content = image_bytes("JPEG", size=(60, 20), exif=exif)
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif().get_ifd(0x8825), "the test photo must carry GPS"

    response = upload(api(staff_a), bank_a, content, name="IMG_0001.jpg", content_type="image/jpeg")
    assert response.status_code == 200, response.content
    bank_a.refresh_from_db()
    data = (Path(media_root) / bank_a.photo.name).read_bytes()
    assert b"Exif" not in data and b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif() and stored.size == (20, 60)


def test_a_png_with_a_trailing_payload_is_stored_without_it(api, staff_a, bank_a, media_root):
    payload = b"<html><script>alert(document.cookie)</script></html>PK\x03\x04"
    response = upload(api(staff_a), bank_a, image_bytes("PNG") + payload)
    assert response.status_code == 200, response.content
    bank_a.refresh_from_db()
    data = (Path(media_root) / bank_a.photo.name).read_bytes()
    assert b"<script>" not in data and b"PK\x03\x04" not in data and data.startswith(b"\xff\xd8")


# --- refused uploads -----------------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
NOT_IMAGES = {
    "text": (b"just some text, not a photo", "photo.png", "image/png"),
    "pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "photo.jpg", "image/jpeg"),
    "html": (b"<!doctype html><html><script>alert(1)</script></html>", "photo.png", "image/png"),
    "svg": (SVG, "photo.svg", "image/svg+xml"),
    "svg named png": (SVG, "photo.png", "image/png"),
    "png header then garbage": (image_bytes("PNG")[:40] + b"\x00garbage" * 50, "photo.png", "image/png"),
    "truncated jpeg": (image_bytes("JPEG", size=(400, 300))[:600], "photo.jpg", "image/jpeg"),
    "html then png (polyglot)": (b"<html><!--" + image_bytes("PNG") + b"--></html>", "photo.png", "image/png"),
    "gif": (image_bytes("GIF"), "photo.png", "image/png"),
    "tiff": (image_bytes("TIFF"), "photo.jpg", "image/jpeg"),
    "bmp": (image_bytes("BMP"), "photo.png", "image/png"),
}


@pytest.mark.parametrize("kind", NOT_IMAGES)
def test_anything_that_does_not_decode_as_jpeg_png_or_webp_is_a_400(api, staff_a, bank_a, media_root, kind):
    content, name, content_type = NOT_IMAGES[kind]
    assert_refused(upload(api(staff_a), bank_a, content, name=name, content_type=content_type))
    bank_a.refresh_from_db()
    assert not bank_a.photo and stored_files(media_root) == []


def test_more_bytes_than_site_photo_max_bytes_is_a_413_naming_the_field(api, staff_a, bank_a, media_root, settings):
    content = image_bytes("PNG", size=(300, 300), color=(1, 2, 3))
    settings.SITE_PHOTO_MAX_BYTES = len(content) - 1
    assert_refused(upload(api(staff_a), bank_a, content), status=413)
    settings.SITE_PHOTO_MAX_BYTES = len(content)
    assert upload(api(staff_a), bank_a, content).status_code == 200


def test_a_decompression_bomb_is_a_400(api, staff_a, bank_a, media_root, settings):
    # 10,000 x 10,000 pixels of one colour: about 100 kB of PNG, 300 MB once decoded.
    bomb = image_bytes("PNG", size=(10_000, 10_000), color=0, mode="L")
    assert len(bomb) < settings.SITE_PHOTO_MAX_BYTES
    assert_refused(upload(api(staff_a), bank_a, bomb))
    settings.SITE_PHOTO_MAX_PIXELS = 1000
    assert_refused(upload(api(staff_a), bank_a, image_bytes("PNG", size=(40, 30))))
    assert stored_files(media_root) == []


def test_a_json_body_or_a_missing_file_is_a_400_naming_the_field(api, staff_a, bank_a):
    client = api(staff_a)
    assert_refused(client.put(f"/api/v1/sites/{bank_a.pk}/photo", {}, format="json"))
    assert_refused(client.put(f"/api/v1/sites/{bank_a.pk}/photo", {"photo": "not a file"}, format="multipart"))
    empty = SimpleUploadedFile("a.png", b"", content_type="image/png")
    assert_refused(client.put(f"/api/v1/sites/{bank_a.pk}/photo", {"photo": empty}, format="multipart"))


# --- where the file lands ------------------------------------------------------------------------

TRAVERSAL_NAMES = [
    "../../x.png",
    "../../../../etc/passwd",
    "/etc/cron.d/evil.png",
    "..%2f..%2fx.png",
    "..\\..\\x.png",
    "photo.png\x00.html",
    "\u2025\u2215x.png",  # two-dot leader and division slash
    "ＮＵＬ.png",
    "a" * 500 + ".png",
]


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_the_client_filename_never_chooses_the_stored_name(api, staff_a, bank_a, media_root, name):
    content = image_bytes("PNG")
    body = encode_multipart("BoUnDaRy", {"photo": SimpleUploadedFile("placeholder.png", content, "image/png")})
    body = body.replace(b'filename="placeholder.png"', f'filename="{name}"'.encode())
    response = api(staff_a).generic(
        "PUT", f"/api/v1/sites/{bank_a.pk}/photo", body, content_type="multipart/form-data; boundary=BoUnDaRy"
    )
    files = stored_files(media_root)
    site_dir = (Path(media_root) / "sites" / str(bank_a.pk)).resolve()
    assert all(path.resolve().parent == site_dir for path in files), files
    if response.status_code == 200:
        bank_a.refresh_from_db()
        assert STORED_NAME.match(bank_a.photo.name), bank_a.photo.name
        assert [path.name for path in files] == [Path(bank_a.photo.name).name]
    else:  # a name Django's parser drops entirely means no file was sent at all
        assert_refused(response)
        assert files == []


# --- replace and delete --------------------------------------------------------------------------


def test_replacing_deletes_the_old_file_after_commit(
    api, staff_a, bank_a, media_root, django_capture_on_commit_callbacks
):
    client = api(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, bank_a, image_bytes("PNG", color=(1, 1, 1))).status_code == 200
    first = Site.objects.get(pk=bank_a.pk).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, bank_a, image_bytes("JPEG", color=(9, 9, 9))).status_code == 200
    second = Site.objects.get(pk=bank_a.pk).photo.name
    assert first != second
    assert stored_files(media_root) == [Path(media_root) / second]


def test_deleting_removes_the_file_and_the_url(api, staff_a, bank_a, media_root, django_capture_on_commit_callbacks):
    client = api(staff_a)
    assert upload(client, bank_a, image_bytes("PNG")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/v1/sites/{bank_a.pk}/photo")
    assert response.status_code == 204
    assert stored_files(media_root) == []
    assert api().get(f"/api/v1/sites/{bank_a.pk}").json()["photo_url"] is None
    assert client.delete(f"/api/v1/sites/{bank_a.pk}/photo").status_code == 204  # nothing left: still fine


def test_a_failed_upload_leaves_no_file_and_keeps_the_old_photo(
    api, staff_a, bank_a, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    client = api(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, bank_a, image_bytes("PNG")).status_code == 200
    old = Site.objects.get(pk=bank_a.pk).photo.name

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away mid-write")

    monkeypatch.setattr(Site, "save", broken_save)
    client.raise_request_exception = False
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, bank_a, image_bytes("JPEG")).status_code == 500
    monkeypatch.undo()
    assert Site.objects.get(pk=bank_a.pk).photo.name == old
    assert stored_files(media_root) == [Path(media_root) / old]


# --- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "site", "status"),
    [
        ("staff_a", "bank_a", 200),
        ("admin_user", "bank_a", 200),
        ("hospital_user", "hospital", 200),
        ("staff_b", "bank_a", 403),
        ("hospital_user", "bank_a", 403),
        ("staff_a", "hospital", 403),
        ("donor", "bank_a", 403),
        (None, "bank_a", 401),
    ],
)
def test_only_staff_of_the_site_and_admins_may_change_its_photo(api, request, media_root, who, site, status):
    user = request.getfixturevalue(who) if who else None
    target = request.getfixturevalue(site)
    client = api(user)
    assert upload(client, target, image_bytes("PNG")).status_code == status
    assert client.delete(f"/api/v1/sites/{target.pk}/photo").status_code == (204 if status == 200 else status)
    if status != 200:
        assert stored_files(media_root) == []


def test_an_unknown_or_inactive_site_is_a_404(api, admin_user, bank_a):
    Site.objects.filter(pk=bank_a.pk).update(is_active=False)
    assert upload(api(admin_user), bank_a, image_bytes("PNG")).status_code == 404
    assert api(admin_user).delete("/api/v1/sites/999999/photo").status_code == 404


def test_the_site_list_costs_the_same_queries_with_photos(api, staff_a, bank_a, bank_b, django_assert_num_queries):
    with django_assert_num_queries(2):
        before = api().get("/api/v1/sites").json()
    upload(api(staff_a), bank_a, image_bytes("PNG"))
    with django_assert_num_queries(2):
        after = api().get("/api/v1/sites").json()
    assert before["count"] == after["count"]
    assert {row["code"]: bool(row["photo_url"]) for row in after["results"]} == {"bank-a": True, "bank-b": False}


def test_the_admin_shows_the_photo_read_only(api, client, staff_a, admin_user, bank_a):
    upload(api(staff_a), bank_a, image_bytes("PNG"))
    client.force_login(admin_user)
    page = client.get(f"/admin/sites/site/{bank_a.pk}/change/")
    assert page.status_code == 200
    bank_a.refresh_from_db()
    assert bank_a.photo.name in page.content.decode() and 'name="photo"' not in page.content.decode()


def test_pillows_own_bomb_limit_comes_from_the_setting(settings):
    from django.apps import apps

    original = Image.MAX_IMAGE_PIXELS
    settings.SITE_PHOTO_MAX_PIXELS = 1234
    try:
        apps.get_app_config("sites").ready()
        assert Image.MAX_IMAGE_PIXELS == 1234
    finally:
        Image.MAX_IMAGE_PIXELS = original


def test_deleting_a_site_deletes_its_photo_file(api, staff_a, bank_a, media_root, django_capture_on_commit_callbacks):
    assert upload(api(staff_a), bank_a, image_bytes("PNG")).status_code == 200
    assert len(stored_files(media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        Site.objects.get(pk=bank_a.pk).delete()
    assert stored_files(media_root) == []


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's segments before its image data (APPn, COM, DQT, ...)."""
    markers, at = [], 2
    while at < len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return markers


def test_every_metadata_segment_is_stripped_comment_xmp_and_icc_included(api, staff_a, bank_a, media_root):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description author="Uploader Name"/></x:xmpmeta>'
    content = image_bytes("JPEG", size=(60, 20), comment=b"secret uploader comment", xmp=xmp, icc_profile=icc)
    assert {0xFE, 0xE1, 0xE2} <= set(jpeg_segments(content)), "the test photo must carry COM, XMP and ICC"

    response = upload(api(staff_a), bank_a, content, name="IMG_0002.jpg", content_type="image/jpeg")
    assert response.status_code == 200, response.content
    bank_a.refresh_from_db()
    data = (Path(media_root) / bank_a.photo.name).read_bytes()
    metadata = [m for m in jpeg_segments(data) if m == 0xFE or (0xE1 <= m <= 0xEF)]
    assert metadata == []
    assert b"secret uploader comment" not in data and b"Uploader Name" not in data
