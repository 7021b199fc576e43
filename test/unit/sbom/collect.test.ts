import { describe, expect, it } from 'vitest';
import { mergeLayers } from '../../../src/analyze/file-tree.js';
import { isSbomSource } from '../../../src/sbom/capture.js';
import { collectPackages } from '../../../src/sbom/collect.js';
import { readFinalFile, resolveLink } from '../../../src/sbom/final-files.js';
import { scanFixtureLayers, type FixtureEntry } from '../../support/layer-fixtures.js';
import { ALPINE_LAYERS, DEBIAN_APP_LAYERS, DISTROLESS_LAYERS, DPKG_STATUS } from './fixtures.js';

async function collect(layers: FixtureEntry[][], maxCapturedFileBytes?: number) {
  const scans = await scanFixtureLayers(layers, {
    capture: isSbomSource,
    hashFiles: false,
    ...(maxCapturedFileBytes ? { limits: { maxCapturedFileBytes } } : {}),
  });
  return collectPackages(mergeLayers(scans), scans);
}

const summary = (p: { purl: string; locations: string[]; licenses: string[] }) => [
  p.purl,
  p.locations,
  p.licenses,
];

describe('packages of the final filesystem', () => {
  it('Debian + node + Python: the later dpkg status, deleted databases gone, duplicates merged', async () => {
    const r = await collect(DEBIAN_APP_LAYERS);
    expect(r.os).toEqual({
      id: 'debian',
      versionId: '12',
      name: 'Debian GNU/Linux',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(r.warnings).toEqual([]);
    const status = ['/var/lib/dpkg/status'];
    const lock = '/app/package-lock.json';
    const site = '/usr/local/lib/python3.11/site-packages';
    expect(r.packages.map(summary)).toEqual([
      ['pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12', status, []],
      [
        'pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5',
        status,
        [],
      ],
      // Installed by the later layer: its status file replaced the base's.
      ['pkg:deb/debian/curl@7.88.1-10%2Bdeb12u8?arch=amd64&distro=debian-12', status, []],
      ['pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc', status, []],
      ['pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12', status, []],
      ['pkg:npm/%40fastify/busboy@2.1.1', ['/app/node_modules/@fastify/busboy/package.json', lock], ['MIT']],
      ['pkg:npm/express@4.19.2', ['/app/node_modules/express/package.json', lock], ['MIT']],
      [
        'pkg:npm/safe-buffer@5.1.2',
        ['/app/node_modules/express/node_modules/safe-buffer/package.json', lock],
        ['MIT'],
      ],
      ['pkg:npm/safe-buffer@5.2.1', ['/app/node_modules/safe-buffer/package.json', lock], ['MIT']],
      ['pkg:pypi/requests@2.32.3', [`${site}/requests-2.32.3.dist-info/METADATA`], ['Apache-2.0']],
      [
        'pkg:pypi/typing-extensions@4.12.2',
        [`${site}/typing_extensions-4.12.2.dist-info/METADATA`],
        ['PSF-2.0'],
      ],
    ]);
    expect(r.packages.find((p) => p.name === 'libc6')).toEqual({
      ecosystem: 'deb',
      name: 'libc6',
      version: '2.36-9+deb12u7',
      purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc',
      licenses: [],
      arch: 'amd64',
      sourceName: 'glibc',
      description: 'GNU C Library: Shared libraries',
      homepage: 'https://www.gnu.org/software/libc/libc.html',
      maintainer: 'GNU Libc Maintainers <debian-glibc@lists.debian.org>',
      locations: status,
    });
    expect(r.packages.find((p) => p.name === '@fastify/busboy')).toMatchObject({
      namespace: '@fastify',
      description: 'A streaming parser for HTML form data for node.js',
    });
    expect(r.packages.find((p) => p.name === 'typing_extensions')?.purl).toBe(
      'pkg:pypi/typing-extensions@4.12.2',
    );
  });

  it('distroless status.d: one file per package, md5sums skipped, a deleted one gone', async () => {
    const r = await collect(DISTROLESS_LAYERS);
    expect(r.os?.prettyName).toBe('Distroless');
    expect(r.packages.map(summary)).toEqual([
      [
        'pkg:deb/debian/base-files@12.4%2Bdeb12u6?arch=amd64&distro=debian-12',
        ['/var/lib/dpkg/status.d/base-files'],
        [],
      ],
      [
        'pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl',
        ['/var/lib/dpkg/status.d/libssl3'],
        [],
      ],
      ['pkg:deb/debian/netbase@6.4?arch=all&distro=debian-12', ['/var/lib/dpkg/status.d/netbase'], []],
    ]);
  });

  it('Alpine: apk database with licences, the namespace and distro from os-release', async () => {
    const r = await collect(ALPINE_LAYERS);
    const db = ['/lib/apk/db/installed'];
    expect(r.packages.map(summary)).toEqual([
      ['pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3', db, ['GPL-2.0-only']],
      [
        'pkg:apk/alpine/ca-certificates-bundle@20240705-r0?arch=x86_64&distro=alpine-3.20.3&upstream=ca-certificates',
        db,
        ['MPL-2.0 AND MIT'],
      ],
      ['pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3', db, ['MIT']],
      ['pkg:apk/alpine/zlib@1.3.1-r1?arch=x86_64&distro=alpine-3.20.3', db, ['Zlib']],
    ]);
  });

  it('a database deleted by a later layer counts as gone, and one put back counts again', async () => {
    const base: FixtureEntry[] = [{ path: 'var/lib/dpkg/status', data: DPKG_STATUS }];
    expect((await collect([base, [{ type: 'whiteout', path: 'var/lib/dpkg' }]])).packages).toEqual([]);
    const opaque = await collect([
      base,
      [
        { type: 'dir', path: 'var/lib/' },
        { type: 'opaque', path: 'var/lib' },
      ],
    ]);
    expect(opaque.packages).toEqual([]);
    const back = await collect([base, [{ type: 'whiteout', path: 'var/lib/dpkg/status' }], base]);
    expect(back.packages.map((p) => p.name)).toEqual(['base-files', 'bsdutils', 'libc6', 'tzdata']);
    // Without os-release the namespace is still debian, with no distro qualifier.
    expect(back.os).toBeUndefined();
    expect(back.packages[0]?.purl).toBe('pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64');
  });

  it('a database over the capture limit is reported, not silently skipped', async () => {
    const r = await collect([[{ path: 'var/lib/dpkg/status', data: DPKG_STATUS }]], 100);
    expect(r.packages).toEqual([]);
    expect(r.warnings).toEqual([
      `/var/lib/dpkg/status: not read (larger than the ${Buffer.byteLength(DPKG_STATUS)}-byte limit)`,
    ]);
  });

  it('a broken lockfile is a warning; the rest is still read', async () => {
    const r = await collect([
      [
        { path: 'app/package-lock.json', data: '{ "lockfileVersion": 3, ' },
        { path: 'app/node_modules/a/package.json', data: '{"name":"a","version":"1.0.0"}' },
      ],
    ]);
    expect(r.packages.map((p) => p.purl)).toEqual(['pkg:npm/a@1.0.0']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^\/app\/package-lock\.json: not a valid package-lock\.json/);
  });
});

describe('final file contents', () => {
  it('follows symlinks (relative and absolute) and hard links', async () => {
    const scans = await scanFixtureLayers(
      [
        [
          { path: 'usr/lib/os-release', data: 'ID=one\n' },
          { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' },
        ],
        [
          { path: 'lib/apk/db/installed', data: 'P:x\nV:1\n' },
          { type: 'hardlink', path: 'var/lib/dpkg/status', target: 'lib/apk/db/installed' },
          { type: 'symlink', path: 'usr/lib/os-release', target: '/etc/os-release' },
        ],
      ],
      { capture: isSbomSource },
    );
    const tree = mergeLayers(scans);
    // The second layer turned the file into a link back to the link: a loop, not a file.
    expect(readFinalFile(tree, scans, 'etc/os-release')).toMatchObject({ ok: false, reason: 'missing' });
    const hard = readFinalFile(tree, scans, 'var/lib/dpkg/status');
    expect(hard.ok && hard.content.toString()).toBe('P:x\nV:1\n');
    expect(resolveLink('etc/os-release', '../usr/lib/os-release')).toBe('usr/lib/os-release');
    expect(resolveLink('etc/x', '/../../a/./b')).toBe('a/b');
  });
});
