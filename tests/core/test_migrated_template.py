"""The copied test database (tests/migrated_template.py) is made again whenever what decides the
migrated result changes."""

from tests.migrated_template import template_key


def _project(root, migration="operations = []"):
    (root / "requirements.txt").write_text("Django==5.2.19\n")
    (root / "requirements-dev.txt").write_text("pytest\n")
    (root / "gates" / "migrations").mkdir(parents=True, exist_ok=True)
    (root / "gates" / "migrations" / "0001_initial.py").write_text(migration)


def test_the_key_follows_the_migrations_and_the_requirements(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    _project(tmp_path)
    first = template_key()
    assert template_key() == first  # the same files, the same copy

    _project(tmp_path, migration="operations = ['changed']")
    changed = template_key()
    assert changed != first

    (tmp_path / "gates" / "migrations" / "0002_more.py").write_text("operations = []")
    added = template_key()
    assert added not in (first, changed)

    (tmp_path / "requirements.txt").write_text("Django==5.2.20\n")
    assert template_key() not in (first, changed, added)

