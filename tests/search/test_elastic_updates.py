"""Saves, publishes, unpublishes and deletes reach Elasticsearch through django-tasks, after the
commit. The tasks run on the immediate backend; ``send`` (the one function that talks to the
server) and ``ensure_alias`` are replaced by recorders, so each test asserts the exact bulk
actions — document bodies and deletes — that would have been sent."""

import pytest
from django.db import transaction
from django_tasks.signals import task_finished
from wagtail.models import PageViewRestriction

from search.elastic import indexing
from search.elastic.tasks import update_document
from search.text import index_text
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory
from tests.factories.products import ProducerFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.site_search]


class Recorder:
    def __init__(self):
        self.tasks = []  # (args, status, return value) of every update_document run
        self.actions = []
        self.aliases = []

    def on_task(self, sender, task_result, **kwargs):
        if task_result.task.func is update_document.func:
            value = task_result.return_value if task_result.status == "SUCCESSFUL" else None
            self.tasks.append((tuple(task_result.args), str(task_result.status), value))

    def send(self, actions):
        actions = list(actions)
        self.actions.extend(actions)
        return len(actions), []

    def ensure_alias(self, kind):
        self.aliases.append(kind)
        return f"t_{kind}"

    def ids(self, op):
        return [a["_id"] for a in self.actions if a["_op_type"] == op]


@pytest.fixture
def recorder(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(indexing, "send", recorder.send)
    monkeypatch.setattr(indexing, "ensure_alias", recorder.ensure_alias)
    task_finished.connect(recorder.on_task, dispatch_uid="test_elastic_updates")
    yield recorder
    task_finished.disconnect(dispatch_uid="test_elastic_updates")


@pytest.fixture
def elasticsearch_on(settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    settings.ELASTICSEARCH_INDEX_PREFIX = "t_"
    return settings


@pytest.fixture
def homestays(home_page):
    return HomestayIndexPageFactory(parent=home_page)


@pytest.fixture
def committed(django_capture_on_commit_callbacks, recorder):
    """Runs the set-up as a committed transaction would (its updates done), then forgets them."""

    def run(make):
        with django_capture_on_commit_callbacks(execute=True):
            made = make()
        recorder.tasks.clear()
        recorder.actions.clear()
        return made

    return run


def test_publishing_a_homestay_enqueues_one_update_after_the_commit(
    elasticsearch_on, recorder, homestays, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = HomestayPageFactory(parent=homestays, title="桃花民宿", summary="推窗见桃花")
        assert recorder.tasks == []  # nothing before the commit
    for callback in callbacks:
        callback()

    # Created, saved as a revision and published: one update, not one per signal.
    assert recorder.tasks == [(("homestay", page.pk), "SUCCESSFUL", {"indexed": 1, "deleted": 0})]
    assert recorder.aliases == ["homestay"]
    (action,) = recorder.actions
    assert (action["_op_type"], action["_index"], action["_id"]) == (
        "index",
        "t_homestay",
        f"homestay-{page.pk}",
    )
    assert action["_source"]["name"] == "桃花民宿"
    assert action["_source"]["summary"] == "推窗见桃花"
    assert "taohua" in action["_source"]["title"].split()


def test_unpublishing_deletes_the_document(
    elasticsearch_on, recorder, committed, homestays, django_capture_on_commit_callbacks
):
    page = committed(lambda: HomestayPageFactory(parent=homestays))
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert [args for args, _status, _value in recorder.tasks] == [("homestay", page.pk)]
    assert recorder.ids("delete") == [f"homestay-{page.pk}"]
    assert recorder.ids("index") == []


def test_deleting_a_page_deletes_its_document(
    elasticsearch_on, recorder, committed, homestays, django_capture_on_commit_callbacks
):
    page = committed(lambda: HomestayPageFactory(parent=homestays))
    pk = page.pk
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()

    assert ("homestay", pk) in [args for args, _status, _value in recorder.tasks]
    assert recorder.ids("delete") == [f"homestay-{pk}"]


def test_publishing_a_product_snippet_indexes_it(
    elasticsearch_on, recorder, committed, django_capture_on_commit_callbacks
):
    product = committed(lambda: ProductFactory(name="奶油草莓", live=False))
    with django_capture_on_commit_callbacks(execute=True):
        product.name = "奶油草莓 (新季)"
        product.save_revision().publish()

    assert [args for args, _status, _value in recorder.tasks][-1] == ("product", product.pk)
    (action,) = [a for a in recorder.actions if a["_id"] == f"product-{product.pk}"]
    assert action["_op_type"] == "index"
    assert action["_source"]["name"] == "奶油草莓 (新季)"
    assert "caomei" in action["_source"]["text"].split()


def test_a_producer_change_reindexes_their_products(
    elasticsearch_on, recorder, committed, django_capture_on_commit_callbacks
):
    product = committed(lambda: ProductFactory(producer=ProducerFactory(display_name="王大姐")))
    producer = product.producer
    with django_capture_on_commit_callbacks(execute=True):
        producer.display_name = "李大哥"
        producer.save()

    assert ("product", product.pk) in [args for args, _status, _value in recorder.tasks]
    (action,) = [a for a in recorder.actions if a["_id"] == f"product-{product.pk}"]
    assert set(index_text("李大哥").split()) <= set(action["_source"]["text"].split())


def test_a_view_restriction_removes_the_pages_under_it(
    elasticsearch_on, recorder, homestays, committed, django_capture_on_commit_callbacks
):
    page = committed(lambda: HomestayPageFactory(parent=homestays))
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=homestays, restriction_type=PageViewRestriction.LOGIN)

    assert ("homestay", page.pk) in [args for args, _status, _value in recorder.tasks]
    assert recorder.ids("delete") == [f"homestay-{page.pk}"]


def test_a_rolled_back_change_enqueues_nothing(
    elasticsearch_on, recorder, homestays, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        HomestayPageFactory(parent=homestays)
        raise RuntimeError("the editor's request failed")

    assert [c for c in callbacks if hasattr(c, "search_elastic_key")] == []
    assert recorder.tasks == []
    assert recorder.actions == []


def test_nothing_is_enqueued_while_elasticsearch_is_off(
    recorder, homestays, django_capture_on_commit_callbacks, settings
):
    settings.ELASTICSEARCH_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        page = HomestayPageFactory(parent=homestays)
        page.unpublish()

    assert recorder.tasks == []
    assert recorder.actions == []


def test_the_task_is_a_no_op_without_elasticsearch(settings, recorder):
    settings.ELASTICSEARCH_URL = ""
    assert update_document.call("homestay", 1) == {"skipped": "ELASTICSEARCH_URL is not set"}
    assert recorder.actions == []
