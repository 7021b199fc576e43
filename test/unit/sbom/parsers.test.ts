import { describe, expect, it } from 'vitest';
import { parseApkInstalled } from '../../../src/sbom/apk.js';
import { parseParagraphs } from '../../../src/sbom/control.js';
import { isDpkgDatabase, isInstalled, parseDpkgStatus } from '../../../src/sbom/dpkg.js';
import {
  isInstalledPackageJson,
  isPackageLock,
  npmLicenses,
  parsePackageJson,
  parsePackageLock,
  splitNpmName,
} from '../../../src/sbom/npm.js';
import { parseOsRelease } from '../../../src/sbom/os-release.js';
import { isPythonMetadata, parseCoreMetadata } from '../../../src/sbom/python.js';
import {
  ALPINE_OS_RELEASE,
  APK_INSTALLED,
  DEBIAN_OS_RELEASE,
  DISTROLESS_OS_RELEASE,
  DISTROLESS_STATUS_D,
  DPKG_STATUS,
  NODE_MODULES,
  PACKAGE_LOCK_V3,
  REQUESTS_METADATA,
  SIX_METADATA,
  TYPING_EXTENSIONS_METADATA,
} from './fixtures.js';

describe('deb822 paragraphs', () => {
  it('joins continuation lines and lower-cases field names', () => {
    const [p] = parseParagraphs('Package: a\nDescription: one\n second\n .\n third\n\n\n');
    expect(p?.get('package')).toBe('a');
    expect(p?.get('description')).toBe('one\nsecond\n.\nthird');
  });
});

describe('dpkg status', () => {
  it('lists the installed packages, exactly, and leaves out the one being removed', () => {
    expect(parseDpkgStatus(DPKG_STATUS)).toEqual([
      {
        name: 'base-files',
        version: '12.4+deb12u5',
        architecture: 'amd64',
        maintainer: 'Santiago Vila <sanvila@debian.org>',
        description: 'Debian base system miscellaneous files',
      },
      {
        name: 'libc6',
        version: '2.36-9+deb12u7',
        architecture: 'amd64',
        sourceName: 'glibc',
        maintainer: 'GNU Libc Maintainers <debian-glibc@lists.debian.org>',
        homepage: 'https://www.gnu.org/software/libc/libc.html',
        description: 'GNU C Library: Shared libraries',
      },
      {
        name: 'bsdutils',
        version: '1:2.38.1-5+deb12u1',
        architecture: 'amd64',
        sourceName: 'util-linux',
        sourceVersion: '2.38.1-5',
        maintainer: 'util-linux packagers <util-linux@packages.debian.org>',
        homepage: 'https://www.kernel.org/pub/linux/utils/util-linux/',
        description: 'basic utilities from 4.4BSD-Lite',
      },
      {
        name: 'tzdata',
        version: '2024a-0+deb12u1',
        architecture: 'all',
        maintainer: 'GNU Libc Maintainers <debian-glibc@lists.debian.org>',
        homepage: 'https://www.iana.org/time-zones',
        description: 'time zone and daylight-saving time data',
      },
    ]);
  });

  it('counts only "installed" with an install or hold want', () => {
    expect(isInstalled('install ok installed')).toBe(true);
    expect(isInstalled('hold ok installed')).toBe(true);
    expect(isInstalled('deinstall ok config-files')).toBe(false);
    expect(isInstalled('deinstall ok installed')).toBe(false);
    expect(isInstalled('purge ok not-installed')).toBe(false);
    expect(isInstalled('install reinstreq half-installed')).toBe(false);
    expect(isInstalled('install ok unpacked')).toBe(false);
    expect(isInstalled(undefined)).toBe(true);
  });

  it('reads a distroless status.d file (no Status field) and knows which files are databases', () => {
    expect(parseDpkgStatus(DISTROLESS_STATUS_D.libssl3!)).toEqual([
      {
        name: 'libssl3',
        version: '3.0.15-1~deb12u1',
        architecture: 'amd64',
        sourceName: 'openssl',
        maintainer: 'Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>',
        homepage: 'https://www.openssl.org/',
        description: 'Secure Sockets Layer toolkit - shared libraries',
      },
    ]);
    expect(isDpkgDatabase('var/lib/dpkg/status')).toBe(true);
    expect(isDpkgDatabase('var/lib/dpkg/status.d/libssl3')).toBe(true);
    expect(isDpkgDatabase('var/lib/dpkg/status.d/libssl3.md5sums')).toBe(false);
    expect(isDpkgDatabase('var/lib/dpkg/status-old')).toBe(false);
    expect(isDpkgDatabase('var/lib/dpkg/status.d/')).toBe(false);
    expect(isDpkgDatabase('var/lib/dpkg/status.d/x/y')).toBe(false);
  });
});

