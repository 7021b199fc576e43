import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AuthError, UsageError } from '../../../../src/errors.js';
import { findCredential, listCredentialSources } from '../../../../src/registry/credentials/index.js';
import { basic, makeSandbox } from './sandbox.js';
import type { Sandbox } from './sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

describe('credential helpers: get', () => {
  it('returns username and password from the helper', async () => {
    await sb.helper('pass', { creds: { 'ghcr.io': { Username: 'u', Secret: 's' } } });
    await sb.writeDockerConfig({ credsStore: 'pass' });
    expect(await findCredential('ghcr.io', sb.opts())).toEqual({
      username: 'u',
      password: 's',
      source: 'credential helper docker-credential-pass',
    });
  });

  it('reads the <token> username as an identity token', async () => {
    await sb.helper('pass', { creds: { 'ghcr.io': { Username: '<token>', Secret: 'refresh' } } });
    await sb.writeDockerConfig({ credsStore: 'pass' });
    expect(await findCredential('ghcr.io', sb.opts())).toEqual({
      identityToken: 'refresh',
      source: 'credential helper docker-credential-pass',
    });
    const [info] = await listCredentialSources('ghcr.io', sb.opts());
    expect(info).toEqual({
      source: 'credential helper docker-credential-pass',
      kind: 'identity-token',
      active: true,
    });
  });

  it('asks with the bare host, and with the v1 index URL for Docker Hub', async () => {
    const helper = await sb.helper('pass', {
      creds: {
        'https://index.docker.io/v1/': { Username: 'hub', Secret: 's' },
        '127.0.0.1:5000': { Username: 'l', Secret: 's' },
      },
    });
    await sb.writeDockerConfig({ credsStore: 'pass' });
    expect((await findCredential('registry-1.docker.io', sb.opts()))?.username).toBe('hub');
    expect((await findCredential('http://127.0.0.1:5000/v2/', sb.opts()))?.username).toBe('l');
    expect(await helper.calls()).toEqual([
      { action: 'get', server: 'https://index.docker.io/v1/' },
      { action: 'get', server: '127.0.0.1:5000' },
    ]);
  });

  it('treats "credentials not found" as no credentials', async () => {
    await sb.helper('pass', { creds: {} });
    await sb.writeDockerConfig({ credsStore: 'pass' });
    expect(await findCredential('ghcr.io', sb.opts())).toBeUndefined();
  });

  it('lets credHelpers win over credsStore for its host only', async () => {
    await sb.helper('perhost', { creds: { 'ghcr.io': { Username: 'perhost', Secret: 's1' } } });
    await sb.helper('global', {
      creds: {
        'ghcr.io': { Username: 'global', Secret: 's2' },
        'quay.io': { Username: 'global', Secret: 's3' },
      },
    });
    await sb.writeDockerConfig({ credsStore: 'global', credHelpers: { 'ghcr.io': 'perhost' } });
    expect((await findCredential('ghcr.io', sb.opts()))?.username).toBe('perhost');
    expect((await findCredential('quay.io', sb.opts()))?.username).toBe('global');
  });

  it.each(['https://index.docker.io/v1/', 'docker.io', 'index.docker.io'])(
    'finds a Docker Hub credHelpers entry keyed %s',
    async (key) => {
      await sb.helper('hub', { creds: { 'https://index.docker.io/v1/': { Username: 'hub', Secret: 's' } } });
      await sb.writeDockerConfig({ credHelpers: { [key]: 'hub' } });
      expect((await findCredential('docker.io', sb.opts()))?.username).toBe('hub');
    },
  );

  it('resolves helpers through env.PATH only', async () => {
    await sb.helper('pass', { creds: { 'ghcr.io': { Username: 'u', Secret: 's' } } });
    await sb.writeDockerConfig({ credsStore: 'pass' });
    sb.env['PATH'] = path.join(sb.root, 'nowhere');
    await expect(findCredential('ghcr.io', sb.opts())).rejects.toBeInstanceOf(UsageError);
  });
});

describe('credential helpers: failures', () => {
  it('reports a missing helper by program name, with a hint', async () => {
    await sb.writeDockerConfig({ credHelpers: { 'ghcr.io': 'nope' } });
    const err = await findCredential('ghcr.io', sb.opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain('docker-credential-nope');
    expect((err as UsageError).message).not.toContain('\n');
    expect((err as UsageError).hint).toContain(sb.dockerConfig);
  });

  it('refuses a helper name that is a path', async () => {
    await sb.writeDockerConfig({ credsStore: '../../bin/sh' });
    await expect(findCredential('ghcr.io', sb.opts())).rejects.toThrow(/invalid credential helper/);
  });

  it('skips a non-executable file on PATH', async () => {
    const file = path.join(sb.bin, 'docker-credential-plain');
    await writeFile(file, '#!/bin/sh\nexit 0\n');
    await chmod(file, 0o644);
    await sb.writeDockerConfig({ credsStore: 'plain' });
    await expect(findCredential('ghcr.io', sb.opts())).rejects.toThrow(
      /docker-credential-plain is not installed/,
    );
  });

  it('turns a helper failure into a one-line AuthError with secrets scrubbed', async () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    await sb.helper('pass', {
      mode: 'fail',
      failMessage: `gpg: decryption failed\nleaked password=${'hunter2'} ${token}`,
    });
    await sb.writeDockerConfig({ credsStore: 'pass' });
    const err = await findCredential('ghcr.io', sb.opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    const message = (err as AuthError).message;
    expect(message).toContain('docker-credential-pass');
    expect(message).toContain('gpg: decryption failed');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain(token);
    expect(message).not.toContain('\n');
    expect((err as AuthError).hint).toBeTruthy();
  });

  it('rejects output that is not JSON without echoing it', async () => {
    await sb.helper('pass', {
      mode: 'garbage',
      creds: { 'ghcr.io': { Username: 'u', Secret: 'garbled-secret' } },
    });
    await sb.writeDockerConfig({ credsStore: 'pass' });
    const err = await findCredential('ghcr.io', sb.opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).not.toContain('garbled-secret');
  });

  it('gives up on a helper that hangs', async () => {
    await sb.helper('pass', { mode: 'hang' });
    await sb.writeDockerConfig({ credsStore: 'pass' });
    const started = Date.now();
    const err = await findCredential('ghcr.io', sb.opts({ helperTimeoutMs: 500 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/did not answer "get" within 0.5s/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('does not fall through to the file when a helper fails', async () => {
    await sb.helper('pass', { mode: 'fail' });
    await sb.writeDockerConfig({ credsStore: 'pass', auths: { 'ghcr.io': { auth: basic('u', 'p') } } });
    await expect(findCredential('ghcr.io', sb.opts())).rejects.toBeInstanceOf(AuthError);
  });
});
