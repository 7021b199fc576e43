/** Builds the project's RegistryClient for tests: fast retries, explicit credentials, no ambient env. */
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import type { RunningRegistry } from './registry.js';

export function testClient(
  opts: RegistryClientOptions & { user?: { username: string; password: string } } = {},
): RegistryClient {
  const { user, ...rest } = opts;
  return new RegistryClient({
    retry: { baseDelayMs: 5, maxDelayMs: 3000, maxRetries: 4 },
    credentials: () => Promise.resolve(user ? { ...user, source: 'test' } : undefined),
    ...rest,
  });
}

export function tlsClient(
  reg: RunningRegistry,
  opts: RegistryClientOptions & { user?: { username: string; password: string } } = {},
): RegistryClient {
  return testClient({ caCertificates: reg.caPem ? [reg.caPem] : [], ...opts });
}
