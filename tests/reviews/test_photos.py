"""Guests' photos on a review: the shop's upload checks (real Pillow files), metadata stripped,
shown with thumbnails only once the review is published, seen by the moderators before."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model

from reviews import photos as review_photos
from reviews import services
from reviews.models import Review, ReviewPhoto, ReviewStatus

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def photo(name="breakfast.jpg", fmt="JPEG", size=(800, 600), gps=False):
    """A real photo made by Pillow; ``gps`` writes a position and a camera model in its EXIF."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    options = {}
    if gps:
        exif = Image.Exif()
        exif[0x0110] = "Phone X"  # camera model
        exif[0x0112] = 6  # orientation: turn 90° to stand upright
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (29.0, 37.0, 12.0)})
        options["exif"] = exif
    image.save(buffer, format=fmt, **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def send(client, line, *photos, rating="5", text="早餐很好。"):
    client.force_login(line.order.user)
    return client.post(
        reverse("reviews_write", args=[line.pk]), {"rating": rating, "text": text, "photos": list(photos)}
    )


def test_a_jpeg_and_a_png_are_stored_with_the_review_without_their_metadata(client, stayed, settings):
    response = send(client, stayed, photo(gps=True), photo("view.png", fmt="PNG", size=(300, 200)))
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.photo_count == 2 and review.status == ReviewStatus.PENDING
    images = [p.image for p in ReviewPhoto.objects.filter(review=review).select_related("image__collection")]
    assert [i.collection.name for i in images] == [review_photos.COLLECTION_NAME] * 2
    with images[0].open_file() as f, Image.open(f) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif() and "exif" not in stored.info
        # Turned upright as the EXIF said, before the orientation was dropped.
        assert stored.size == (600, 800)
    with images[1].open_file() as f, Image.open(f) as stored:
        assert (stored.format, stored.size) == ("PNG", (300, 200))
    assert all(Path(i.file.name).name.startswith("review-") for i in images)


def test_a_photo_too_large_is_refused_and_nothing_is_stored(client, stayed, settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 1_000_000
    response = send(client, stayed, photo(size=(1200, 1000)))
    assert response.status_code == 400
    assert "百万像素" in response.text or "million pixels" in response.text
    assert not Review.objects.exists() and not stored_files(settings)


def test_a_file_too_heavy_is_refused(client, stayed, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 2_000
    response = send(client, stayed, photo(size=(800, 600)))
    assert response.status_code == 400
    assert not Review.objects.exists() and not stored_files(settings)


def test_a_file_that_is_not_an_image_renamed_jpg_is_refused(client, stayed, settings):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo at all" * 20, content_type="image/jpeg")
    response = send(client, stayed, fake)
    assert response.status_code == 400
    assert "photo.jpg" in response.text
    assert not Review.objects.exists() and not stored_files(settings)


def test_too_many_photos_are_refused(client, stayed, settings):
    settings.REVIEWS_MAX_PHOTOS = 2
    response = send(client, stayed, photo("a.jpg"), photo("b.jpg"), photo("c.jpg"))
    assert response.status_code == 400
    assert not Review.objects.exists() and not stored_files(settings)
    # The service holds the same limit for any other caller.
    with pytest.raises(services.ReviewError) as refused:
        services.write_review(
            line_id=stayed.pk, user=stayed.order.user, rating=4, photos=[object(), object(), object()]
        )
    assert refused.value.code == "too_many_photos"


def test_photos_show_on_the_page_only_once_the_review_is_published(client, stayed, homestay, editor):
    assert send(client, stayed, photo(), photo("b.jpg")).status_code == 302
    review = Review.objects.get()
    image_ids = list(ReviewPhoto.objects.values_list("image_id", flat=True))
    client.logout()
    page = client.get(homestay.url).text
    assert "review-" not in page and "review__photos" not in page

    # The moderators see them before deciding.
    client.force_login(editor)
    moderation = client.get(f"/admin/reviews/edit/{review.pk}/").text
    assert moderation.count('loading="lazy"') >= 2 and "fill-160x160" in moderation

    services.publish_review(review, by=editor)
    client.logout()
    page = client.get(homestay.url).text
    assert page.count("fill-160x160.format-webp") == 2
    thumbnails = re.findall(r"<img [^>]*fill-160x160[^>]*>", page)
    assert len(thumbnails) == 2
    assert all('loading="lazy"' in tag and re.search(r'alt="[^"]*竹林民宿[^"]*"', tag) for tag in thumbnails)
    assert "max-1200x1200" in page
    # Only renditions are linked: the original (under original_images/) never is.
    for image in get_image_model().objects.filter(pk__in=image_ids):
        assert image.file.url not in page


def test_no_image_chooser_offers_review_photos(client, stayed, host, editor):
    send(client, stayed, photo())
    other = get_image_model().objects.create(title="farm", file=photo("farm.jpg"))
    for user in (host, editor):
        client.force_login(user)
        listing = client.get("/admin/images/chooser/").text
        assert "review " + str(Review.objects.get().pk) not in listing
        assert other.title in listing
