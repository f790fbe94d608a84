"""DDL around a bulk first load (PostgreSQL): drop the bars table's keys and indexes, restore them after.

:mod:`market.ingest.writers` decides when a load is bulk and calls these inside the run's transaction.
"""

from __future__ import annotations

from django.db import connection


def drop_keys_and_indexes(table: str) -> list[str]:
    """For a bulk first load, drop ``table``'s constraints (primary key included), its indexes
    and the foreign keys that reference it; return the DDL that restores them, in order.

    Sorting a million keys once is several times cheaper than a million out-of-order insertions into
    the (date, ticker) index (measured: 1.7 s against 8 s), and PostgreSQL checks a foreign key with
    one trigger call per inserted row (11 s per million rows) where re-adding it validates every row
    in one join. Even the primary key, whose inserts are in order, cost more during the COPY than
    its rebuild after it (INSERT of the 1 M bars: 7.5 s with it against 3.4 s + 1.0 s; shared
    machine), so it goes too, with the revisions' FK that needs it. The DROPs take exclusive locks on
    the tickers, bars and revisions tables until commit, so only loads that at least double the table
    do it. Everything is re-added at the end: a duplicate or an unknown ticker id fails it and rolls
    the whole run back. All of it is inside the run's transaction, so a failure restores the schema
    with the rows.
    """
    with connection.cursor() as cursor:
        # Names and definitions as Django created them ("FOREIGN KEY (ticker_id) REFERENCES
        # market_ticker(id) DEFERRABLE INITIALLY DEFERRED"), so the restored schema is the migrated one:
        # the bars' own (primary key first, then unique, then FKs), then other tables' FKs to the bars.
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid), "
            "confrelid::regclass::text FROM pg_constraint "
            "WHERE (conrelid = %s::regclass AND contype IN ('p', 'u', 'f')) "
            "OR (confrelid = %s::regclass AND conrelid <> %s::regclass AND contype = 'f') "
            "ORDER BY conrelid <> %s::regclass, CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 ELSE 2 END",
            [table, table, table, table],
        )
        constraints = cursor.fetchall()
        foreign = [(owner, name) for owner, name, contype, _, _ in constraints if contype == "f"]
        referenced = sorted(
            {target for owner, _, contype, _, target in constraints if owner == table and contype == "f"}
        )
        referencing = sorted({owner for owner, _, _, _, _ in constraints if owner != table})
        # Referenced tables first, then the bars, then the tables referencing them: the order other
        # writers (a cascade delete: ticker, bars, revisions) lock in.
        cursor.execute(f"LOCK TABLE {', '.join([*referenced, table, *referencing])} IN ACCESS EXCLUSIVE MODE")
        if foreign:
            # Checks of these (deferred) FKs queued earlier in this transaction would make PostgreSQL
            # refuse the ALTER ("pending trigger events"): run them now.
            quoted = ", ".join(f'"{name}"' for _, name in foreign)
            cursor.execute(f"SET CONSTRAINTS {quoted} IMMEDIATE")
        # Dropped in reverse: the FKs to the bars before the primary key they need.
        for owner, name, _, _, _ in reversed(constraints):
            cursor.execute(f'ALTER TABLE {owner} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    own = [c for c in constraints if c[0] == table and c[2] == "p"]
    rest = [c for c in constraints if not (c[0] == table and c[2] == "p")]
    # The primary key first (other tables' FKs need it), then the indexes; unique constraints before
    # FKs: a duplicate fails before the FK scan.
    return (
        [f'ALTER TABLE {owner} ADD CONSTRAINT "{name}" {definition}' for owner, name, _, definition, _ in own]
        + [definition for _, definition in indexes]
        + [
            f'ALTER TABLE {owner} ADD CONSTRAINT "{name}" {definition}'
            for owner, name, _, definition, _ in rest
        ]
    )


def restore(definitions: list[str]) -> None:
    """Run the DDL :func:`drop_keys_and_indexes` returned, in its order."""
    if not definitions:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
