import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AuthError, UsageError } from '../../../../src/errors.js';
import {
  eraseCredential,
  findCredential,
  storeCredential,
} from '../../../../src/registry/credentials/index.js';
import { basic, makeSandbox } from './sandbox.js';
import type { Sandbox } from './sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

const password = 'correct-horse-battery-staple';

describe('storeCredential into config.json', () => {
  it('creates the directory 0700 and the file 0600', async () => {
    const { location } = await storeCredential('ghcr.io', { username: 'me', password }, sb.opts());
    expect(location).toBe(sb.dockerConfig);
    expect((await stat(path.dirname(sb.dockerConfig))).mode & 0o777).toBe(0o700);
    expect((await stat(sb.dockerConfig)).mode & 0o777).toBe(0o600);
    expect(await sb.readDockerConfig()).toEqual({ auths: { 'ghcr.io': { auth: basic('me', password) } } });
    expect(await findCredential('ghcr.io', sb.opts())).toEqual({
      username: 'me',
      password,
      source: `${sb.dockerConfig} (auths)`,
    });
  });

  it('keeps every other key, entry and unknown field, and leaves no temp file', async () => {
    await sb.writeDockerConfig({
      psFormat: 'table {{.ID}}',
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      auths: {
        'quay.io': { auth: basic('q', 'qp') },
        'ghcr.io': { auth: basic('old', 'old-pw'), email: 'me@example.com', identitytoken: 'stale' },
      },
      somethingNew: [1, { nested: true }],
    });
    await storeCredential('ghcr.io', { username: 'me', password }, sb.opts());
    expect(await sb.readDockerConfig()).toEqual({
      psFormat: 'table {{.ID}}',
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      auths: {
        'quay.io': { auth: basic('q', 'qp') },
        'ghcr.io': { email: 'me@example.com', auth: basic('me', password) },
      },
      somethingNew: [1, { nested: true }],
    });
    expect((await stat(sb.dockerConfig)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(sb.dockerConfig))).toEqual(['config.json']);
  });

  it('files Docker Hub under https://index.docker.io/v1/', async () => {
    await storeCredential('docker.io', { username: 'hub', password }, sb.opts());
    expect(Object.keys((await sb.readDockerConfig())['auths'] as object)).toEqual([
      'https://index.docker.io/v1/',
    ]);
    expect((await findCredential('index.docker.io', sb.opts()))?.username).toBe('hub');
  });

  it('writes to $DOCKER_CONFIG', async () => {
    sb.env['DOCKER_CONFIG'] = path.join(sb.root, 'cfg');
    const { location } = await storeCredential(
      'https://127.0.0.1:5000/v2/',
      { username: 'u', password },
      sb.opts(),
    );
    expect(location).toBe(path.join(sb.root, 'cfg', 'config.json'));
    expect((await findCredential('127.0.0.1:5000', sb.opts()))?.source).toBe(`${location} (auths)`);
  });

  it('never overwrites a corrupt file', async () => {
    const corrupt = '{"auths": {';
    await sb.writeDockerConfig(corrupt);
    const err = await storeCredential('ghcr.io', { username: 'me', password }, sb.opts()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(sb.dockerConfig);
    expect((err as UsageError).message).not.toContain(password);
    expect(await readFile(sb.dockerConfig, 'utf8')).toBe(corrupt);
  });

  it('rejects usernames Basic auth cannot carry and empty passwords', async () => {
    await expect(storeCredential('ghcr.io', { username: 'a:b', password }, sb.opts())).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(storeCredential('ghcr.io', { username: '', password }, sb.opts())).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(
      storeCredential('ghcr.io', { username: 'u', password: '' }, sb.opts()),
    ).rejects.toBeInstanceOf(UsageError);
  });
});

describe('storeCredential into a helper', () => {
  it('uses credsStore and sends the Docker Hub server URL', async () => {
    const helper = await sb.helper('global');
    await sb.writeDockerConfig({ credsStore: 'global' });
    const { location } = await storeCredential('docker.io', { username: 'hub', password }, sb.opts());
    expect(location).toBe('credential helper docker-credential-global');
    expect((await helper.state()).creds).toEqual({
      'https://index.docker.io/v1/': { Username: 'hub', Secret: password },
    });
    expect(await sb.readDockerConfig()).toEqual({ credsStore: 'global' });
  });

  it('uses the credHelpers entry for its host in preference to credsStore', async () => {
    const perhost = await sb.helper('perhost');
    const global = await sb.helper('global');
    await sb.writeDockerConfig({ credsStore: 'global', credHelpers: { 'ghcr.io': 'perhost' } });
    await storeCredential('ghcr.io', { username: 'me', password }, sb.opts());
    expect((await perhost.state()).creds).toEqual({ 'ghcr.io': { Username: 'me', Secret: password } });
    expect(await global.calls()).toEqual([]);
    expect((await findCredential('ghcr.io', sb.opts()))?.source).toBe(
      'credential helper docker-credential-perhost',
    );
  });

  it('removes an old plaintext copy but keeps the entry', async () => {
    await sb.helper('global');
    await sb.writeDockerConfig({
      credsStore: 'global',
      auths: { 'ghcr.io': { auth: basic('old', 'old-pw'), email: 'e' } },
    });
    await storeCredential('ghcr.io', { username: 'me', password }, sb.opts());
    expect((await sb.readDockerConfig())['auths']).toEqual({ 'ghcr.io': { email: 'e' } });
  });

  it('reports a helper failure without the password and leaves the file alone', async () => {
    await sb.helper('global', { mode: 'fail', failMessage: 'keychain locked' });
    const config = { credsStore: 'global', auths: { 'ghcr.io': { auth: basic('old', 'old-pw') } } };
    await sb.writeDockerConfig(config);
    const err = await storeCredential('ghcr.io', { username: 'me', password }, sb.opts()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('keychain locked');
    expect((err as Error).message).not.toContain(password);
    expect((err as Error).message).not.toContain(basic('me', password));
    expect(await sb.readDockerConfig()).toEqual(config);
  });

  it('reports a missing helper without falling back to plaintext', async () => {
    await sb.writeDockerConfig({ credsStore: 'desktop' });
    await expect(storeCredential('ghcr.io', { username: 'me', password }, sb.opts())).rejects.toThrow(
      /docker-credential-desktop/,
    );
    expect(await sb.readDockerConfig()).toEqual({ credsStore: 'desktop' });
  });
});

describe('eraseCredential', () => {
  it('deletes every host-level spelling from config.json and keeps the rest', async () => {
    await sb.writeDockerConfig({
      auths: {
        'ghcr.io': { auth: basic('a', 'p') },
        'https://ghcr.io/v1/': { auth: basic('b', 'p') },
        'ghcr.io/owner': { auth: basic('c', 'p') },
        'quay.io': { auth: basic('q', 'p') },
      },
      other: 1,
    });
    expect(await eraseCredential('ghcr.io', sb.opts())).toEqual({ location: sb.dockerConfig, removed: true });
    expect(await sb.readDockerConfig()).toEqual({
      auths: { 'ghcr.io/owner': { auth: basic('c', 'p') }, 'quay.io': { auth: basic('q', 'p') } },
      other: 1,
    });
    expect((await stat(sb.dockerConfig)).mode & 0o777).toBe(0o600);
  });

  it('reports nothing removed when there was nothing, without creating a file', async () => {
    expect(await eraseCredential('ghcr.io', sb.opts())).toEqual({
      location: sb.dockerConfig,
      removed: false,
    });
    await expect(stat(sb.dockerConfig)).rejects.toThrow();
    await sb.writeDockerConfig({ auths: { 'quay.io': { auth: basic('q', 'p') } } });
    expect(await eraseCredential('ghcr.io', sb.opts())).toEqual({
      location: sb.dockerConfig,
      removed: false,
    });
  });

  it('erases Docker Hub under all its spellings', async () => {
    await storeCredential('docker.io', { username: 'hub', password }, sb.opts());
    expect((await eraseCredential('registry-1.docker.io', sb.opts())).removed).toBe(true);
    expect(await findCredential('docker.io', sb.opts())).toBeUndefined();
  });

  it('erases from the helper and drops its marker entry', async () => {
    const helper = await sb.helper('global', { creds: { 'ghcr.io': { Username: 'me', Secret: password } } });
    await sb.writeDockerConfig({ credsStore: 'global', auths: { 'ghcr.io': {} } });
    expect(await eraseCredential('ghcr.io', sb.opts())).toEqual({
      location: 'credential helper docker-credential-global',
      removed: true,
    });
    expect((await helper.state()).creds).toEqual({});
    expect(await sb.readDockerConfig()).toEqual({ credsStore: 'global', auths: {} });
  });

  it('reports removed: false when the helper had nothing', async () => {
    const helper = await sb.helper('global');
    await sb.writeDockerConfig({ credsStore: 'global' });
    expect(await eraseCredential('docker.io', sb.opts())).toEqual({
      location: 'credential helper docker-credential-global',
      removed: false,
    });
    expect(await helper.calls()).toEqual([{ action: 'erase', server: 'https://index.docker.io/v1/' }]);
  });

  it('refuses to touch a corrupt file', async () => {
    await sb.writeDockerConfig('not json');
    await expect(eraseCredential('ghcr.io', sb.opts())).rejects.toBeInstanceOf(UsageError);
  });
});
