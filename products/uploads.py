"""Farmers' photo uploads: checked with Pillow before anything is stored, kept as Wagtail images.

What a photo may cost is bounded before any pixel is decoded, from the headers alone:

- each photo: a JPEG, PNG or WebP within ``WAGTAILIMAGES_MAX_UPLOAD_SIZE`` bytes and
  ``WAGTAILIMAGES_MAX_IMAGE_PIXELS`` pixels (``read_photo``), so a decompression bomb (a few
  kilobytes on disk, gigapixels in memory) is refused without ever being expanded;
- one request: all its photos together within ``PRODUCTS_UPLOAD_MAX_PIXELS_PER_REQUEST``;
- one user: the photos they sent in the last hour within ``PRODUCTS_UPLOAD_MAX_PIXELS_PER_HOUR``,
  counted in the database (``PhotoUpload``) so every web process and host sees the same figure.

Only then is each photo decoded for real (``decode_photo``): a file that is cut short or broken is
refused here rather than when a rendition is made. Renditions are made by a background task
(``products.tasks``) once the photos are stored.
"""

import contextlib
import datetime
import math
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError
from wagtail.images import get_image_model

from .models import PhotoUpload
from .tasks import queue_renditions

# Pillow format name → file extension of the stored original.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_PIXELS_PER_REQUEST = 120_000_000
DEFAULT_MAX_PIXELS_PER_HOUR = 400_000_000
UPLOAD_WINDOW = datetime.timedelta(hours=1)
HOURLY_LIMIT_CODE = "upload_hourly_limit"


def max_upload_bytes():
    return getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", None) or DEFAULT_MAX_BYTES


def max_pixels():
    return getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", None) or DEFAULT_MAX_PIXELS


def max_pixels_per_request():
    return getattr(settings, "PRODUCTS_UPLOAD_MAX_PIXELS_PER_REQUEST", None) or DEFAULT_MAX_PIXELS_PER_REQUEST


def max_pixels_per_hour():
    return getattr(settings, "PRODUCTS_UPLOAD_MAX_PIXELS_PER_HOUR", None) or DEFAULT_MAX_PIXELS_PER_HOUR


def megapixels(pixels):
    """Whole millions, rounded up, so "more than the limit" never reads as equal to it."""
    return math.ceil(pixels / 1_000_000)


@dataclass(frozen=True)
class CheckedPhoto:
    """An upload whose header passed every check, with what Pillow found in it."""

    upload: object  # the UploadedFile
    format: str
    width: int
    height: int

    @property
    def extension(self):
        return ALLOWED_FORMATS[self.format]

    @property
    def pixels(self):
        return self.width * self.height

    @property
    def name(self):
        return getattr(self.upload, "name", "") or ""


def _not_an_image():
    return ValidationError(
        _("This file is not a photo we can read. Please choose a JPEG, PNG or WebP photo."),
        code="invalid_image",
    )


def _too_many_pixels():
    return ValidationError(
        _("This photo is too large (more than %(n)s million pixels). Please choose a smaller one.")
        % {"n": megapixels(max_pixels())},
        code="too_many_pixels",
    )


