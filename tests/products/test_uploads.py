"""Farmers' photo uploads: only real JPEG/PNG/WebP photos within the size and pixel limits are
stored (as Wagtail images); anything else gets a clear message and stores nothing."""

import datetime
import functools
import io
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model

from products.models import PhotoUpload, Product, ProductPhoto
from products.tasks import RENDITIONS, make_photo_renditions
from products.uploads import PhotoBatch, check_photo, decode_photo, read_photo

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


def test_a_storage_that_fails_to_tidy_up_does_not_hide_the_failure(monkeypatch):
    """A bucket that cannot be reached raises botocore's errors, not OSError: the visitor still
    gets the error that made the batch fail, not the clean-up's."""
    from botocore.exceptions import EndpointConnectionError

    def unreachable(self, name):
        raise EndpointConnectionError(endpoint_url="https://oss-cn-hangzhou.aliyuncs.com")

    monkeypatch.setattr(FileSystemStorage, "delete", unreachable)
    checked = check_photo(upload())
    with pytest.raises(RuntimeError, match="later step failed"), PhotoBatch() as photos, transaction.atomic():
        photos.store(checked, title="草莓")
        raise RuntimeError("later step failed")


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
def test_too_many_photos_are_refused_before_any_is_read(farmer_client, settings, monkeypatch):
    import products.dashboard.forms as forms_module

    read = []
    monkeypatch.setattr(forms_module, "read_photo", lambda upload: read.append(upload))
    response = post_product(farmer_client, photos=[upload(f"{n}.jpg", size=(40, 30)) for n in range(9)])
    assert response.status_code == 422
    assert "at most 8 photos" in response.content.decode()
    assert read == []
    assert not get_image_model().objects.exists()


# --- pixel limits: per photo, per request, per uploader and hour ----------------------------------


@functools.cache
def big_png_bytes(width=6300, height=6300):
    """A real RGB PNG of one colour, made by Pillow: ~130 KB on disk, 119 MB once decoded."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (60, 160, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def big_png(name, width=6300, height=6300):
    return SimpleUploadedFile(name, big_png_bytes(width, height), content_type="image/png")


def nothing_saved(settings):
    return (
        not Product.objects.exists()
        and not get_image_model().objects.exists()
        and not PhotoUpload.objects.exists()
        and stored_files(settings) == []
    )


@pytest.fixture
def decoded(monkeypatch):
    """The photos the dashboard's forms decode (each still decoded for real)."""
    import products.dashboard.forms as forms_module

    names = []

    def spy(photo):
        names.append(photo.name)
        return decode_photo(photo)

    monkeypatch.setattr(forms_module, "decode_photo", spy)
    return names


def test_pillow_refuses_what_is_far_over_the_upload_limit_in_every_process(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == 40_000_000


def test_the_per_photo_limit_is_read_from_the_header():
    assert read_photo(bomb_png((6300, 6300))).pixels == 39_690_000  # under 40 million: fine alone
    with pytest.raises(ValidationError) as exc:
        read_photo(bomb_png((6325, 6325)))  # 40,005,625
    assert exc.value.code == "too_many_pixels"


@pytest.mark.usefixtures("english")
def test_a_photo_over_the_per_photo_limit_is_refused_and_nothing_is_saved(farmer_client, settings, decoded):
    response = post_product(farmer_client, photos=[upload("small.jpg"), big_png("huge.png", 6400, 6400)])
    assert response.status_code == 422
    assert "huge.png: This photo is too large (more than 40 million pixels)" in response.content.decode()
    assert decoded == []
    assert nothing_saved(settings)


@pytest.mark.usefixtures("english")
def test_the_issues_eight_6300_pixel_pngs_are_refused_together_before_any_is_decoded(
    farmer_client, settings, decoded
):
    files = [big_png(f"{n}.png") for n in range(8)]
    assert sum(f.size for f in files) < 2_000_000  # the issue's "1 MB upload"
    response = post_product(farmer_client, photos=files[:5], gallery_photos=files[5:])
    assert response.status_code == 422
    body = response.content.decode()
    assert "These photos are too large together (318 million pixels; at most 120 million" in body
    assert decoded == []
    assert nothing_saved(settings)


@pytest.mark.usefixtures("english")
def test_a_request_over_its_total_is_refused_though_each_photo_is_under(farmer_client, settings, decoded):
    settings.PRODUCTS_UPLOAD_MAX_PIXELS_PER_REQUEST = 1_000_000
    # 480,000 pixels each: one fits, three (two of them from the gallery field) do not.
    response = post_product(
        farmer_client,
        photos=upload("a.jpg", size=(800, 600)),
        gallery_photos=[
            upload("b.jpg", size=(800, 600)),
            upload("c.png", "PNG", "image/png", size=(800, 600)),
        ],
    )
    assert response.status_code == 422
    assert "too large together (2 million pixels; at most 1 million at a time)" in response.content.decode()
    assert decoded == []
    assert nothing_saved(settings)

    response = post_product(farmer_client, photos=upload("a.jpg", size=(800, 600)))
    assert response.status_code == 302
    assert decoded == ["a.jpg"]


@pytest.mark.usefixtures("english")
def test_the_hourly_limit_refuses_the_next_request_and_allows_it_an_hour_later(
    farmer_client, farmer, settings, decoded
):
    settings.PRODUCTS_UPLOAD_MAX_PIXELS_PER_HOUR = 2_000_000
    three = [upload(f"{n}.jpg", size=(800, 600)) for n in range(3)]  # 1.44 million pixels
    start = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False) as traveller:
        assert post_product(farmer_client, photos=three).status_code == 302
        assert (Product.objects.count(), get_image_model().objects.count()) == (1, 3)

        traveller.move_to(start + datetime.timedelta(minutes=10))
        two = [upload(f"more{n}.jpg", size=(800, 600)) for n in range(2)]  # 0.96 million more: over 2
        response = post_product(farmer_client, photos=two, name="高山土鸡蛋")
        assert response.status_code == 429
        body = response.content.decode()
        assert "many photos in the last hour (1 million pixels; at most 2 million an hour)" in body
        assert "try again in 50 minutes" in body
        assert (Product.objects.count(), get_image_model().objects.count()) == (1, 3)
        assert PhotoUpload.objects.filter(user=farmer.user).count() == 1
        assert len(decoded) == 3

        traveller.move_to(start + datetime.timedelta(minutes=60, seconds=1))
        two = [upload(f"more{n}.jpg", size=(800, 600)) for n in range(2)]
        assert post_product(farmer_client, photos=two, name="高山土鸡蛋").status_code == 302
        assert (Product.objects.count(), get_image_model().objects.count()) == (2, 5)
        # The first hour's row aged out and was tidied away.
        assert list(PhotoUpload.objects.values_list("user", "pixels")) == [(farmer.user.pk, 960_000)]


