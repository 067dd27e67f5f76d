"""Images for listings: many cards, each with one rendition, read in a fixed number of queries."""

from wagtail.images import get_image_model


def images_with_renditions(ids, *specs) -> dict:
    """{image pk: image} for ``ids``, each with its renditions for ``specs`` attached as Wagtail's
    ``prefetch_renditions`` attaches them, so ``{% image %}`` looks nothing up.

    One query once the renditions exist (every view but an image's first): the renditions are read
    with their images. Images with none of them yet are read in a second query."""
    ids = {pk for pk in ids if pk}
    if not ids:
        return {}
    image_model = get_image_model()
    images = {}
    renditions = (
        image_model.get_rendition_model()
        .objects.filter(image_id__in=ids, filter_spec__in=specs)
        .select_related("image")
    )
    for rendition in renditions:
        image = images.get(rendition.image_id)
        if image is None:
            image = images[rendition.image_id] = rendition.image
            image.prefetched_renditions = []
        rendition.image = image
        image.prefetched_renditions.append(rendition)
    missing = ids - images.keys()
    if missing:
        for image in image_model.objects.filter(pk__in=missing):
            image.prefetched_renditions = []
            images[image.pk] = image
    return images


def complete_renditions(images, *specs) -> None:
    """Give each of ``images`` its renditions for ``specs`` now, making any that do not exist yet,
    so the renditions prefetched with it are complete.

    Wagtail takes an image's prefetched renditions as all there are: a spec missing from them is
    made again (the file decoded, resized and encoded) before the database is asked, on every use.
    A list of cards cached with its images (``town.page_cache.cached_showing``) would otherwise
    keep the renditions prefetched before its first render made them, and encode every card image
    on every render from the cache until the entry expires."""
    for image in images:
        if image is not None:
            # Found in the prefetched ones when there; made and added to them when not.
            image.get_renditions(*specs)
