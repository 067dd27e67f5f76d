"""``manage.py search_rebuild`` on the database backend: entries for what may be found and
nothing else, ``--kind``, the progress bar, and Wagtail's own index."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from wagtail.models import Page

from homestays.models import HomestayPage
from search.management.commands.search_rebuild import Progress
from search.models import SearchEntry
from tests.factories.events import EventPageFactory
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.site_search]


@pytest.fixture
def town(home_page):
    index = HomestayIndexPageFactory(parent=home_page)
    live = HomestayPageFactory(parent=index, title="桃花民宿")
    draft = HomestayPageFactory(parent=index, title="山居草稿", publish=False, live=False)
    event = EventPageFactory(parent=home_page, title="桃花节")
    return {"live": live, "draft": draft, "event": event}


def rebuild(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("search_rebuild", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def entries():
    return sorted(SearchEntry.objects.values_list("kind", "name"))


def test_rebuild_recreates_entries_for_live_objects_only(town):
    SearchEntry.objects.all().delete()

    out, err = rebuild()

    assert entries() == [("event", "桃花节"), ("homestay", "桃花民宿")]
    assert "Search rebuilt in" in out
    assert "homestay 1" in out and "event 1" in out
    assert "Wagtail's index" in out
    # Progress on stderr: a bar per kind, ending at 100 %.
    assert "database homestay" in err and "100%" in err


def test_rebuild_of_one_kind_leaves_the_others_alone(town):
    SearchEntry.objects.all().delete()

    out, _err = rebuild("--kind", "homestay")

    assert entries() == [("homestay", "桃花民宿")]
    assert "Wagtail's index" not in out


def test_rebuild_drops_entries_of_objects_no_longer_searchable(town):
    SearchEntry.objects.create(
        kind="homestay",
        content_type=ContentType.objects.get_for_model(HomestayPage),
        object_pk=town["draft"].pk,
        language="zh-hans",
        title="山居 草稿",
        text="山居 草稿",
        name="山居草稿",
        url="/stale/",
    )

    rebuild("--kind", "homestay")

    assert entries() == [("event", "桃花节"), ("homestay", "桃花民宿")]


def test_an_unknown_kind_is_refused_with_the_known_ones():
    with pytest.raises(CommandError) as error:
        call_command("search_rebuild", "--kind", "spaceship", stdout=io.StringIO(), stderr=io.StringIO())
    assert "spaceship" in str(error.value)
    assert "homestay" in str(error.value)


def test_wagtail_page_search_works_after_a_rebuild(town):
    rebuild()
    found = [page.pk for page in Page.objects.live().search("桃花民宿")]
    assert town["live"].pk in found
    assert town["draft"].pk not in found


def test_no_progress_prints_only_the_summary(town):
    out, err = rebuild("--no-progress")
    assert err == ""
    assert out.startswith("Search rebuilt in")


def test_progress_on_a_pipe_prints_each_tenth_once():
    stream = io.StringIO()
    progress = Progress(stream)
    for done in range(0, 101):
        progress.update("database homestay", done, 100)
    progress.update("database homestay", 100, 100)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[0].endswith("0/100   0%")
    assert lines[-1].endswith("100/100 100%")
    assert "[" + "#" * 24 + "]" in lines[-1]


@pytest.mark.postgres
def test_a_rebuild_leaves_no_pending_list_in_the_token_vectors_gin_indexes(town):
    """GIN queues new rows in a pending list that every search reads through in full until it is
    merged; a rebuild queues every entry, so it merges them (issue 21, item 4)."""
    from django.db import connection

    def pending_pages():
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            cursor.execute(
                "SELECT sum(pending_pages) FROM unnest(%s::regclass[]) AS i, pgstatginindex(i)",
                [["sitesearch_entry_text_vector", "sitesearch_entry_title_vector"]],
            )
            return cursor.fetchone()[0]

    from search import indexing

    with connection.cursor() as cursor:  # what the fixture's pages queued, merged
        cursor.execute("SELECT gin_clean_pending_list('sitesearch_entry_text_vector'::regclass)")
        cursor.execute("SELECT gin_clean_pending_list('sitesearch_entry_title_vector'::regclass)")
    assert pending_pages() == 0

    indexing.rebuild()  # the entries, without the command
    assert pending_pages() > 0
    rebuild()
    assert pending_pages() == 0
