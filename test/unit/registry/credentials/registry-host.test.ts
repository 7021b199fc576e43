import { describe, expect, it } from 'vitest';

import { UsageError } from '../../../../src/errors.js';
import { scrubSecrets } from '../../../../src/registry/credentials/redact.js';
import {
  matchingKeys,
  normalizeRegistry,
  serverAddress,
} from '../../../../src/registry/credentials/registry-host.js';

describe('normalizeRegistry', () => {
  it.each([
    ['ghcr.io', 'ghcr.io'],
    ['GHCR.IO', 'ghcr.io'],
    ['https://ghcr.io/v2/', 'ghcr.io'],
    ['ghcr.io/owner/app', 'ghcr.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['http://localhost:5000', 'localhost:5000'],
    ['[::1]:5000', '[::1]:5000'],
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
  ])('%s → %s', (input, host) => {
    expect(normalizeRegistry(input)).toBe(host);
  });

  it.each(['', 'has space', 'ftp://ghcr.io', '-bad.example', 'ghcr.io:port'])('rejects %j', (input) => {
    expect(() => normalizeRegistry(input)).toThrow(UsageError);
  });

  it('names the Docker Hub server address as Docker does', () => {
    expect(serverAddress('docker.io')).toBe('https://index.docker.io/v1/');
    expect(serverAddress('ghcr.io')).toBe('ghcr.io');
  });
});

describe('matchingKeys', () => {
  it('orders exact, bare, then other spellings, keeping file order among equals', () => {
    const keys = [
      'http://ghcr.io/v2/',
      'ghcr.io/x',
      'GHCR.io',
      'https://ghcr.io',
      'ghcr.io',
      'quay.io',
      'not a key',
    ];
    expect(matchingKeys(keys, 'ghcr.io', 'docker')).toEqual([
      'ghcr.io',
      'GHCR.io',
      'http://ghcr.io/v2/',
      'ghcr.io/x',
      'https://ghcr.io',
    ]);
  });
});

describe('scrubSecrets', () => {
  it('removes known secrets, their base64, key=value secrets and token shapes, on one line', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const text = [
      'failed for ghcr.io: my-pass',
      `encoded ${Buffer.from('my-pass').toString('base64')}`,
      '{"Secret":"json-secret"} password=kv-secret token: tk-secret',
      `Authorization: Bearer bearer-secret ${jwt}`,
      'ghp_0123456789abcdefghijABCDEFGHIJ',
      'opaque 0f3a9c2b7d1e4f5a6b8c9d0e1f2a3b4c5d6e7f80',
    ].join('\n');
    const out = scrubSecrets(text, ['my-pass']);
    for (const secret of [
      'my-pass',
      'json-secret',
      'kv-secret',
      'tk-secret',
      'bearer-secret',
      jwt,
      'ghp_',
      '0f3a9c2b',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('failed for ghcr.io');
    expect(out).not.toContain('\n');
  });

  it('keeps ordinary messages readable and caps their length', () => {
    expect(scrubSecrets('credentials not found in native keychain')).toBe(
      'credentials not found in native keychain',
    );
    expect(scrubSecrets('x '.repeat(400)).length).toBeLessThanOrEqual(301);
  });
});
