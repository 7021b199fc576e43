import { describe, expect, it } from 'vitest';
import {
  configuredStoreUrl,
  defaultStorePath,
  describeStoreLocation,
  parseStoreUrl,
  redactStoreUrl,
  resolveStoreLocation,
} from '../../../src/store/location.js';
import { UsageError } from '../../../src/errors.js';

describe('defaultStorePath', () => {
  it('uses $XDG_DATA_HOME when absolute', () => {
    expect(defaultStorePath({ XDG_DATA_HOME: '/data', HOME: '/home/u' })).toBe(
      '/data/ghcr-optimize/insights.db',
    );
  });

  it('falls back to ~/.local/share, ignoring a relative XDG_DATA_HOME as the spec says', () => {
    expect(defaultStorePath({ HOME: '/home/u' })).toBe('/home/u/.local/share/ghcr-optimize/insights.db');
    expect(defaultStorePath({ XDG_DATA_HOME: 'rel/dir', HOME: '/home/u' })).toBe(
      '/home/u/.local/share/ghcr-optimize/insights.db',
    );
    expect(defaultStorePath({ XDG_DATA_HOME: '', HOME: '/home/u' })).toBe(
      '/home/u/.local/share/ghcr-optimize/insights.db',
    );
  });
});

describe('resolveStoreLocation', () => {
  const env = { HOME: '/home/u' };

  it('defaults to SQLite', () => {
    expect(resolveStoreLocation({}, env)).toEqual({
      kind: 'sqlite',
      path: '/home/u/.local/share/ghcr-optimize/insights.db',
    });
    expect(resolveStoreLocation(undefined, env)).toEqual(resolveStoreLocation({}, env));
    expect(resolveStoreLocation({ store: null }, env)).toEqual(resolveStoreLocation({}, env));
    expect(resolveStoreLocation({ store: {} }, env)).toEqual(resolveStoreLocation({}, env));
  });

  it('reads store.url from the raw config', () => {
    expect(resolveStoreLocation({ store: { url: 'postgres://u:p@db:5432/ghcr' } }, env)).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/ghcr',
    });
  });

  it('GHCR_OPTIMIZE_STORE_URL wins over the config file (secrets stay out of committed files)', () => {
    expect(
      resolveStoreLocation(
        { store: { url: 'sqlite:/x.db' } },
        { ...env, GHCR_OPTIMIZE_STORE_URL: 'postgresql://ci@db/ghcr' },
      ),
    ).toEqual({ kind: 'postgres', url: 'postgresql://ci@db/ghcr' });
    // An empty variable is unset.
    expect(
      resolveStoreLocation({ store: { url: 'sqlite:/x.db' } }, { ...env, GHCR_OPTIMIZE_STORE_URL: '' }),
    ).toEqual({ kind: 'sqlite', path: '/x.db' });
  });

  it('off turns the store off', () => {
    for (const v of ['off', 'OFF', 'none', 'false', 'disabled'])
      expect(resolveStoreLocation({ store: { url: v } }, env)).toEqual({ kind: 'off' });
  });

  it('refuses malformed store config with a usage error', () => {
    expect(() => configuredStoreUrl({ store: 'postgres://x' })).toThrow(UsageError);
    expect(() => configuredStoreUrl({ store: { url: 5 } })).toThrow(/store.url must be a non-empty string/);
    expect(() => configuredStoreUrl({ store: { url: '  ' } })).toThrow(UsageError);
  });
});

describe('parseStoreUrl', () => {
  it('sqlite: paths, relative to the working directory', () => {
    expect(parseStoreUrl('sqlite:/var/lib/x.db')).toEqual({ kind: 'sqlite', path: '/var/lib/x.db' });
    expect(parseStoreUrl('sqlite://rel/x.db', '/work')).toEqual({ kind: 'sqlite', path: '/work/rel/x.db' });
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it('refuses other schemes and unparseable PostgreSQL URLs without echoing the password', () => {
    expect(() => parseStoreUrl('mysql://u:secret@db/x')).toThrow(/unsupported store URL/);
    let message = '';
    try {
      parseStoreUrl('mysql://u:secret@db/x');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain('secret');
    expect(() => parseStoreUrl('postgres://')).toThrow(/invalid store URL/);
    expect(() => parseStoreUrl('/plain/path.db')).toThrow(UsageError);
  });
});

describe('redactStoreUrl / describeStoreLocation', () => {
  it('drops the password and secret query parameters, keeps the rest', () => {
    expect(redactStoreUrl('postgres://ci:s3cr%40t@db.internal:5432/ghcr?sslmode=require')).toBe(
      'postgres://ci@db.internal:5432/ghcr?sslmode=require',
    );
    expect(redactStoreUrl('postgres://ci:x@db/ghcr?password=y')).toBe(
      'postgres://ci@db/ghcr?password=REDACTED',
    );
    expect(describeStoreLocation({ kind: 'postgres', url: 'postgres://a:b@h/d' })).toBe('postgres://a@h/d');
    expect(describeStoreLocation({ kind: 'sqlite', path: '/x.db' })).toBe('/x.db');
    expect(describeStoreLocation({ kind: 'off' })).toBe('off');
  });
});
