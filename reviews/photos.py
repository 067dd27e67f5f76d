"""Guests' photos on a review: checked with the shop's own upload checks (``products.uploads``:
header, pixels per photo, per request and per hour, then a full decode), stripped of their
metadata, stored as Wagtail images in the "Review photos" collection.

The shop keeps a farmer's original as sent; its pages only show WebP renditions, which carry no
EXIF. A guest's phone photo often carries where it was taken (GPS) and the phone's serial, and the
original sits under /media: so the original itself is written again without any metadata (turned
upright first, as the EXIF orientation said). Wagtail's image choosers never offer this
collection (``wagtail_hooks``), so a photo is not material for pages and an unpublished review's
photo is listed nowhere outside its moderation page.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from wagtail.models import Collection

from products.uploads import CheckedPhoto

COLLECTION_NAME = "Review photos"
DEFAULT_MAX_PHOTOS = 4
# What the review's thumbnails and the enlarged photo are made with (templates ask for these).
THUMBNAIL = "fill-160x160|format-webp"
LARGE = "max-1200x1200|format-webp"


def max_photos():
    return getattr(settings, "REVIEWS_MAX_PHOTOS", None) or DEFAULT_MAX_PHOTOS


TOO_MANY = _("A review can have at most %(n)d photos.")


def review_collection():
    """The collection review photos are kept in (made on first use, under the root)."""
    found = Collection.objects.filter(name=COLLECTION_NAME).first()
    if found is None:
        found = Collection.get_first_root_node().add_child(name=COLLECTION_NAME)
    return found


def without_metadata(checked: CheckedPhoto) -> CheckedPhoto:
    """The photo written again in its own format with no EXIF, XMP or text chunks, turned upright.
    Call it after the photo was fully decoded (``products.uploads.decode_photo``)."""
    upload = checked.upload
    upload.seek(0)
    with Image.open(upload) as original:
        image = ImageOps.exif_transpose(original)
        out = io.BytesIO()
        options = {"quality": 90} if checked.format in ("JPEG", "WEBP") else {}
        if checked.format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        # No exif=, no pnginfo=: Pillow writes none of the original's metadata.
        image.save(out, checked.format, **options)
        width, height = image.size
    clean = SimpleUploadedFile(checked.name or f"photo.{checked.extension}", out.getvalue())
    return CheckedPhoto(upload=clean, format=checked.format, width=width, height=height)
