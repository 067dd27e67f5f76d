"""Farmers' photo uploads: only real JPEG/PNG/WebP photos within the size and pixel limits are
stored (as Wagtail images); anything else gets a clear message and stores nothing."""

import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model

from products.models import Product, ProductPhoto
from products.uploads import PhotoBatch, check_photo

from .farmer_fixtures import bomb_png, photo_bytes, product_form_data, upload

pytestmark = pytest.mark.django_db


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_real_photos_pass_with_their_format_and_size(fmt, content_type):
    checked = check_photo(upload(f"photo.{fmt.lower()}", fmt, content_type, size=(640, 480)))
    assert (checked.format, checked.width, checked.height) == (fmt, 640, 480)
    assert checked.upload.tell() == 0


def test_a_text_file_named_like_a_photo_is_refused():
    fake = SimpleUploadedFile("photo.jpg", b"this is not a photo at all" * 10, content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        check_photo(fake)
    assert exc.value.code == "invalid_image"


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF")])
def test_other_image_formats_are_refused_by_name(fmt, name):
    with pytest.raises(ValidationError) as exc:
        check_photo(upload(f"photo.{fmt.lower()}", fmt, "image/jpeg"))
    assert exc.value.code == "unsupported_format"
    assert name in exc.value.messages[0]


def test_a_truncated_jpeg_is_refused():
    data = photo_bytes("JPEG", size=(1200, 900))
    broken = SimpleUploadedFile("cut.jpg", data[: len(data) // 2], content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        check_photo(broken)
    assert exc.value.code == "invalid_image"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        check_photo(SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg"))
    assert exc.value.code == "invalid_image"


def test_a_file_over_the_size_limit_is_refused_before_decoding(settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 2_000
    # Noise does not compress: the file is well over 2 KB.
    big = SimpleUploadedFile("big.png", _noise_png(300, 300), content_type="image/png")
    assert big.size > 2_000
    with pytest.raises(ValidationError) as exc:
        check_photo(big)
    assert exc.value.code == "file_too_large"


def _noise_png(width, height):
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_decompression_bomb_is_refused_from_its_header():
    bomb = bomb_png((8000, 8000))  # 64 million pixels, over the 40 million limit
    assert bomb.size < 100_000
    with pytest.raises(ValidationError) as exc:
        check_photo(bomb)
    assert exc.value.code == "too_many_pixels"


def test_a_bomb_beyond_pillows_own_warning_limit_is_refused_too(settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 10**12  # our limit off: Pillow's own guard answers
    bomb = bomb_png((10_000, 10_000))  # 100 million pixels: Pillow warns, we refuse
    with pytest.raises(ValidationError) as exc:
        check_photo(bomb)
    assert exc.value.code == "too_many_pixels"


def test_photo_batch_removes_files_when_the_transaction_fails(settings):
    checked = check_photo(upload())
    with pytest.raises(RuntimeError), PhotoBatch() as photos, transaction.atomic():
        image = photos.store(checked, title="草莓")
        assert Path(image.file.path).exists()
        raise RuntimeError("later step failed")
    assert not get_image_model().objects.exists()
    assert stored_files(settings) == []


def test_stored_photo_makes_webp_renditions(settings):
    with PhotoBatch() as photos:
        image = photos.store(check_photo(upload(size=(1600, 1200))), title="草莓")
    image.refresh_from_db()
    assert (image.width, image.height) == (1600, 1200)
    assert image.file_size and image.file_hash
    rendition = image.get_rendition("fill-160x160|format-webp")
    assert (rendition.width, rendition.height) == (160, 160)
    assert rendition.file.name.endswith(".webp")


# --- through the dashboard -------------------------------------------------------------------


def post_product(client, **files):
    return client.post(reverse("farmer_product_create"), {**product_form_data(), **files})


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (
            lambda: SimpleUploadedFile("a.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg"),
            "not a photo",
        ),
        (lambda: bomb_png((8000, 8000)), "too large"),
        (lambda: upload("anim.gif", "GIF", "image/gif"), "JPEG, PNG or WebP"),
    ],
)
def test_dashboard_refuses_a_bad_photo_and_stores_nothing(farmer_client, settings, make_file, message):
    response = post_product(farmer_client, photos=make_file())
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Product.objects.exists()
    assert not get_image_model().objects.exists()
    assert stored_files(settings) == []


@pytest.mark.usefixtures("english")
def test_dashboard_refuses_an_oversized_photo_and_keeps_nothing(farmer_client, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 50_000
    response = post_product(
        farmer_client,
        photos=SimpleUploadedFile("huge.png", _noise_png(200, 200), content_type="image/png"),
    )
    assert response.status_code == 422
    assert "photos can be at most" in response.content.decode()
    assert not get_image_model().objects.exists()
    assert stored_files(settings) == []


@pytest.mark.usefixtures("english")
def test_one_bad_photo_among_good_ones_stores_none_of_them(farmer_client, settings):
    response = post_product(
        farmer_client,
        photos=[upload("a.jpg"), SimpleUploadedFile("b.jpg", b"junk", content_type="image/jpeg")],
        gallery_photos=[upload("c.png", "PNG", "image/png")],
    )
    assert response.status_code == 422
    assert "b.jpg" in response.content.decode()
    assert not get_image_model().objects.exists()
    assert stored_files(settings) == []


def test_dashboard_stores_good_photos_as_wagtail_images(farmer_client, farmer):
    response = post_product(
        farmer_client,
        photos=upload("a.jpg", size=(1200, 900)),
        gallery_photos=[upload("b.webp", "WEBP", "image/webp"), upload("c.png", "PNG", "image/png")],
    )
    assert response.status_code == 302
    product = Product.objects.get()
    photos = list(ProductPhoto.objects.filter(product=product).order_by("sort_order"))
    assert [p.sort_order for p in photos] == [0, 1, 2]
    assert [p.image.file.name.rsplit(".", 1)[1] for p in photos] == ["jpg", "webp", "png"]
    assert all(p.image.uploaded_by_user == farmer.user for p in photos)


@pytest.mark.usefixtures("english")
def test_too_many_photos_are_refused_before_any_is_decoded(farmer_client, settings, monkeypatch):
    import products.dashboard.forms as forms_module

    decoded = []
    monkeypatch.setattr(forms_module, "check_photo", lambda upload: decoded.append(upload))
    response = post_product(farmer_client, photos=[upload(f"{n}.jpg", size=(40, 30)) for n in range(9)])
    assert response.status_code == 422
    assert "at most 8 photos" in response.content.decode()
    assert decoded == []
    assert not get_image_model().objects.exists()
