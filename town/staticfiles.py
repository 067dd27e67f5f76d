"""The production storage of static files, with the address of each file remembered.

``{% static %}`` asks the manifest storage for a file's address on every use: the hashed name
from the manifest, then the address joined and quoted, about a tenth of a millisecond each, three
times on every page for the stylesheet, the icon and the menu's script. The manifest is read
once, when the process starts (``collectstatic`` then a restart brings new names), so each
file's address is fixed for the life of the process and is remembered after its first use.
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class RememberingStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:  # DEBUG serves the names unhashed: as Django does
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            pass
        url = self._urls[name] = super().url(name)  # a file not in the manifest raises: not kept
        return url
