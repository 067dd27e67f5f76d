"""The production static storage remembers each file's address (town.staticfiles)."""

import json

import pytest
from django.test import override_settings

from town.staticfiles import RememberingStaticFilesStorage


@pytest.fixture
def storage(tmp_path):
    manifest = {"paths": {"css/site.css": "css/site.0123456789ab.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    with override_settings(DEBUG=False):
        yield RememberingStaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_the_address_is_the_manifests_hashed_name_and_is_remembered(storage):
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    # The manifest is not read again for it (a new one takes a restart, as WhiteNoise's own).
    storage.hashed_files["css/site.css"] = "css/site.ffffffffffff.css"
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"


def test_a_file_missing_from_the_manifest_still_raises_every_time(storage):
    for _attempt in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("js/missing.js")
