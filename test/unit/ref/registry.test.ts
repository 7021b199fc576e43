import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REGISTRY,
  isLoopbackRegistry,
  parseReference,
  registryKey,
  registryOrigin,
  sameRegistry,
} from '../../../src/ref/index.js';
import { expectReferenceError } from './helpers.js';

describe('isLoopbackRegistry', () => {
  it.each([
    'localhost',
    'localhost:5000',
    'localhost:1',
    'LOCALHOST:1',
    'LocalHost',
    '127.0.0.1',
    '127.0.0.1:5000',
    '127.9.9.9',
    '127.255.255.255',
    '127.0.0.0:80',
    '127.1.2.3:65535',
    '[::1]',
    '[::1]:5000',
    '[0:0:0:0:0:0:0:1]',
    '[0:0:0:0:0:0:0:1]:5000',
    '[::0:1]',
    '[0::1]',
    '[0000::0001]:443',
  ])('%s is loopback', (registry) => {
    expect(isLoopbackRegistry(registry)).toBe(true);
  });

  it.each([
    '128.0.0.1',
    '126.255.255.255',
    '10.0.0.1:5000',
    '0.0.0.0',
    '1.127.0.0',
    '127.0.0.256',
    '127.0.0',
    '127.0.0.1.1',
    '127.1',
    'localhost.example.com',
    'localhost.localdomain',
    'my-localhost',
    'localhostx:5000',
    'ghcr.io',
    'docker.io',
    DEFAULT_REGISTRY,
    '[::]',
    '[::2]',
    '[1::1]',
    '[::1:1]',
    '[::ffff:7f00:1]',
    '[::1::]',
    '[1:2:3:4:5:6:7:8:9]',
    '[0:0:0:0:0:0:0:0:1]',
    '[00000::1]',
    // Invalid registries are never loopback.
    '',
    'localhost:',
    'localhost:abc',
    'localhost:99999',
    '[::1',
    '[::1]x',
    '[fe80::1%lo]',
    'localhost.',
  ])('%j is not loopback', (registry) => {
    expect(isLoopbackRegistry(registry)).toBe(false);
  });

  it.each([
    ['localhost:5000/a', true],
    ['127.0.0.1:5000/a', true],
    ['[::1]:5000/a', true],
    ['localhost', false],
    ['ghcr.io/o/a', false],
  ])('works on parsed references: %s', (input, loopback) => {
    expect(isLoopbackRegistry(parseReference(input).registry)).toBe(loopback);
  });
});

describe('registryOrigin', () => {
  it.each([
    ['ghcr.io', { host: 'ghcr.io', hostname: 'ghcr.io' }],
    ['docker.io', { host: 'docker.io', hostname: 'docker.io' }],
    ['localhost', { host: 'localhost', hostname: 'localhost' }],
    ['localhost:5000', { host: 'localhost:5000', hostname: 'localhost', port: 5000 }],
    ['127.0.0.1:5000', { host: '127.0.0.1:5000', hostname: '127.0.0.1', port: 5000 }],
    ['example.com:443', { host: 'example.com:443', hostname: 'example.com', port: 443 }],
    ['example.com:0', { host: 'example.com:0', hostname: 'example.com', port: 0 }],
    ['example.com:65535', { host: 'example.com:65535', hostname: 'example.com', port: 65535 }],
    ['example.com:08080', { host: 'example.com:08080', hostname: 'example.com', port: 8080 }],
    ['GHCR.IO', { host: 'GHCR.IO', hostname: 'GHCR.IO' }],
    ['Foo', { host: 'Foo', hostname: 'Foo' }],
    ['[::1]', { host: '[::1]', hostname: '::1' }],
    ['[::1]:5000', { host: '[::1]:5000', hostname: '::1', port: 5000 }],
    ['[2001:db8::1]:5000', { host: '[2001:db8::1]:5000', hostname: '2001:db8::1', port: 5000 }],
    ['[fc00:1:2:3:4:5:6:7]', { host: '[fc00:1:2:3:4:5:6:7]', hostname: 'fc00:1:2:3:4:5:6:7' }],
  ])('%s', (registry, expected) => {
    expect(registryOrigin(registry)).toStrictEqual(expected);
  });

  it('omits the port key when there is no port', () => {
    expect('port' in registryOrigin('ghcr.io')).toBe(false);
  });

  it.each([
    ['', 'registry', 'must not be empty'],
    ['ghcr.io:', 'registry "ghcr.io:"', 'has an empty port'],
    ['ghcr.io:https', 'registry "ghcr.io:https"', 'has port "https", which is not a number'],
    ['ghcr.io:70000', 'registry "ghcr.io:70000"', 'has port 70000, which is above 65535'],
    ['ghcr.io:1:2', 'registry "ghcr.io:1:2"', 'has port "1:2"'],
    ['gh_cr.io', 'registry "gh_cr.io"', 'contains invalid character "_"'],
    ['ghcr.io/o', 'registry "ghcr.io/o"', 'contains invalid character "/"'],
    ['-ghcr.io', 'registry "-ghcr.io"', 'starts or ends with "-"'],
    ['ghcr..io', 'registry "ghcr..io"', 'has an empty host name label'],
    ['[::1', 'registry "[::1"', 'must be an IPv6 address in brackets'],
    ['[::1]5000', 'registry "[::1]5000"', 'must be an IPv6 address in brackets'],
    ['[fe80::1%eth0]', 'registry "[fe80::1%eth0]"', 'zone identifier'],
    ['[]', 'registry "[]"', 'has an empty IPv6 address'],
    ['[1.2.3.4]', 'registry "[1.2.3.4]"', 'characters other than hex digits'],
  ])('refuses %j', (registry, part, reason) => {
    expectReferenceError(() => registryOrigin(registry), registry, part, reason);
  });
});

describe('registryKey and sameRegistry', () => {
  it.each([
    ['ghcr.io', 'ghcr.io'],
    ['GHCR.IO', 'ghcr.io'],
    ['Ghcr.Io:443', 'ghcr.io:443'],
    ['index.docker.io', 'docker.io'],
    ['INDEX.DOCKER.IO', 'docker.io'],
    ['Docker.io', 'docker.io'],
    ['index.docker.io:443', 'index.docker.io:443'],
    ['[FE80::1]:5000', '[fe80::1]:5000'],
  ])('registryKey(%s) = %s', (registry, key) => {
    expect(registryKey(registry)).toBe(key);
  });

  it.each([
    ['ghcr.io', 'GHCR.io', true],
    ['docker.io', 'index.docker.io', true],
    ['Docker.IO', 'docker.io', true],
    ['localhost:5000', 'LOCALHOST:5000', true],
    ['localhost:5000', 'localhost:5001', false],
    ['localhost', 'localhost:80', false],
    ['ghcr.io', 'docker.io', false],
    ['127.0.0.1', 'localhost', false],
  ])('sameRegistry(%s, %s) = %s', (a, b, same) => {
    expect(sameRegistry(a, b)).toBe(same);
    expect(sameRegistry(b, a)).toBe(same);
  });

  it('compares registries kept as typed by the parser', () => {
    const a = parseReference('GHCR.IO/o/a');
    const b = parseReference('ghcr.io/o/a');
    expect(a.registry).not.toBe(b.registry);
    expect(sameRegistry(a.registry, b.registry)).toBe(true);
  });
});
