"""Schema versions: a fresh database at head, older ones upgraded on request, newer refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from aomori_roadmap.errors import StoreError
from aomori_roadmap.store import Store, head_revision, schema_revision, upgrade_database
from aomori_roadmap.store.schema import MIGRATIONS
from aomori_roadmap.store.tables import VERSION_TABLE, metadata


def migrate_to(url: str, revision: str) -> None:
    """Bring a database to ``revision`` with the shipped migrations, as an old library would."""
    engine = create_engine(url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", MIGRATIONS)
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()


def execute(url: str, sql: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def test_an_empty_database_is_created_at_head(db_url: str) -> None:
    assert schema_revision(db_url) is None
    with Store(db_url) as store:
        assert store.schema == head_revision() == "0006"
    assert schema_revision(db_url) == "0006"


def test_the_tables_match_the_migrations(db_url: str) -> None:
    Store(db_url).close()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_a_newer_database_is_refused(db_url: str) -> None:
    Store(db_url).close()
    execute(db_url, f"UPDATE {VERSION_TABLE} SET version_num = '0099'")
    with pytest.raises(StoreError, match="upgrade aomori_roadmap"):
        Store(db_url)
    with pytest.raises(StoreError, match="upgrade aomori_roadmap"):
        upgrade_database(db_url)


def test_an_older_database_asks_for_an_upgrade(db_url: str) -> None:
    migrate_to(db_url, "0001")
    # The command it names is one that runs: --db belongs before the command.
    with pytest.raises(StoreError, match="aomori-roadmap --db URL db upgrade"):
        Store(db_url)
    assert schema_revision(db_url) == "0001"  # opening never upgrades behind one's back


def test_upgrade_brings_an_older_database_to_head(db_url: str) -> None:
    migrate_to(db_url, "0001")
    execute(db_url, "INSERT INTO status_refs (ref) VALUES ('a/x')")
    with pytest.raises(StoreError, match="--plan-id"):
        Store.upgrade(db_url)  # the rows' plan is not known: nothing is changed
    assert schema_revision(db_url) == "0001"
    result = Store.upgrade(db_url, plan_id="p")
    assert (result.before, result.after, result.changed) == ("0001", head_revision(), True)
    with Store(db_url) as store:
        assert store.schema == head_revision()
    with pytest.raises(Exception, match="append-only"):
        execute(db_url, "DELETE FROM status_refs")
    assert upgrade_database(db_url).changed is False


@pytest.mark.parametrize("table", ["review_records", "kpi_actuals"])
def test_review_and_kpi_history_is_append_only_in_the_database(db_url: str, table: str) -> None:
    with Store(db_url):
        pass
    if table == "review_records":
        row = (
            "INSERT INTO review_records (plan_id, cycle, initiative, stage, rating, "
            "achievements, issues, next_steps, comment, actor, recorded) VALUES ('p', "
            "'FY2025-H1', 'a', 'submitted', '○', '', '', '', '', '県', '2025-10-01 00:00:00')"
        )
    else:
        row = (
            "INSERT INTO kpi_actuals (plan_id, kpi, fy, value, source, note, actor, recorded) "
            "VALUES ('p', 'k', 2025, 1.0, '', '', '県', '2025-10-01 00:00:00')"
        )
    execute(db_url, row)
    with pytest.raises(Exception, match="append-only"):
        execute(db_url, f"UPDATE {table} SET actor = 'x'")
    with pytest.raises(Exception, match="append-only"):
        execute(db_url, f"DELETE FROM {table}")


def _kpi_rows(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, kpi, fy, value, source, note, actor, recorded, corrects "
                "FROM kpi_actuals ORDER BY id"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


_KPI_ROW = (
    "INSERT INTO kpi_actuals ({plan}kpi, fy, {columns}, source, note, actor, recorded, "
    "corrects) VALUES ({plan_id}'k', 2025, {values}, 'src', '', '県', "
    "'2025-10-0{day} 00:00:00', {corrects})"
)


def _kpi_row(
    value: str = "1.5",
    mark: str | None = None,
    day: int = 1,
    corrects: str = "NULL",
    plan: str | None = "p",
) -> str:
    columns, values = ("value", value) if mark is None else ("value, mark", f"{value}, {mark}")
    return _KPI_ROW.format(
        columns=columns,
        values=values,
        day=day,
        corrects=corrects,
        plan="" if plan is None else "plan_id, ",
        plan_id="" if plan is None else f"'{plan}', ",
    )


def test_0005_keeps_the_kpi_values_and_their_append_only_triggers(db_url: str) -> None:
    migrate_to(db_url, "0004")
    execute(db_url, _kpi_row("1.5", plan=None))
    execute(db_url, _kpi_row("2.5", day=2, corrects="1", plan=None))  # a correction
    before = _kpi_rows(db_url)
    assert Store.upgrade(db_url, plan_id="p").after == "0006"
    assert _kpi_rows(db_url) == before  # the same rows, ids and references
    for sql in ("UPDATE kpi_actuals SET note = 'x'", "DELETE FROM kpi_actuals"):
        with pytest.raises(Exception, match="append-only"):
            execute(db_url, sql)
    execute(db_url, _kpi_row("NULL", "'surveying'", day=3))  # a mark, after the upgrade
    engine = create_engine(db_url)
    with engine.connect() as conn:
        marks = conn.execute(text("SELECT id, value, mark FROM kpi_actuals ORDER BY id")).all()
    engine.dispose()
    assert [tuple(row) for row in marks] == [(1, 1.5, None), (2, 2.5, None), (3, None, "surveying")]
    with pytest.raises(Exception, match="append-only"):
        execute(db_url, "UPDATE kpi_actuals SET mark = 'unknown' WHERE id = 3")
    if db_url.startswith("postgresql"):
        with pytest.raises(Exception, match="append-only"):
            execute(db_url, "TRUNCATE kpi_actuals")
    with Store(db_url) as store:
        values = store.kpis.records()
    assert [(a.id, a.value, a.mark, a.corrects) for a in values] == [
        (1, 1.5, None, None), (2, 2.5, None, 1), (3, None, "surveying", None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "mark"),
    [("1.0", "'unknown'"), ("NULL", "NULL"), ("NULL", "'guessed'")],
    ids=["both", "neither", "not-a-mark"],
)
def test_a_kpi_row_holds_a_value_or_a_mark(db_url: str, value: str, mark: str) -> None:
    Store(db_url).close()
    with pytest.raises(Exception, match=r"(?i)check"):
        execute(db_url, _kpi_row(value, mark))


def test_a_database_with_tables_but_no_version_is_refused(db_url: str) -> None:
    execute(db_url, "CREATE TABLE status_events (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreError, match=VERSION_TABLE):
        Store(db_url)


def test_other_tables_do_not_make_a_database_foreign(db_url: str) -> None:
    execute(db_url, "CREATE TABLE someone_elses (id INTEGER PRIMARY KEY)")
    with Store(db_url) as store:
        assert store.schema == head_revision()


def test_sqlite_runs_in_wal_with_foreign_keys_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roadmap.db'}"
    with Store(url, busy_timeout=7.5) as store:
        engine = store._engine  # the settings live on each pooled connection
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7500
    with sqlite3.connect(tmp_path / "roadmap.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/db", "mysql"),
        ("not a url", "URL"),
    ],
)
def test_an_unusable_url_is_a_store_error(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store(url)


def test_a_plain_postgresql_url_uses_psycopg() -> None:
    from aomori_roadmap.store.schema import connect

    assert connect("postgresql://u@127.0.0.1/db").dialect.driver == "psycopg"


def test_a_sqlite_writer_gives_up_after_its_busy_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roadmap.db'}"
    Store(url).close()
    other = sqlite3.connect(tmp_path / "roadmap.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with Store(url, busy_timeout=0.2) as store, pytest.raises(StoreError, match="使用中"):
            store.record_status("a/x", "in_progress", actor="県")
        with Store(url) as store:
            assert store.status_as_of() == {}  # readers are not blocked (WAL)
    finally:
        other.execute("ROLLBACK")
        other.close()
