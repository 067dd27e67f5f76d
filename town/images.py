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
