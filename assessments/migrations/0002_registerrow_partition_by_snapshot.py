"""The register table becomes partitioned by snapshot: one partition per imported snapshot.

An import COPYs a snapshot's rows into a table of its own without indexes and attaches it
when complete (assessments/services/register.py); deleting a snapshot drops its partition.

- PostgreSQL wants the partition key in every unique key, so the database's primary key is
  (id, snapshot_id). Django keeps `id` as the model's primary key: one shared sequence keeps
  it unique across partitions.
- BatchRow.match loses its foreign key (it cannot reference `id` alone); its register row
  lives as long as the batch's snapshot, which the batch PROTECTs.
- RegisterRow.snapshot loses its foreign key too: the partition bound ties each row to its
  snapshot, and attaching a partition under a foreign key would lock the snapshot table
  until the import commits. In its place a trigger refuses to delete a snapshot whose
  partition is still there.
- The lookup indexes are declared on the partitioned table, without the snapshot column.

Rows already present (none in production yet) move to one partition per snapshot and keep
their ids, so that BatchRow.match still points at them.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = (
    "id, row_number, id_dtsen, nik, kk_number, name, name_key, birth_date, sex, "
    "village_code, address, decile, snapshot_id"
)
FK_0001 = "assessments_register_snapshot_id_e59b4763_fk_assessmen"

# The columns and checks as 0001 made them.
TABLE_BODY = """
    row_number integer NOT NULL,
    id_dtsen varchar(40) NOT NULL,
    nik varchar(16) NOT NULL,
    kk_number varchar(16) NOT NULL,
    name varchar(150) NOT NULL,
    name_key varchar(150) NOT NULL,
    birth_date date NULL,
    sex varchar(1) NOT NULL,
    village_code varchar(13) NOT NULL,
    address varchar(255) NOT NULL,
    decile smallint NOT NULL,
    snapshot_id uuid NOT NULL,
    CONSTRAINT assessments_registerrow_decile_check CHECK (decile >= 0),
    CONSTRAINT assessments_registerrow_row_number_check CHECK (row_number >= 0),
    CONSTRAINT register_decile_1_10 CHECK (decile >= 1 AND decile <= 10),
    CONSTRAINT register_row_once_per_snapshot UNIQUE (snapshot_id, row_number)
"""

GUARD = """
    CREATE FUNCTION assessments_registersnapshot_keep_rows() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF to_regclass(quote_ident(
            'assessments_registerrow_' || replace(OLD.id::text, '-', '')
        )) IS NOT NULL THEN
            RAISE EXCEPTION 'register snapshot % still has its rows', OLD.id
                USING ERRCODE = 'foreign_key_violation',
                      HINT = 'Delete it with assessments.services.register.register_snapshot_delete';
        END IF;
        RETURN OLD;
    END
    $$