describe('apk installed database', () => {
  it('lists every package with its licence and origin, ignoring the file lines', () => {
    expect(parseApkInstalled(APK_INSTALLED)).toEqual([
      {
        name: 'musl',
        version: '1.2.5-r0',
        architecture: 'x86_64',
        license: 'MIT',
        origin: 'musl',
        maintainer: 'Timo Teräs <timo.teras@iki.fi>',
        description: 'the musl c library (libc) implementation',
        url: 'https://musl.libc.org/',
      },
      {
        name: 'busybox',
        version: '1.36.1-r29',
        architecture: 'x86_64',
        license: 'GPL-2.0-only',
        origin: 'busybox',
        maintainer: 'Sören Tempel <soeren+alpine@soeren-tempel.net>',
        description: 'Size optimized toolbox of many common UNIX utilities',
        url: 'https://busybox.net/',
      },
      {
        name: 'ca-certificates-bundle',
        version: '20240705-r0',
        architecture: 'x86_64',
        license: 'MPL-2.0 AND MIT',
        origin: 'ca-certificates',
        maintainer: 'Natanael Copa <ncopa@alpinelinux.org>',
        description: 'Pre generated bundle of Mozilla certificates',
        url: 'https://www.mozilla.org/en-US/about/governance/policies/security-group/certs/',
      },
      {
        name: 'zlib',
        version: '1.3.1-r1',
        architecture: 'x86_64',
        license: 'Zlib',
        origin: 'zlib',
        maintainer: 'Natanael Copa <ncopa@alpinelinux.org>',
        description: 'A compression/decompression Library',
        url: 'https://zlib.net/',
      },
    ]);
  });

  it('reads a database without a trailing blank line and skips a paragraph without P or V', () => {
    expect(parseApkInstalled('P:a\nV:1\n\nP:b\n\nP:c\nV:2').map((p) => p.name)).toEqual(['a', 'c']);
  });
});

describe('npm', () => {
  it('lockfile v3: installed packages, nested copies kept, dev / linked entries and the root left out', () => {
    expect(parsePackageLock(PACKAGE_LOCK_V3)).toEqual([
      { name: '@fastify/busboy', version: '2.1.1', licenses: ['MIT'] },
      { name: 'express', version: '4.19.2', licenses: ['MIT'] },
      { name: 'safe-buffer', version: '5.2.1', licenses: ['MIT'] },
      { name: 'safe-buffer', version: '5.1.2', licenses: ['MIT'] },
    ]);
  });

  it('lockfile v1: walks nested dependencies', () => {
    const v1 = JSON.stringify({
      lockfileVersion: 1,
      dependencies: {
        a: { version: '1.0.0', dependencies: { b: { version: '2.0.0' } } },
        devonly: { version: '3.0.0', dev: true },
        local: { version: 'file:../local' },
      },
    });
    expect(parsePackageLock(v1)).toEqual([
      { name: 'a', version: '1.0.0', licenses: [] },
      { name: 'b', version: '2.0.0', licenses: [] },
    ]);
  });

  it('a lockfile that is not JSON throws', () => {
    expect(() => parsePackageLock('{ nope')).toThrow(SyntaxError);
  });

  it('package.json: name, version, licence forms, author', () => {
    expect(parsePackageJson(JSON.stringify(NODE_MODULES['app/node_modules/express/package.json']))).toEqual({
      name: 'express',
      version: '4.19.2',
      licenses: ['MIT'],
      description: 'Fast, unopinionated, minimalist web framework',
      homepage: 'http://expressjs.com/',
      author: 'TJ Holowaychuk <tj@vision-media.ca>',
    });
    expect(
      parsePackageJson(JSON.stringify(NODE_MODULES['app/node_modules/old-style/package.json']))?.licenses,
    ).toEqual(['BSD-3-Clause', 'GPL-2.0-only']);
    expect(npmLicenses({ type: 'ISC', url: 'x' })).toEqual(['ISC']);
    expect(parsePackageJson('{"name":"x"}')).toBeUndefined();
    expect(parsePackageJson('not json')).toBeUndefined();
    expect(parsePackageJson('[1]')).toBeUndefined();
  });

  it('finds package roots and lockfiles by path', () => {
    expect(isInstalledPackageJson('app/node_modules/express/package.json')).toBe(true);
    expect(isInstalledPackageJson('app/node_modules/@fastify/busboy/package.json')).toBe(true);
    expect(isInstalledPackageJson('app/node_modules/a/node_modules/b/package.json')).toBe(true);
    expect(isInstalledPackageJson('app/node_modules/express/lib/package.json')).toBe(false);
    expect(isInstalledPackageJson('app/node_modules/@scope/package.json')).toBe(false);
    expect(isInstalledPackageJson('app/node_modules/.bin/package.json')).toBe(false);
    expect(isInstalledPackageJson('app/package.json')).toBe(false);
    expect(isPackageLock('app/package-lock.json')).toBe(true);
    expect(isPackageLock('app/node_modules/.package-lock.json')).toBe(true);
    expect(isPackageLock('app/node_modules/x/package-lock.json')).toBe(false);
    expect(splitNpmName('@fastify/busboy')).toEqual({ namespace: '@fastify', name: 'busboy' });
    expect(splitNpmName('express')).toEqual({ name: 'express' });
  });
});

