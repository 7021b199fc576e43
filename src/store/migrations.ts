/**
 * The store's schema, as Kysely migrations defined in code (no migration files to ship or find).
 * One list for both dialects; the only branch is the auto-increment key.
 *
 * Rules for new migrations, because one PostgreSQL store is shared by many runners that upgrade
 * at different times: append, never edit or reorder; only add (tables, nullable columns,
 * indexes), so an older ghcr-optimize keeps working on a newer schema. An older version skips the
 * migrator when every migration it knows is applied, so unknown newer ones do not stop it.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { StoreDialect } from './types.js';

/** Kysely's bookkeeping tables (the defaults, named here so the fast path can read them). */
export const MIGRATION_TABLE = 'kysely_migration';
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock';

// Migrations see a database of unknown (changing) shape, hence Kysely<any>.
/* eslint-disable @typescript-eslint/no-explicit-any */
export function storeMigrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001_events_and_memory': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('events')
          .ifNotExists()
          .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          // Epoch milliseconds: the same comparisons and arithmetic in both dialects.
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('command', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('subject', 'text')
          .addColumn('host', 'text')
          // JSON as text in both (PostgreSQL: query with data::jsonb).
          .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
          .addColumn('duration_ms', 'double precision')
          .addColumn('ok', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        await db.schema.createIndex('events_at').ifNotExists().on('events').column('at').execute();
        await db.schema
          .createIndex('events_kind_at')
          .ifNotExists()
          .on('events')
          .columns(['kind', 'at'])
          .execute();
        await db.schema
          .createIndex('events_subject_at')
          .ifNotExists()
          .on('events')
          .columns(['subject', 'at'])
          .execute();

        await db.schema
          .createTable('memory')
          .ifNotExists()
          .addColumn('namespace', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('memory_pkey', ['namespace', 'key'])
          .execute();
        await db.schema
          .createIndex('memory_expires_at')
          .ifNotExists()
          .on('memory')
          .column('expires_at')
          .execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('memory').ifExists().execute();
        await db.schema.dropTable('events').ifExists().execute();
      },
    },
  };
}

/** Names of the migrations this version knows, in order. */
export function migrationNames(dialect: StoreDialect = 'sqlite'): string[] {
  return Object.keys(storeMigrations(dialect)).sort();
}

async function appliedMigrations(db: Kysely<any>): Promise<Set<string> | undefined> {
  try {
    const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
    return new Set(rows.rows.map((r) => r.name));
  } catch {
    return undefined; // no bookkeeping table yet: a new store
  }
}

/**
 * Brings the schema up to date; a no-op (one small query) when it already is. Safe to run from
 * many processes at once: PostgreSQL serialises them with Kysely's advisory lock; SQLite
 * processes that lose the race for the write lock retry.
 */
export async function migrateStore(db: Kysely<any>, dialect: StoreDialect): Promise<MigrationResultSet> {
  const known = migrationNames(dialect);
  const done = await appliedMigrations(db);
  if (done && known.every((n) => done.has(n))) return { results: [] };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(storeMigrations(dialect)) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  let last: MigrationResultSet = { results: [] };
  for (let attempt = 0; attempt < 5; attempt++) {
    last = await migrator.migrateToLatest();
    if (last.error === undefined) return last;
    const code = (last.error as { code?: unknown }).code;
    if (dialect !== 'sqlite' || (code !== 'SQLITE_BUSY' && code !== 'SQLITE_BUSY_SNAPSHOT')) break;
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1) + Math.random() * 50));
  }
  throw last.error;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
