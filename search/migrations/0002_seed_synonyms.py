from django.db import migrations

SYNONYMS = [
    ("民宿, 农家乐, 客栈, homestay, homestays, guesthouse", "Places to stay"),
    ("采摘, 摘, picking, pick", "Fruit picking"),
    ("草莓, strawberry, strawberries", "Strawberries"),
    ("桃花, peach blossom, peach", "Peach blossom"),
    ("露营, 帐篷, camping, camp", "Camping"),
    ("研学, 研学游, study tour, school trip", "Study tours"),
    ("土特产, 特产, 农产品, produce, local products", "Farm produce"),
    ("节, 节日, 庆典, festival, fair", "Festivals"),
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("sitesearch", "SearchSynonym")
    for terms, note in SYNONYMS:
        SearchSynonym.objects.get_or_create(terms=terms, defaults={"note": note})


def unseed(apps, schema_editor):
    SearchSynonym = apps.get_model("sitesearch", "SearchSynonym")
    SearchSynonym.objects.filter(terms__in=[terms for terms, _note in SYNONYMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("sitesearch", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