describe('Python core metadata', () => {
  it('reads the headers only, not the description body', () => {
    expect(parseCoreMetadata(REQUESTS_METADATA)).toEqual({
      name: 'requests',
      version: '2.32.3',
      licenses: ['Apache-2.0'],
      summary: 'Python HTTP for Humans.',
      homepage: 'https://requests.readthedocs.io',
      author: 'Kenneth Reitz',
    });
  });

  it('falls back to licence classifiers, mapped to SPDX when unambiguous', () => {
    expect(parseCoreMetadata(TYPING_EXTENSIONS_METADATA)).toEqual({
      name: 'typing_extensions',
      version: '4.12.2',
      licenses: ['PSF-2.0'],
      summary: 'Backported and Experimental Type Hints for Python 3.8+',
      author: '"Guido van Rossum, Jukka Lehtosalo, Łukasz Langa, Michael Lee" <levkivskyi@gmail.com>',
    });
    expect(parseCoreMetadata(SIX_METADATA)?.licenses).toEqual(['MIT']);
  });

  it('prefers License-Expression and ignores a License field holding the licence text', () => {
    const text =
      'Name: x\nVersion: 1\nLicense: Copyright (c) 2020\n   Permission is hereby granted\nClassifier: License :: OSI Approved :: BSD License\n\n';
    expect(parseCoreMetadata(text)?.licenses).toEqual(['BSD License']);
    expect(
      parseCoreMetadata('Name: x\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\nLicense: MIT\n')
        ?.licenses,
    ).toEqual(['MIT OR Apache-2.0']);
    expect(parseCoreMetadata('Summary: no name\n')).toBeUndefined();
  });

  it('knows METADATA and PKG-INFO locations', () => {
    expect(isPythonMetadata('usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA')).toBe(true);
    expect(isPythonMetadata('usr/lib/python3/dist-packages/foo-1.0.egg-info/PKG-INFO')).toBe(true);
    expect(isPythonMetadata('usr/lib/python3/dist-packages/foo/METADATA')).toBe(false);
  });
});

describe('os-release', () => {
  it('reads ID, VERSION_ID, NAME and PRETTY_NAME, quoted or not', () => {
    expect(parseOsRelease(DEBIAN_OS_RELEASE)).toEqual({
      id: 'debian',
      versionId: '12',
      name: 'Debian GNU/Linux',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(parseOsRelease(DISTROLESS_OS_RELEASE)).toEqual({
      id: 'debian',
      versionId: '12',
      name: 'Debian GNU/Linux',
      prettyName: 'Distroless',
    });
    expect(parseOsRelease(ALPINE_OS_RELEASE)).toEqual({
      id: 'alpine',
      versionId: '3.20.3',
      name: 'Alpine Linux',
      prettyName: 'Alpine Linux v3.20',
    });
    expect(parseOsRelease('NAME="x \\"y\\""\nID=x\n')?.name).toBe('x "y"');
    expect(parseOsRelease('NAME=nothing\n')).toBeUndefined();
  });
});
