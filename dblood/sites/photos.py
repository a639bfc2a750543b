"""Site photos: decide by decoding, then store only a copy the server re-encoded.

What a client uploads is never stored or served as sent. The bytes are decoded by Pillow, limited
to JPEG, PNG and WebP (no SVG: it can carry script; no TIFF, JPEG 2000 or the other decoders a
hostile file could aim at); the decoded pixels are written out again as a fresh JPEG. That copy
has no EXIF (a phone's GPS position, camera serial), no trailing payload of a polyglot (a PNG that
is also HTML or a ZIP), and a name the server made (`sites/<site id>/<uuid4 hex>.jpg`), so the
client's filename (`../../x.png`, `/etc/passwd`, NUL bytes, `..%2f`) cannot choose where it lands.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError
from rest_framework import exceptions, serializers, status

FIELD = "photo"
# Decoders Pillow may run on an upload; everything else is "not an image" to us.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Stored copies fit in this box: plenty for a page showing a building, a fraction of a phone's
# 12-50 megapixels.
STORED_MAX_SIDE = 1600
STORED_JPEG_QUALITY = 85


class PhotoTooLarge(exceptions.APIException):
    """413 that names the field, in the api's error shape (`fields` as for a 400)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int):
        message = f"The photo is larger than {limit} bytes."
        super().__init__(message)
        self.extra = {"fields": {FIELD: [message]}}


@dataclass(frozen=True)
class StoredPhoto:
    content: bytes
    width: int
    height: int


def photo_name(*, site_id: int) -> str:
    """A name only the server chooses, inside the site's own folder."""
    return f"sites/{int(site_id)}/{uuid.uuid4().hex}.jpg"


def _invalid(message: str) -> serializers.ValidationError:
    return serializers.ValidationError({FIELD: [message]})


def photo_reencode(upload) -> StoredPhoto:
    """Decode `upload` (a Django UploadedFile) and return a clean JPEG copy of its pixels.

    Raises PhotoTooLarge (413) for too many bytes and ValidationError (400, field `photo`) for
    anything that does not decode completely as a JPEG, PNG or WebP image, or has too many pixels.
    """
    if upload.size > settings.SITE_PHOTO_MAX_BYTES:
        raise PhotoTooLarge(settings.SITE_PHOTO_MAX_BYTES)
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Between 1x and 2x MAX_IMAGE_PIXELS Pillow only warns; the explicit check below decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload, formats=ACCEPTED_FORMATS) as image:
                width, height = image.size
                if width * height > settings.SITE_PHOTO_MAX_PIXELS:
                    raise _invalid(f"The image has more than {settings.SITE_PHOTO_MAX_PIXELS} pixels.")
                if image.format == "JPEG":
                    # Decode at 1/2, 1/4 or 1/8 scale when the stored copy is that much smaller:
                    # a 12 MP phone photo then never exists in memory at full size.
                    image.draft("RGB", (STORED_MAX_SIDE, STORED_MAX_SIDE))
                image.load()  # decodes every byte of pixel data: a truncated or garbled body fails here
                return _clean_copy(image)
    except Image.DecompressionBombError as exc:
        raise _invalid(f"The image has more than {settings.SITE_PHOTO_MAX_PIXELS} pixels.") from exc
    except UnidentifiedImageError as exc:
        raise _invalid("Upload a JPEG, PNG or WebP photo.") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
        # Pillow's decoders report broken data with any of these.
        raise _invalid("The photo could not be read; the file is damaged or not an image.") from exc


def _clean_copy(image: Image.Image) -> StoredPhoto:
    # Shrink first (in place), so that every copy below is of the stored size, not the upload's.
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    # Turn the pixels the way the camera's EXIF orientation says, before EXIF is dropped.
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    # A new image from the pixels alone: Pillow's JPEG writer would otherwise carry the upload's
    # comment, XMP or ICC profile over from `image.info`.
    pixels = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    pixels.save(out, format="JPEG", quality=STORED_JPEG_QUALITY, optimize=True)
    return StoredPhoto(content=out.getvalue(), width=image.width, height=image.height)
