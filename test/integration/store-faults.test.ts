/**
 * A broken insights store must not break the commands that only record into it, must be a
 * clear error for the commands whose job is the store, and must never lose what it holds.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../support/cli.js';
import { makeImage, writeOciLayout } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';

const require = createRequire(import.meta.url);
let home: string;
const storeDir = (h: string): string => join(h, '.local', 'share', 'ghcr-optimize');

beforeAll(async () => {
  home = makeTempDir('store-faults-');
  await writeOciLayout(join(home, 'layout'), [
    { tag: 'app', imageOrIndex: makeImage({ layers: [{ 'app/a.txt': 'hello' }] }) },
  ]);
});
afterAll(() => removeTempDir(home));

describe('insights store faults', () => {
  it('a corrupt store file: recording commands still succeed with one warning, the file is untouched', async () => {
    const h = join(home, 'corrupt');
    mkdirSync(storeDir(h), { recursive: true });
    const junk = Buffer.from('this is not a SQLite database, it is a text file\n'.repeat(100));
    writeFileSync(join(storeDir(h), 'insights.db'), junk);
    const r = await runCli(['analyze', `oci:${join(home, 'layout')}:app`], { home: h });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderrLines).toEqual([
      expect.stringMatching(/^warning: not recorded in the insights store: .*SQLITE_NOTADB/),
    ]);
    const m = await runCli(['memory', 'list'], { home: h });
    expect(m.code).toBe(11);
    expect(m.stderrLines[1]).toMatch(/^hint: the file is not a usable SQLite database: move it away/);
    expect(readFileSync(join(storeDir(h), 'insights.db')).equals(junk)).toBe(true);
    // --quiet silences the warning, not the result.
    const q = await runCli(['analyze', `oci:${join(home, 'layout')}:app`, '--quiet'], { home: h });
    expect(q.code).toBe(0);
    expect(q.stderr).toBe('');
  });

  it('a locked store: memory fails with exit 11 and a hint; the row written before is intact', async () => {
    const h = join(home, 'locked');
    mkdirSync(h);
    const set = await runCli(['memory', 'set', 'k', 'kept'], { home: h });
    expect(set.code, describeRun(set)).toBe(0);
    const db = new Database(join(storeDir(h), 'insights.db'));
    try {
      db.exec('BEGIN EXCLUSIVE');
      const r = await runCli(['memory', 'set', 'k', 'lost'], { home: h, timeoutMs: 60_000 });
      expect(r.code, describeRun(r)).toBe(11);
      expect(r.stderrLines[0]).toMatch(/^error: insights store .*insights\.db: .*\(SQLITE_BUSY\)$/);
      expect(r.stderrLines[1]).toMatch(/^hint: another process holds the database/);
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
    const get = await runCli(['memory', 'get', 'k'], { home: h });
    expect(get.stdout.trim()).toBe('kept');
  }, 90_000);

  it('WAL recovery: a writer that died after committing leaves its row readable', async () => {
    const h = join(home, 'wal');
    mkdirSync(h);
    expect((await runCli(['memory', 'set', 'first', '1'], { home: h })).code).toBe(0);
    // Commit through a second connection and never checkpoint or close it cleanly: the row lives
    // only in the -wal file, as after a crash.
    const script = `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(join(storeDir(h), 'insights.db'))});
      db.pragma('wal_autocheckpoint = 0');
      db.prepare("INSERT INTO memory (namespace, key, value, expires_at, updated_at) VALUES ('default', 'crash', '\\"survived\\"', NULL, ?)").run(Date.now());
      process.kill(process.pid, 'SIGKILL');
    `;
    const { spawnSync } = await import('node:child_process');
    spawnSync(process.execPath, ['-e', script]);
    const get = await runCli(['memory', 'get', 'crash'], { home: h });
    expect(get.code, describeRun(get)).toBe(0);
    expect(get.stdout.trim()).toBe('survived');
  });
});
