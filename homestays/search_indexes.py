"""What search finds among stays: published homestays with room type names and amenities."""

from django.utils.translation import gettext_lazy as _

from search.registry import FacetLabelled, SearchKind, register

from .models import HomestayPage, RoomType


def _location(page):
    if page.latitude is None or page.longitude is None:
        return None
    return float(page.latitude), float(page.longitude)


def _facets(page):
    rooms = list(page.room_types.all())
    return {
        "village": FacetLabelled(page.village.slug, page.village.name) if page.village else None,
        "price_fen": min((r.base_price_fen for r in rooms), default=None),
        "amenities": [FacetLabelled(a.code, str(a.label)) for a in page.amenities.all()],
    }


register(
    SearchKind(
        kind="homestay",
        model=HomestayPage,
        label=_("Homestays"),
        queryset=lambda: HomestayPage.objects.live().public(),
        select_related=("village",),
        prefetch_related=("room_types", "amenities", "gallery_images__image"),
        text=lambda page: [
            page.title,
            page.summary or page.search_description,
            page.village.name if page.village else "",
            page.address,
            " ".join(f"{r.name} {r.beds}" for r in page.room_types.all()),
            " ".join(str(a.label) for a in page.amenities.all()),
            page.description,
            " ".join(r.description for r in page.room_types.all()),
        ],
        facets=_facets,
        location=_location,
        image=lambda page: next((g.image for g in page.gallery_images.all()), None),
        order=10,
        # Room names and prices are part of the entry.
        depends_on={RoomType: lambda room: [room.page]},
    )
)
