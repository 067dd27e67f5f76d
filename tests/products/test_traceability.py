"""Traceable produce (issue 19, item 4): batches and certificates from the farmer's dashboard,
shown on the product page and on the batch page a package's QR code opens."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model

from products import traceability
from products.models import Batch, Certification, CertificationKind
from tests.factories.products import ProductFactory
from tests.pages import context_value

from .farmer_fixtures import bomb_png, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOWN = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2027, 6, 15, 10, 0, tzinfo=TOWN)
TODAY = NOW.date()


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def cert(producer, product=None, **kwargs):
    data = {
        "kind": CertificationKind.ORGANIC,
        "number": "ORG-2027-001",
        "issuer": "中绿华夏有机食品认证中心",
        "valid_from": datetime.date(2027, 1, 1),
        "valid_until": datetime.date(2027, 12, 31),
    }
    data.update(kwargs)
    return Certification.objects.create(producer=producer, product=product, **data)


def batch(product, **kwargs):
    data = {"harvested_on": datetime.date(2027, 6, 1), "quantity": 120, "unit": "jin", "plot": "东坡三号梯田"}
    data.update(kwargs)
    return Batch.objects.create(product=product, **data)


# --- the farmer's dashboard --------------------------------------------------------------------


def batch_data(**extra):
    data = {
        "harvested_on": "2027-06-10",
        "quantity": "80.5",
        "unit": "jin",
        "village": "",
        "plot": "后山茶园",
    }
    data.update(extra)
    return data


def cert_data(**extra):
    data = {
        "kind": "green_food",
        "name": "",
        "number": "LB-15-2027",
        "issuer": "中国绿色食品发展中心",
        "valid_from": "2027-01-01",
        "valid_until": "2029-12-31",
    }
    data.update(extra)
    return data


def test_farmer_adds_a_batch_with_a_random_code(pinned, farmer_client, farmer, village):
    product = ProductFactory(producer=farmer)
    url = reverse("farmer_batch_create", args=[product.pk])
    response = farmer_client.post(url, batch_data(village=village.pk))
    assert response.status_code == 302
    (saved,) = Batch.objects.all()
    assert saved.product == product and saved.village == village and saved.plot == "后山茶园"
    assert str(saved.quantity) == "80.50"
    assert len(saved.code) == 8 and saved.code != str(saved.pk)
    page = farmer_client.get(reverse("farmer_product_trace", args=[product.pk])).content.decode()
    assert saved.code in page and reverse("farmer_batch_qr", args=[saved.code, "png"]) in page


def test_a_future_harvest_date_is_refused(pinned, farmer_client, farmer):
    product = ProductFactory(producer=farmer)
    response = farmer_client.post(
        reverse("farmer_batch_create", args=[product.pk]), batch_data(harvested_on="2027-06-16")
    )
    assert response.status_code == 422
    assert "The harvest date cannot be in the future." in response.content.decode()
    assert not Batch.objects.exists()
    # Today (in the town) is fine.
    response = farmer_client.post(
        reverse("farmer_batch_create", args=[product.pk]), batch_data(harvested_on="2027-06-15")
    )
    assert response.status_code == 302


def test_service_refuses_a_future_date_too(pinned, farmer):
    product = ProductFactory(producer=farmer)
    with pytest.raises(traceability.TraceabilityError):
        traceability.create_batch(
            product, harvested_on=TODAY + datetime.timedelta(days=1), quantity=1, unit="jin"
        )
    assert not Batch.objects.exists()


def test_another_farmers_product_is_not_found(pinned, farmer_client, other_farmer):
    theirs = ProductFactory(producer=other_farmer)
    assert farmer_client.get(reverse("farmer_product_trace", args=[theirs.pk])).status_code == 404
    assert (
        farmer_client.post(reverse("farmer_batch_create", args=[theirs.pk]), batch_data()).status_code == 404
    )
    assert (
        farmer_client.post(reverse("farmer_certification_create", args=[theirs.pk]), cert_data()).status_code
        == 404
    )
    their_batch = batch(theirs)
    assert farmer_client.get(reverse("farmer_batch_qr", args=[their_batch.code, "png"])).status_code == 404
    assert not Certification.objects.exists() and Batch.objects.count() == 1


def test_farmer_adds_a_certificate_with_its_photo(pinned, farmer_client, farmer):
    product = ProductFactory(producer=farmer)
    response = farmer_client.post(
        reverse("farmer_certification_create", args=[product.pk]),
        {**cert_data(), "image": upload("cert.jpg")},
    )
    assert response.status_code == 302
    (saved,) = Certification.objects.all()
    assert saved.producer == farmer and saved.product == product
    assert saved.image is not None and saved.image.width == 800


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"valid_from": "2027-05-01", "valid_until": "2027-04-30"},
            "The end of validity cannot be before its start.",
        ),
        ({"kind": "other", "name": " "}, "Name the certificate."),
        ({"number": ""}, "This field is required."),
    ],
)
def test_bad_certificates_are_refused_and_nothing_is_stored(pinned, farmer_client, farmer, extra, message):
    product = ProductFactory(producer=farmer)
    response = farmer_client.post(
        reverse("farmer_certification_create", args=[product.pk]),
        {**cert_data(**extra), "image": upload("cert.jpg")},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Certification.objects.exists()
    assert not get_image_model().objects.exists()


def test_a_fake_or_oversized_certificate_photo_is_refused(pinned, farmer_client, farmer):
    product = ProductFactory(producer=farmer)
    url = reverse("farmer_certification_create", args=[product.pk])
    fake = io.BytesIO(b"%PDF-1.4 not an image at all")
    fake.name = "cert.jpg"
    response = farmer_client.post(url, {**cert_data(), "image": fake})
    assert response.status_code == 422
    assert "cert.jpg" in response.content.decode()
    response = farmer_client.post(url, {**cert_data(), "image": bomb_png()})
    assert response.status_code == 422
    assert "bomb.png" in response.content.decode()
    assert not Certification.objects.exists()
    assert not get_image_model().objects.exists()


def test_qr_codes_open_the_batch_page(pinned, farmer_client, farmer, shop):
    product = ProductFactory(producer=farmer)
    saved = batch(product)
    png = farmer_client.get(reverse("farmer_batch_qr", args=[saved.code, "png"]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert f"batch-{saved.code}.png" in png["Content-Disposition"]
    assert Image.open(io.BytesIO(png.content)).format == "PNG"
    svg = farmer_client.get(reverse("farmer_batch_qr", args=[saved.code, "svg"]))
    assert svg.status_code == 200 and svg.content.startswith(b"<svg")
    assert farmer_client.get(reverse("farmer_batch_qr", args=[saved.code, "gif"])).status_code == 404
    # What the code says is the batch page's absolute address.
    url = traceability.batch_url(saved)
    assert url.startswith("http") and url.endswith(f"{shop.url}batch/{saved.code}/")


# --- the product page and the batch page -------------------------------------------------------


def test_product_page_shows_the_latest_batch_and_valid_badges(pinned, client, shop, farmer, village):
    product = ProductFactory(producer=farmer)
    batch(product, harvested_on=datetime.date(2027, 5, 1), plot="旧地块")
    latest = batch(product, harvested_on=datetime.date(2027, 6, 1), village=village, plot="东坡三号梯田")
    cert(farmer, product)  # organic, valid all 2027
    cert(farmer, None, kind=CertificationKind.GEOGRAPHICAL_INDICATION)  # all the farmer's products
    cert(
        farmer, product, kind=CertificationKind.GREEN_FOOD, valid_until=datetime.date(2027, 6, 14)
    )  # expired
    cert(
        farmer, product, kind=CertificationKind.POLLUTION_FREE, valid_from=datetime.date(2027, 7, 1)
    )  # not yet
    cert(
        farmer, ProductFactory(producer=farmer), kind=CertificationKind.OTHER, name="富硒认证"
    )  # another product

    response = client.get(f"{shop.url}{product.pk}/")
    page = response.content.decode()
    kinds = [badge.kind for badge in context_value(response, "details")["certifications"]]
    assert kinds == ["organic", "geo_indication"]
    assert 'data-kind="organic"' in page and 'data-kind="green_food"' not in page and "富硒认证" not in page
    assert (
        f"batch/{latest.code}/" in page
        and "东坡三号梯田" in page
        and "桃花坞" in page
        and "旧地块" not in page
    )


def test_an_expired_certificate_loses_its_badge_the_next_day(client, shop, farmer):
    product = ProductFactory(producer=farmer)
    cert(farmer, product, valid_until=datetime.date(2027, 6, 15))
    with time_machine.travel(datetime.datetime(2027, 6, 15, 23, 30, tzinfo=TOWN), tick=False):
        assert 'data-kind="organic"' in client.get(f"{shop.url}{product.pk}/").content.decode()
    with time_machine.travel(datetime.datetime(2027, 6, 16, 0, 30, tzinfo=TOWN), tick=False):
        assert 'data-kind="organic"' not in client.get(f"{shop.url}{product.pk}/").content.decode()


def test_other_kind_shows_its_name(pinned, client, shop, farmer):
    product = ProductFactory(producer=farmer)
    cert(farmer, product, kind=CertificationKind.OTHER, name="富硒认证")
    assert "富硒认证" in client.get(f"{shop.url}{product.pk}/").content.decode()


def test_batch_page_shows_product_producer_village_date_and_certificates(
    pinned, client, shop, farmer, village
):
    product = ProductFactory(producer=farmer, name="高山云雾茶")
    saved = batch(product, village=village)
    cert(farmer, product)
    cert(
        farmer,
        product,
        kind=CertificationKind.GREEN_FOOD,
        number="OLD-1",
        valid_until=datetime.date(2027, 1, 31),
    )
    response = client.get(f"{shop.url}batch/{saved.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("高山云雾茶", "王大姐", "桃花坞", "东坡三号梯田", "ORG-2027-001", saved.code):
        assert text in page
    assert "OLD-1" not in page  # expired
    # Codes are read off labels: any case works; an unknown code or a withdrawn product is a 404.
    assert client.get(f"{shop.url}batch/{saved.code.lower()}/").status_code == 200
    assert client.get(f"{shop.url}batch/NOPE2345/").status_code == 404
    product.live = False
    product.save()
    assert client.get(f"{shop.url}batch/{saved.code}/").status_code == 404


def test_batch_codes_are_unique_and_unambiguous(farmer):
    product = ProductFactory(producer=farmer)
    codes = {batch(product).code for _i in range(30)}
    assert len(codes) == 30
    assert not any(set(code) & set("01IO") for code in codes)


def test_certification_validity_is_a_database_rule(farmer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        cert(farmer, valid_from=datetime.date(2027, 5, 1), valid_until=datetime.date(2027, 4, 1))
