"""Moving Village from attractions to town changes Django's state only: migrating back and forth
keeps the rows, the keys pointing at them and the content type row (with its permissions)."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orders.models import OrderLine
from tests.factories.orders import OrderFactory
from tests.factories.town import VillageFactory
from town.models import Village


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.applied_migrations


@pytest.fixture(autouse=True)
def _content_types_remembered_again():
    """Migrating clears the process's content type cache. The next transactional test restores
    the migrations' rows, and building a Wagtail task row there asks for its content type: with a
    cold cache (and the table just emptied) that creates a second row of the same type, and the
    restore fails on the unique key. So the cache is filled again while the rows still exist."""
    yield
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)


@pytest.mark.django_db(transaction=True)
def test_villages_move_to_town_and_back_with_their_rows_keys_and_permissions():
    village = VillageFactory(name="桃花坞")
    line = OrderLine.objects.create(
        order=OrderFactory(),
        kind="product",
        object_id=1,
        title="笋干",
        quantity=1,
        unit_price_fen=100,
        total_fen=100,
        village=village,
    )
    permission = Permission.objects.get(content_type__app_label="town", codename="change_village")
    group = Group.objects.create(name="Village editors")
    group.permissions.add(permission)
    content_type_id = permission.content_type_id
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    try:
        applied = migrate([("town", None)])
        assert ("town", "0001_village_from_attractions") not in applied
        assert ("attractions", "0006_village_to_town") not in applied
        # As the code before the move reads them: the same table, row and key.
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM attractions_village WHERE id = %s", [village.pk])
            assert cursor.fetchone() == ("桃花坞",)
            cursor.execute("SELECT village_id FROM orders_orderline WHERE id = %s", [line.pk])
            assert cursor.fetchone() == (village.pk,)
        assert ContentType.objects.get(pk=content_type_id).app_label == "attractions"
    finally:
        migrate(leaves)

    ContentType.objects.clear_cache()
    assert Village.objects.get(pk=village.pk).name == "桃花坞"
    assert OrderLine.objects.select_related("village").get(pk=line.pk).village == village
    assert ContentType.objects.get_for_model(Village).pk == content_type_id
    assert ContentType.objects.filter(model="village").count() == 1
    assert group.permissions.get().codename == "change_village"
