"""Farmers' photo uploads: checked with Pillow before anything is stored, kept as Wagtail images.

A photo is accepted only if Pillow can really decode it, it is a JPEG, PNG or WebP, the file is
within ``WAGTAILIMAGES_MAX_UPLOAD_SIZE`` and its pixel count within
``WAGTAILIMAGES_MAX_IMAGE_PIXELS``. The pixel count is read from the header before the image is
decoded, so a decompression bomb (a few kilobytes on disk, gigapixels in memory) is refused
without ever being expanded. Resizing is left to Wagtail renditions.
"""

import contextlib
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from wagtail.images import get_image_model

# Pillow format name → file extension of the stored original.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000


def max_upload_bytes():
    return getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", None) or DEFAULT_MAX_BYTES


def max_pixels():
    return getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", None) or DEFAULT_MAX_PIXELS


@dataclass(frozen=True)
class CheckedPhoto:
    """An upload that passed every check, with what Pillow found in it."""

    upload: object  # the UploadedFile
    format: str
    width: int
    height: int

    @property
    def extension(self):
        return ALLOWED_FORMATS[self.format]


def _not_an_image():
    return ValidationError(
        _("This file is not a photo we can read. Please choose a JPEG, PNG or WebP photo."),
        code="invalid_image",
    )


def _too_many_pixels():
    return ValidationError(
        _("This photo is too large (more than %(n)s million pixels). Please choose a smaller one.")
        % {"n": max_pixels() // 1_000_000},
        code="too_many_pixels",
    )


def check_photo(upload) -> CheckedPhoto:
    """Raise ``ValidationError`` unless ``upload`` is a real, reasonably sized photo.

    Nothing is written anywhere; the file is read (header, then a full decode) and rewound.
    """
    size = getattr(upload, "size", None)
    if size is None or size == 0:
        raise _not_an_image()
    if size > max_upload_bytes():
        raise ValidationError(
            _("This file is %(size)s; photos can be at most %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_upload_bytes())},
            code="file_too_large",
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns (rather than fails) between MAX_IMAGE_PIXELS and twice that: fail.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            # open() reads the header only: format and size are known, no pixel is decoded.
            with Image.open(upload) as image:
                image_format = image.format
                width, height = image.size
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(
                        _("Please choose a JPEG, PNG or WebP photo (this file is %(format)s).")
                        % {"format": image_format or _("of an unknown kind")},
                        code="unsupported_format",
                    )
                if width <= 0 or height <= 0:
                    raise _not_an_image()
                if width * height > max_pixels():
                    raise _too_many_pixels()
                image.verify()
            # verify() leaves the image unusable: reopen and decode every pixel for real.
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise _not_an_image() from None
    finally:
        upload.seek(0)
    return CheckedPhoto(upload=upload, format=image_format, width=width, height=height)


class PhotoBatch:
    """Stores checked photos as Wagtail images; if the block fails, deletes the files written.

    Database rows vanish with a rollback, files on disk do not. Put the transaction inside::

        with PhotoBatch(user) as photos, transaction.atomic():
            image = photos.store(checked, title=product.name)
    """

    def __init__(self, user=None):
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.written = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            for image in self.written:
                delete_image_file(image)
        return False

    def store(self, checked: CheckedPhoto, *, title):
        Image_ = get_image_model()
        name = f"product-{uuid.uuid4().hex[:12]}.{checked.extension}"
        checked.upload.seek(0)
        image = Image_(
            title=str(title)[:255] or name,
            file=ImageFile(checked.upload, name=name),
            uploaded_by_user=self.user,
        )
        self.written.append(image)
        image._set_image_file_metadata()
        image.save()
        return image


def delete_image_file(image):
    """Remove an image's original from storage (renditions are made later, on demand)."""
    name = getattr(image.file, "name", None)
    if name:
        with contextlib.suppress(OSError):
            image.file.storage.delete(name)