@pytest.mark.usefixtures("english")
def test_a_broken_photo_still_counts_against_the_hour(farmer_client, farmer, settings):
    data = photo_bytes("JPEG", size=(1200, 900))
    broken = SimpleUploadedFile("cut.jpg", data[: len(data) // 2], content_type="image/jpeg")
    response = post_product(farmer_client, photos=broken)
    assert response.status_code == 422
    assert "cut.jpg: This file is not a photo we can read" in response.content.decode()
    assert not get_image_model().objects.exists()
    assert list(PhotoUpload.objects.values_list("user", "pixels")) == [(farmer.user.pk, 1_080_000)]


@pytest.mark.usefixtures("english")
def test_the_limits_apply_to_the_profile_photo_too(farmer_client, farmer, settings):
    from products.dashboard.forms import ProducerForm

    settings.PRODUCTS_UPLOAD_MAX_PIXELS_PER_HOUR = 1_000_000
    data = ProducerForm.initial_for(farmer)
    response = farmer_client.post(reverse("farmer_profile"), {**data, "photo": upload(size=(1200, 900))})
    assert response.status_code == 429
    assert "at most 1 million an hour" in response.content.decode()
    assert not get_image_model().objects.exists()


# --- renditions: made by a background task, not by the pages ----------------------------------


PENDING = 'class="photo-pending"'


def renditions():
    return get_image_model().get_rendition_model().objects


def test_the_task_makes_every_rendition_the_pages_show(farmer_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_product(farmer_client, photos=[upload("a.jpg"), upload("b.png", "PNG", "image/png")])
    assert response.status_code == 302
    specs = RENDITIONS["product"]
    assert set(specs) >= {"fill-160x160|format-webp", "fill-360x360|format-webp", "fill-1080x810|format-webp"}
    assert renditions().count() == 2 * len(specs)
    assert set(renditions().values_list("filter_spec", flat=True)) == set(specs)

    product = Product.objects.get()
    for url in (reverse("farmer_products"), response["Location"]):
        page = farmer_client.get(url)
        assert page.status_code == 200
        assert PENDING not in page.content.decode()
        assert 'src="/media/images/' in page.content.decode()
    assert renditions().count() == 2 * len(specs)  # the pages found them all made
    assert product.photos.count() == 2


def test_the_dashboard_shows_a_placeholder_until_the_task_has_run(
    farmer_client, settings, django_capture_on_commit_callbacks
):
    # The queue's worker has not run yet.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = post_product(farmer_client, photos=[upload("a.jpg"), upload("b.jpg")])
    assert response.status_code == 302
    for url in (reverse("farmer_products"), response["Location"]):
        page = farmer_client.get(url)
        assert page.status_code == 200
        assert page.content.decode().count(PENDING) == (1 if url.endswith("/farmer/") else 2)
    assert renditions().count() == 0

    for image in get_image_model().objects.all():
        make_photo_renditions.call(image.pk, "product")
    page = farmer_client.get(response["Location"])
    assert PENDING not in page.content.decode()
    assert page.content.decode().count('src="/media/images/') == 2


def test_a_photo_without_a_queued_task_is_shown_as_before(farmer_client, farmer):
    """Photos stored before this change, or by staff in the admin: nothing is pending, so the page
    makes the one rendition it needs, as Wagtail's own tag does."""
    post_product(farmer_client, photos=upload("a.jpg"))  # on-commit callbacks never run here
    page = farmer_client.get(reverse("farmer_products"))
    assert PENDING not in page.content.decode()
    assert list(renditions().values_list("filter_spec", flat=True)) == ["fill-160x160|format-webp"]


def test_a_profile_photo_gets_the_renditions_of_its_pages(
    farmer_client, farmer, django_capture_on_commit_callbacks
):
    from products.dashboard.forms import ProducerForm

    data = ProducerForm.initial_for(farmer)
    with django_capture_on_commit_callbacks(execute=True):
        response = farmer_client.post(reverse("farmer_profile"), {**data, "photo": upload(size=(1200, 900))})
    assert response.status_code == 302
    assert sorted(renditions().values_list("filter_spec", flat=True)) == sorted(RENDITIONS["producer"])


def test_the_request_limit_is_explained_in_chinese_by_default(farmer_client, settings):
    settings.PRODUCTS_UPLOAD_MAX_PIXELS_PER_REQUEST = 1_000_000
    response = post_product(farmer_client, photos=[upload(f"{n}.jpg", size=(800, 600)) for n in range(3)])
    assert response.status_code == 422
    assert "这些照片合起来太大了（2 百万像素；每次最多 1 百万像素）" in response.content.decode()
    assert not Product.objects.exists()
