"""An index of every 1- and 2-character run of Product.search_text, for short search terms.

Trigram indexes (0002) cannot answer a 1- or 2-character substring, and a scan of 100,000
products costs ~100 ms on either database (bench/search.py). Both databases keep a table
`catalog_product_grams` in step with catalog_product by triggers, like 0002:
- SQLite: a contentless FTS5 table over the space-separated runs ("保 保温 温 温杯 杯"),
  tokenized by `ascii`, which keeps every non-ASCII character and ASCII letter or digit
  in its token, so a term made of those matches exactly its own token.
- PostgreSQL: one row per product with the array of distinct runs, GIN-indexed for `@>`.
  A side table rather than an expression index or a generated column: the planner would
  evaluate the runs function for each row when it prefers a scan, and a generated column
  would triple the size of catalog_product.
"""

from django.db import migrations


def sqlite_runs(text: str) -> str:
    """SQL for the space-separated 1- and 2-character runs of `text` (an SQL expression)."""
    return (
        "(WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos "
        f"WHERE i < length({text})) "
        f"SELECT group_concat(substr({text}, i, 1) || ' ' || substr({text}, i, 2), ' ') "
        f"FROM pos WHERE i <= length({text}))"
    )


SQLITE_UP = [
    # detail=none: only "which products contain this run" is ever asked
    "CREATE VIRTUAL TABLE catalog_product_grams USING fts5("
    "grams, content='', tokenize='ascii', detail='none', columnsize=0)",
    "CREATE TRIGGER catalog_product_grams_ai AFTER INSERT ON catalog_product BEGIN "
    f"INSERT INTO catalog_product_grams(rowid, grams) VALUES (new.id, {sqlite_runs('new.search_text')}); END",
    # a contentless table forgets a row by being told the values it indexed for it
    "CREATE TRIGGER catalog_product_grams_ad AFTER DELETE ON catalog_product BEGIN "
    "INSERT INTO catalog_product_grams(catalog_product_grams, rowid, grams) "
    f"VALUES ('delete', old.id, {sqlite_runs('old.search_text')}); END",
    "CREATE TRIGGER catalog_product_grams_au AFTER UPDATE OF search_text ON catalog_product BEGIN "
    "INSERT INTO catalog_product_grams(catalog_product_grams, rowid, grams) "
    f"VALUES ('delete', old.id, {sqlite_runs('old.search_text')}); "
    f"INSERT INTO catalog_product_grams(rowid, grams) VALUES (new.id, {sqlite_runs('new.search_text')}); END",
    "INSERT INTO catalog_product_grams(rowid, grams) "
    f"SELECT id, {sqlite_runs('search_text')} FROM catalog_product",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS catalog_product_grams_au",
    "DROP TRIGGER IF EXISTS catalog_product_grams_ad",
    "DROP TRIGGER IF EXISTS catalog_product_grams_ai",
    "DROP TABLE IF EXISTS catalog_product_grams",
]
POSTGRES_UP = [
    "CREATE FUNCTION catalog_search_grams(t text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT array(SELECT DISTINCT substr(t, i, n) "
    "FROM generate_series(1, length(t)) i, (VALUES (1), (2)) v(n)) $$",
    "CREATE TABLE catalog_product_grams (product_id bigint PRIMARY KEY, grams text[] NOT NULL)",
    "CREATE INDEX catalog_product_grams_gin ON catalog_product_grams USING gin (grams)",
    """CREATE FUNCTION catalog_product_grams_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM catalog_product_grams WHERE product_id = OLD.id;
        ELSE
            INSERT INTO catalog_product_grams (product_id, grams)
            VALUES (NEW.id, catalog_search_grams(NEW.search_text))
            ON CONFLICT (product_id) DO UPDATE SET grams = EXCLUDED.grams;
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER catalog_product_grams_sync "
    "AFTER INSERT OR DELETE OR UPDATE OF search_text ON catalog_product "
    "FOR EACH ROW EXECUTE FUNCTION catalog_product_grams_sync()",
    # Django's test flush TRUNCATEs catalog_product, which fires no row trigger
    """CREATE FUNCTION catalog_product_grams_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE catalog_product_grams;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER catalog_product_grams_truncate AFTER TRUNCATE ON catalog_product "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_product_grams_truncate()",
    "INSERT INTO catalog_product_grams (product_id, grams) "
    "SELECT id, catalog_search_grams(search_text) FROM catalog_product",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS catalog_product_grams_truncate ON catalog_product",
    "DROP TRIGGER IF EXISTS catalog_product_grams_sync ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_product_grams_truncate()",
    "DROP FUNCTION IF EXISTS catalog_product_grams_sync()",
    "DROP TABLE IF EXISTS catalog_product_grams",
    "DROP FUNCTION IF EXISTS catalog_search_grams(text)",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_index")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
