"""The audit trail: who changed which figure when, from what to what, through which source.

Every insert, update and delete of a :class:`~nianbao.web.models.FieldValue`, a
:class:`~nianbao.web.models.Submission` or a :class:`~nianbao.web.models.Membership` is
written by the database itself into the event tables django-pghistory generates — also when
the change bypasses the portal (a bulk update, SQL typed by hand):

* on PostgreSQL by pghistory's triggers, the context (user, source, workbook hash, template
  version) attached through pghistory's session variable;
* on the embedded SQLite database by equivalent triggers (:func:`sqlite_trigger_sql`, installed
  by a migration) that read the context of the write in progress from ``AuditCursor``.

The event tables are append-only on both (an update or delete is refused by a trigger).
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pghistory
from django.db import connection, transaction


def is_sqlite(conn=None) -> bool:
    return (conn or connection).vendor == "sqlite"


@contextmanager
def audit_context(**metadata):
    """Attach ``metadata`` (user, source, sha256, template …) to every event written inside."""
    metadata = {k: v for k, v in metadata.items() if v not in (None, "")}
    if not is_sqlite():
        with transaction.atomic(), pghistory.context(**metadata):
            yield
        return
    from pghistory.models import Context

    from nianbao.web.models import AuditCursor

    with transaction.atomic():
        ctx = Context.objects.create(id=uuid.uuid4(), metadata=metadata)
        AuditCursor.objects.update_or_create(id=1, defaults={"context_id": ctx.id})
        try:
            yield
        finally:
            AuditCursor.objects.filter(id=1).update(context_id=None)


def tracked_models():
    from nianbao.web.models import FieldValue, Membership, Submission

    return [FieldValue, Submission, Membership]


def _event_model(model):
    return model.pgh_event_models[0] if hasattr(model, "pgh_event_models") else \
        next(m for m in model._meta.apps.get_models() if getattr(m, "pgh_tracked_model", None) is model)


def sqlite_trigger_sql(model, event) -> list[str]:
    """SQLite triggers that record ``model``'s inserts, updates and deletes into ``event``
    (pghistory's event model), as pghistory's triggers do on PostgreSQL."""
    table, etable = model._meta.db_table, event._meta.db_table
    tracked = [f for f in event._meta.concrete_fields if not f.name.startswith("pgh_")]
    cols = [f.column for f in tracked]
    cursor = "(SELECT context_id FROM web_auditcursor WHERE id = 1)"
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    out = []
    for op, label, row in (("INSERT", "insert", "NEW"), ("UPDATE", "update", "NEW"), ("DELETE", "delete", "OLD")):
        name = f"nianbao_audit_{table}_{label}"
        values = ", ".join(f"{row}.{c}" for c in cols)
        out.append(f"DROP TRIGGER IF EXISTS {name}")
        out.append(
            f"CREATE TRIGGER {name} AFTER {op} ON {table} FOR EACH ROW BEGIN "
            f"INSERT INTO {etable} (pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id, {', '.join(cols)}) "
            f"VALUES ({now}, '{label}', {row}.id, {cursor}, {values}); END")
    return out


def sqlite_append_only_sql(table: str) -> list[str]:
    out = []
    for op in ("UPDATE", "DELETE"):
        name = f"nianbao_append_only_{table}_{op.lower()}"
        out.append(f"DROP TRIGGER IF EXISTS {name}")
        out.append(f"CREATE TRIGGER {name} BEFORE {op} ON {table} FOR EACH ROW BEGIN "
                   f"SELECT RAISE(ABORT, 'append-only: {table} cannot be changed'); END")
    return out


def install_sqlite_triggers(apps, schema_editor) -> None:
    """Migration step: the triggers of the embedded database (nothing on PostgreSQL, where
    pghistory and pgtrigger install theirs)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    statements = []
    for name in ("FieldValue", "Submission", "Membership"):
        model = apps.get_model("web", name)
        event = apps.get_model("web", name + "Event")
        statements += sqlite_trigger_sql(model, event)
        statements += sqlite_append_only_sql(event._meta.db_table)
    statements += sqlite_append_only_sql(apps.get_model("web", "StateChange")._meta.db_table)
    for sql in statements:
        schema_editor.execute(sql)