"""


def _set_aside(suffix: str) -> list[str]:
    """Rename the current table, its index-backed constraints and its id sequence."""
    old = f"assessments_registerrow_{suffix}"
    return [
        f"ALTER TABLE assessments_registerrow RENAME TO {old}",
        f"ALTER TABLE {old} RENAME CONSTRAINT assessments_registerrow_pkey TO {old}_pkey",
        f"ALTER TABLE {old} RENAME CONSTRAINT register_row_once_per_snapshot TO {old}_once",
        f"ALTER SEQUENCE assessments_registerrow_id_seq RENAME TO {old}_id_seq",
    ]


def _copy_rows(old: str) -> list[str]:
    """Copy the rows with their ids, carry the id sequence on from where it was, drop `old`."""
    return [
        f"INSERT INTO assessments_registerrow ({COLUMNS}) SELECT {COLUMNS} FROM {old}",
        f"""
        SELECT setval(
            pg_get_serial_sequence('assessments_registerrow', 'id'),
            GREATEST(s.last_value, m.id),
            s.is_called OR m.id >= s.last_value
        )
        FROM {old}_id_seq s, (SELECT COALESCE(max(id), 0) AS id FROM {old}) m
        """,
        f"DROP TABLE {old}",
    ]


FORWARD = [
    *_set_aside("0001"),
    "CREATE SEQUENCE assessments_registerrow_id_seq AS bigint",
    f"""
    CREATE TABLE assessments_registerrow (
        id bigint NOT NULL DEFAULT nextval('assessments_registerrow_id_seq'),
        {TABLE_BODY},
        CONSTRAINT assessments_registerrow_pkey PRIMARY KEY (id, snapshot_id)
    ) PARTITION BY LIST (snapshot_id)
    """,
    "ALTER SEQUENCE assessments_registerrow_id_seq OWNED BY assessments_registerrow.id",
    # One partition per snapshot that has rows, named as the import names them.
    """
    DO $$
    DECLARE
        snapshot uuid;
    BEGIN
        FOR snapshot IN SELECT DISTINCT snapshot_id FROM assessments_registerrow_0001 LOOP
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF assessments_registerrow FOR VALUES IN (%L)',
                'assessments_registerrow_' || replace(snapshot::text, '-', ''), snapshot
            );
        END LOOP;
    END
    $$
    """,
    *_copy_rows("assessments_registerrow_0001"),
    GUARD,
    "CREATE TRIGGER registersnapshot_keep_rows BEFORE DELETE ON assessments_registersnapshot"
    " FOR EACH ROW EXECUTE FUNCTION assessments_registersnapshot_keep_rows()",
]

BACKWARD = [
    "DROP TRIGGER registersnapshot_keep_rows ON assessments_registersnapshot",
    "DROP FUNCTION assessments_registersnapshot_keep_rows()",
    *_set_aside("0002"),
    f"""
    CREATE TABLE assessments_registerrow (
        id bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY
            CONSTRAINT assessments_registerrow_pkey PRIMARY KEY,
        {TABLE_BODY},
        CONSTRAINT {FK_0001} FOREIGN KEY (snapshot_id)
            REFERENCES assessments_registersnapshot (id) DEFERRABLE INITIALLY DEFERRED
    )
    """,
    # Checked at once: deferred checks still pending would forbid the index builds below.
    f"SET CONSTRAINTS {FK_0001} IMMEDIATE",
    *_copy_rows("assessments_registerrow_0002"),
    f"SET CONSTRAINTS {FK_0001} DEFERRED",
    "CREATE INDEX assessments_registerrow_snapshot_id_e59b4763"
    " ON assessments_registerrow (snapshot_id)",
    "CREATE INDEX register_snapshot_nik ON assessments_registerrow (snapshot_id, nik)",
    "CREATE INDEX register_snapshot_kk ON assessments_registerrow (snapshot_id, kk_number)"
    " WHERE NOT (kk_number = '')",
    "CREATE INDEX register_snapshot_village"
    " ON assessments_registerrow (snapshot_id, village_code text_pattern_ops)",
]


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0001_screening_assessment_register_eligibility'),
    ]

    operations = [
        migrations.AlterField(
            model_name='batchrow',
            name='match',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='assessments.registerrow'),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.RemoveIndex(
                    model_name='registerrow',
                    name='register_snapshot_nik',
                ),
                migrations.RemoveIndex(
                    model_name='registerrow',
                    name='register_snapshot_kk',
                ),
                migrations.RemoveIndex(
                    model_name='registerrow',
                    name='register_snapshot_village',
                ),
                migrations.AlterField(
                    model_name='registerrow',
                    name='snapshot',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='rows', to='assessments.registersnapshot'),
                ),
            ],
        ),
        # On the partitioned table: every partition, present and future, gets them.
        migrations.AddIndex(
            model_name='registerrow',
            index=models.Index(fields=['nik'], name='register_nik'),
        ),
        migrations.AddIndex(
            model_name='registerrow',
            index=models.Index(condition=models.Q(('kk_number', ''), _negated=True), fields=['kk_number'], name='register_kk'),
        ),
        migrations.AddIndex(
            model_name='registerrow',
            index=models.Index(fields=['village_code'], name='register_village', opclasses=['text_pattern_ops']),
        ),
    ]
