"""``{% ready_image image "fill-160x160|format-webp" alt="" %}``: Wagtail's ``{% image %}`` for a
photo whose renditions a background task is making (``products.tasks``).

While the task has not run yet, the page shows a placeholder instead of decoding the original on
the request path; a photo that is not pending (older ones, the admin's uploads, a worker that
stopped) gets its rendition made as ``{% image %}`` would.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.images.models import Filter

from ..tasks import renditions_pending

register = template.Library()


@register.simple_tag
def ready_image(image, spec, **attrs):
    if not image:
        return ""
    try:
        # Prefetched renditions first, then the cache and the database: never the original.
        rendition = image.find_existing_rendition(Filter(spec=spec))
    except image.get_rendition_model().DoesNotExist:
        if renditions_pending(image.pk):
            return format_html(
                '<span class="photo-pending" role="img" aria-label="{}">{}</span>',
                _("This photo is being prepared. Reload the page in a moment to see it."),
                _("Preparing…"),
            )
        rendition = image.get_rendition(spec)
    return rendition.img_tag(attrs)
