"""The audit triggers of the embedded (SQLite) database: the events django-pghistory records on
PostgreSQL, written by equivalent SQLite triggers, and the event tables append-only."""

from django.db import migrations

from nianbao.web.audit import install_sqlite_triggers


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial")]
    operations = [migrations.RunPython(install_sqlite_triggers, migrations.RunPython.noop)]