@contextlib.contextmanager
def _pillow_errors():
    """Pillow's failures as our messages; its bomb warning (between its limit and twice that) fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise _not_an_image() from None


def read_photo(upload) -> CheckedPhoto:
    """Check one upload from its size and header alone; raise ``ValidationError`` if it is not an
    allowed photo within the per-photo limits. No pixel is decoded; the file is rewound."""
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
        upload.seek(0)
        # open() reads the header only: format and size are known, no pixel is decoded.
        with _pillow_errors(), Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
    finally:
        upload.seek(0)
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
    return CheckedPhoto(upload=upload, format=image_format, width=width, height=height)


def decode_photo(checked: CheckedPhoto) -> CheckedPhoto:
    """Decode every pixel of a photo whose header passed: a file cut short or broken is refused.

    This is the expensive step (the whole bitmap in memory): call it only for photos within the
    request's limit and counted against the uploader's hour (``check_request_pixels``,
    ``charge_upload``)."""
    upload = checked.upload
    try:
        with _pillow_errors():
            upload.seek(0)
            with Image.open(upload) as image:
                image.verify()
            # verify() leaves the image unusable: reopen and decode every pixel for real.
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
    finally:
        upload.seek(0)
    return checked


def check_photo(upload) -> CheckedPhoto:
    """One photo on its own: header checks, then a full decode. Nothing is written anywhere."""
    return decode_photo(read_photo(upload))


def check_request_pixels(photos):
    """Refuse photos that together exceed what one request may send."""
    total = sum(photo.pixels for photo in photos)
    if total > max_pixels_per_request():
        raise ValidationError(
            _(
                "These photos are too large together (%(n)s million pixels; at most %(max)s million "
                "at a time). Please send fewer photos, or smaller ones, at a time."
            )
            % {"n": megapixels(total), "max": megapixels(max_pixels_per_request())},
            code="upload_request_limit",
        )


def charge_upload(user, photos, *, now=None):
    """Count ``photos`` against the user's hourly pixel budget, or refuse them if it is spent.

    The user's row is locked while their last hour is summed and the new row written, so two
    uploads at once cannot both fit in the same remaining budget. Commits on return.
    """
    if not photos or not getattr(user, "is_authenticated", False):
        return
    pixels = sum(photo.pixels for photo in photos)
    now = now or timezone.now()
    since = now - UPLOAD_WINDOW
    limit = max_pixels_per_hour()
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        PhotoUpload.objects.filter(user=user, created_at__lt=since).delete()
        recent = PhotoUpload.objects.filter(user=user, created_at__gte=since)
        used = recent.aggregate(total=Sum("pixels"))["total"] or 0
        if used + pixels > limit:
            raise _hourly_limit_reached(recent, used, pixels, limit, now)
        PhotoUpload.objects.create(user=user, pixels=pixels, photos=len(photos), created_at=now)


def _hourly_limit_reached(recent, used, pixels, limit, now):
    """The refusal, saying when enough of the last hour's uploads age out for these photos."""
    wait = UPLOAD_WINDOW
    if pixels <= limit:
        freed = 0
        for created_at, old_pixels in recent.order_by("created_at", "pk").values_list("created_at", "pixels"):
            freed += old_pixels
            if used - freed + pixels <= limit:
                wait = created_at + UPLOAD_WINDOW - now
                break
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return ValidationError(
        _(
            "You have sent many photos in the last hour (%(used)s million pixels; at most %(max)s "
            "million an hour). Please try again in %(wait)s."
        )
        % {
            "used": round(used / 1_000_000),
            "max": megapixels(limit),
            "wait": ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes},
        },
        code=HOURLY_LIMIT_CODE,
    )


class PhotoBatch:
    """Stores checked photos as Wagtail images; if the block fails, deletes the files written.

    Database rows vanish with a rollback, files on disk do not. Put the transaction inside::

        with PhotoBatch(user) as photos, transaction.atomic():
            image = photos.store(checked, title=product.name, renditions="product")

    ``renditions`` names the kind of photo (``products.tasks.RENDITIONS``) whose renditions a
    background task makes once the transaction commits; None leaves them to the pages.
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

    def store(self, checked: CheckedPhoto, *, title, renditions=None, prefix="product", collection=None):
        """``prefix`` starts the stored file's name; ``collection``: Wagtail's root when None."""
        Image_ = get_image_model()
        name = f"{prefix}-{uuid.uuid4().hex[:12]}.{checked.extension}"
        checked.upload.seek(0)
        image = Image_(
            title=str(title)[:255] or name,
            file=ImageFile(checked.upload, name=name),
            uploaded_by_user=self.user,
        )
        if collection is not None:
            image.collection = collection
        self.written.append(image)
        image._set_image_file_metadata()
        image.save()
        if renditions is not None:
            transaction.on_commit(lambda: queue_renditions(image.pk, renditions))
        return image


def delete_image_file(image):
    """Remove an image's original from storage (its renditions are made after the commit)."""
    name = getattr(image.file, "name", None)
    if name:
        # Whatever the storage raises (OSError on a disk, botocore's errors on a bucket): this
        # tidies up after a failure and must not hide the error that caused it.
        with contextlib.suppress(Exception):
            image.file.storage.delete(name)
