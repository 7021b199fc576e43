/**
 * Package databases as real images carry them (Debian 12, distroless, Alpine 3.20, a node app,
 * Python wheels), and fixture images built from them in pure node, for the SBOM tests.
 */
import type { FixtureEntry } from '../../support/layer-fixtures.js';

export const DEBIAN_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

/** Five paragraphs: four installed (one with a long description), one removed with config left. */
export const DPKG_STATUS = `Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 369
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 12.4+deb12u5
Replaces: base, dpkg (<= 1.15.0), miscutils
Provides: base
Pre-Depends: awk
Breaks: debian-security-support (<< 2019.04.25), initscripts (<< 2.88dsf-13.3), sendfile (<< 2.1b.20080616-5.2~)
Conffiles:
 /etc/debian_version 2d1d1c9a5e5eb2c2a0c2b5b5d5e5e5e5
 /etc/host.conf 4eb63731c9f5e30903ac4fc07a7fe3d6
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system, and
 several important miscellaneous files, such as /etc/debian_version,
 /etc/host.conf, /etc/issue, /etc/motd, /etc/profile, and others,
 and the text of several common licenses in use on Debian systems.

Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12985
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u7
Replaces: libc6-amd64
Depends: libgcc-s1
Recommends: libidn2-0 (>= 2.0.5~)
Suggests: glibc-doc, debconf | debconf-2.0, libc-l10n, locales, libnss-nis, libnss-nisplus
Breaks: aide (<< 0.17.3-4+b3), busybox (<< 1.30.1-6), fakeroot (<< 1.25.3-1.1)
Conffiles:
 /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system. This package includes shared versions of the standard C library
 and the standard math library, as well as many others.
Homepage: https://www.gnu.org/software/libc/libc.html

Package: bsdutils
Essential: yes
Status: install ok installed
Priority: required
Section: utils
Installed-Size: 335
Maintainer: util-linux packagers <util-linux@packages.debian.org>
Architecture: amd64
Multi-Arch: foreign
Source: util-linux (2.38.1-5)
Version: 1:2.38.1-5+deb12u1
Pre-Depends: libc6 (>= 2.34), libsystemd0
Recommends: bsdextrautils
Description: basic utilities from 4.4BSD-Lite
 This package contains the bare minimum of BSD utilities needed for a
 Debian system: logger, renice, script, scriptlive, scriptreplay and wall.
 .
 The remaining standard BSD utilities are provided by bsdextrautils.
 .
 Note that the original 4.4BSD-Lite sources are no longer used.
Homepage: https://www.kernel.org/pub/linux/utils/util-linux/

Package: old-editor
Status: deinstall ok config-files
Priority: optional
Section: editors
Installed-Size: 120
Maintainer: Nobody <nobody@example.org>
Architecture: amd64
Version: 1.0-1
Conffiles:
 /etc/old-editor.conf 0123456789abcdef0123456789abcdef
Description: an editor that was removed, its configuration kept

Package: tzdata
Status: install ok installed
Priority: required
Section: localization
Installed-Size: 2523
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: all
Multi-Arch: foreign
Version: 2024a-0+deb12u1
Provides: tzdata-bookworm
Depends: debconf (>= 0.5) | debconf-2.0
Description: time zone and daylight-saving time data
 This package contains data required for the implementation of
 standard local time for many representative locations around the
 globe. It is updated periodically to reflect changes made by
 political bodies to time zone boundaries, UTC offsets, and
 daylight-saving rules.
Homepage: https://www.iana.org/time-zones
`;

/** What apt-get install curl in a later layer leaves: the same database plus one package. */
export const DPKG_STATUS_LATER = `${DPKG_STATUS}
Package: curl
Status: install ok installed
Priority: optional
Section: web
Installed-Size: 508
Maintainer: Debian Curl Maintainers <team+curl@tracker.debian.org>
Architecture: amd64
Version: 7.88.1-10+deb12u8
Depends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u8), zlib1g (>= 1:1.1.4)
Description: command line tool for transferring data with URL syntax
 curl is a command line tool for transferring data with URL syntax,
 supporting DICT, FILE, FTP, FTPS, GOPHER, GOPHERS, HTTP, HTTPS, IMAP,
 IMAPS, LDAP, LDAPS, MQTT, POP3, POP3S, RTMP, RTMPS, RTSP, SCP, SFTP, SMB,
 SMBS, SMTP, SMTPS, TELNET and TFTP.
Homepage: https://curl.se/
`;

export const DISTROLESS_OS_RELEASE = `PRETTY_NAME="Distroless"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"
BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"
`;

/** distroless writes one file per package under status.d, without a Status field. */
export const DISTROLESS_STATUS_D: Record<string, string> = {
  'base-files': `Package: base-files
Version: 12.4+deb12u6
Architecture: amd64
Maintainer: Santiago Vila <sanvila@debian.org>
Installed-Size: 369
Section: admin
Priority: required
Description: Debian base system miscellaneous files
`,
  netbase: `Package: netbase
Version: 6.4
Architecture: all
Maintainer: Marco d'Itri <md@linux.it>
Installed-Size: 41
Section: admin
Priority: optional
Description: Basic TCP/IP networking system
`,
  libssl3: `Package: libssl3
Source: openssl
Version: 3.0.15-1~deb12u1
Architecture: amd64
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Installed-Size: 6192
Depends: libc6 (>= 2.34)
Section: libs
Priority: optional
Multi-Arch: same
Homepage: https://www.openssl.org/
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 Internet.
`,
  tzdata: `Package: tzdata
Version: 2024a-0+deb12u1
Architecture: all
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Installed-Size: 2523
Section: localization
Priority: required
Description: time zone and daylight-saving time data
`,
};

export const ALPINE_OS_RELEASE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;

export const APK_INSTALLED = `C:Q1wo8MsMcJ3gh0uMn6HqQ4NM6Y9gE=
P:musl
V:1.2.5-r0
A:x86_64
S:411323
I:651264
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1715701516
c:23fb1cc4a2c8eb8ab2d35d6c42bbc67f1f1dd1c8
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1fFSTBvaa0h8dgJVIbr2u2MZmb9I=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1lRAkfs43RStjnT6Aqm9wINsXbQc=
P:busybox
V:1.36.1-r29
A:x86_64
S:503424
I:929792
T:Size optimized toolbox of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1717166106
c:1d2fbb1b5ddd4e44b2e7a3bee1c51d6ba3a3d1ad
D:so:libc.musl-x86_64.so.1
F:bin
R:busybox
a:0:0:755
Z:Q1Ko+4QfcTbXDhvo4zW7qpgKpuyxM=

C:Q1k2zFzKXgo3wSpiPcN/6RuKzSKGo=
P:ca-certificates-bundle
V:20240705-r0
A:x86_64
S:129042
I:229376
T:Pre generated bundle of Mozilla certificates
U:https://www.mozilla.org/en-US/about/governance/policies/security-group/certs/
L:MPL-2.0 AND MIT
o:ca-certificates
m:Natanael Copa <ncopa@alpinelinux.org>
t:1720163218
c:8b0b3c4b8a3f0e3c0f7a2b0e6b9f2c9a2f0e3c4b
F:etc
F:etc/ssl
F:etc/ssl/certs
R:ca-certificates.crt
a:0:0:644

C:Q1abcdefghijklmnopqrstuvwxyz0=
P:zlib
V:1.3.1-r1
A:x86_64
T:A compression/decompression Library
U:https://zlib.net/
L:Zlib
o:zlib
m:Natanael Copa <ncopa@alpinelinux.org>
t:1717166106
`;

/** npm 9 lockfile (v3) of a small app: one dev dependency, one scoped, one nested copy. */
export const PACKAGE_LOCK_V3 = JSON.stringify(
  {
    name: 'web',
    version: '1.4.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name: 'web',
        version: '1.4.0',
        license: 'UNLICENSED',
        dependencies: { express: '^4.19.2', '@fastify/busboy': '^2.1.1' },
        devDependencies: { vitest: '^1.6.0' },
      },
      'node_modules/@fastify/busboy': {
        version: '2.1.1',
        resolved: 'https://registry.npmjs.org/@fastify/busboy/-/busboy-2.1.1.tgz',
        integrity: 'sha512-x',
        license: 'MIT',
        engines: { node: '>=14' },
      },
      'node_modules/express': {
        version: '4.19.2',
        resolved: 'https://registry.npmjs.org/express/-/express-4.19.2.tgz',
        integrity: 'sha512-y',
        license: 'MIT',
        dependencies: { 'safe-buffer': '5.2.1' },
      },
      'node_modules/safe-buffer': { version: '5.2.1', license: 'MIT' },
      'node_modules/express/node_modules/safe-buffer': { version: '5.1.2', license: 'MIT' },
      'node_modules/vitest': { version: '1.6.0', dev: true, license: 'MIT' },
      'node_modules/local-lib': { resolved: 'packages/local-lib', link: true },
    },
  },
  null,
  2,
);

/** The package.json files npm ci (--omit=dev) installs for that lockfile. */
export const NODE_MODULES: Record<string, object> = {
  'app/node_modules/@fastify/busboy/package.json': {
    name: '@fastify/busboy',
    version: '2.1.1',
    license: 'MIT',
    description: 'A streaming parser for HTML form data for node.js',
  },
  'app/node_modules/express/package.json': {
    name: 'express',
    version: '4.19.2',
    license: 'MIT',
    description: 'Fast, unopinionated, minimalist web framework',
    homepage: 'http://expressjs.com/',
    author: { name: 'TJ Holowaychuk', email: 'tj@vision-media.ca' },
  },
  'app/node_modules/safe-buffer/package.json': { name: 'safe-buffer', version: '5.2.1', license: 'MIT' },
  'app/node_modules/express/node_modules/safe-buffer/package.json': {
    name: 'safe-buffer',
    version: '5.1.2',
    license: 'MIT',
  },
  // Not package roots: a test fixture and a nested file that happen to be named package.json.
  'app/node_modules/express/lib/package.json': { name: 'not-a-package', version: '0.0.0' },
  // A legacy licence form.
  'app/node_modules/old-style/package.json': {
    name: 'old-style',
    version: '0.1.0',
    licenses: [{ type: 'BSD-3-Clause' }, { type: 'GPL-2.0-only' }],
  },
};

export const REQUESTS_METADATA = `Metadata-Version: 2.1
Name: requests
Version: 2.32.3
Summary: Python HTTP for Humans.
Home-page: https://requests.readthedocs.io
Author: Kenneth Reitz
Author-email: me@kennethreitz.org
License: Apache-2.0
Classifier: Development Status :: 5 - Production/Stable
Classifier: License :: OSI Approved :: Apache Software License
Classifier: Programming Language :: Python :: 3
Requires-Python: >=3.8
Description-Content-Type: text/markdown
Requires-Dist: charset-normalizer<4,>=2
Requires-Dist: idna<4,>=2.5

# Requests

**Requests** is a simple, yet elegant, HTTP library.
License: this line is in the body and must not be read
`;

export const TYPING_EXTENSIONS_METADATA = `Metadata-Version: 2.1
Name: typing_extensions
Version: 4.12.2
Summary: Backported and Experimental Type Hints for Python 3.8+
Author-email: "Guido van Rossum, Jukka Lehtosalo, Łukasz Langa, Michael Lee" <levkivskyi@gmail.com>
Requires-Python: >=3.8
Description-Content-Type: text/markdown
Classifier: License :: OSI Approved :: Python Software Foundation License
Classifier: Operating System :: OS Independent

Typing Extensions
`;

export const SIX_METADATA = `Metadata-Version: 2.1
Name: six
Version: 1.16.0
Summary: Python 2 and 3 compatibility utilities
Home-page: https://github.com/benjaminp/six
Author: Benjamin Peterson
License: MIT
Platform: UNKNOWN

Six is a Python 2 and 3 compatibility library.
`;

const SITE = 'usr/local/lib/python3.11/site-packages';

/**
 * A Debian-based node + Python app in three layers: the base (os-release, dpkg status), the app
 * (lockfile, node_modules, three Python distributions), then a layer that installs curl (dpkg
 * status replaced) and uninstalls six (its METADATA deleted with a whiteout) and the
 * `old-style` npm package (its directory deleted with an opaque-free whiteout of the dir).
 */
export const DEBIAN_APP_LAYERS: FixtureEntry[][] = [
  [
    { type: 'dir', path: 'etc/' },
    { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' },
    { type: 'dir', path: 'usr/lib/' },
    { path: 'usr/lib/os-release', data: DEBIAN_OS_RELEASE },
    { type: 'dir', path: 'var/lib/dpkg/' },
    { path: 'var/lib/dpkg/status', data: DPKG_STATUS },
    { path: 'var/lib/dpkg/status-old', data: DPKG_STATUS },
  ],
  [
    { type: 'dir', path: 'app/' },
    { path: 'app/package.json', data: JSON.stringify({ name: 'web', version: '1.4.0' }) },
    { path: 'app/package-lock.json', data: PACKAGE_LOCK_V3 },
    ...Object.entries(NODE_MODULES).map(([path, doc]) => ({ path, data: JSON.stringify(doc) })),
    { path: `${SITE}/requests-2.32.3.dist-info/METADATA`, data: REQUESTS_METADATA },
    { path: `${SITE}/requests-2.32.3.dist-info/RECORD`, data: 'requests/__init__.py,,\n' },
    { path: `${SITE}/typing_extensions-4.12.2.dist-info/METADATA`, data: TYPING_EXTENSIONS_METADATA },
    { path: `${SITE}/six-1.16.0.dist-info/METADATA`, data: SIX_METADATA },
  ],
  [
    { type: 'dir', path: 'var/lib/dpkg/' },
    { path: 'var/lib/dpkg/status', data: DPKG_STATUS_LATER },
    { type: 'whiteout', path: `${SITE}/six-1.16.0.dist-info/METADATA` },
    { type: 'whiteout', path: 'app/node_modules/old-style' },
  ],
];

/** distroless/base-style: status.d files with md5sums beside them; a later layer removes tzdata. */
export const DISTROLESS_LAYERS: FixtureEntry[][] = [
  [
    { type: 'dir', path: 'etc/' },
    { path: 'etc/os-release', data: DISTROLESS_OS_RELEASE },
    { type: 'dir', path: 'var/lib/dpkg/status.d/' },
    ...Object.entries(DISTROLESS_STATUS_D).flatMap(([name, data]) => [
      { path: `var/lib/dpkg/status.d/${name}`, data },
      {
        path: `var/lib/dpkg/status.d/${name}.md5sums`,
        data: `0123456789abcdef0123456789abcdef  usr/share/doc/${name}/copyright\n`,
      },
    ]),
  ],
  [{ type: 'whiteout', path: 'var/lib/dpkg/status.d/tzdata' }],
];

export const ALPINE_LAYERS: FixtureEntry[][] = [
  [
    { type: 'dir', path: 'etc/' },
    { path: 'etc/os-release', data: ALPINE_OS_RELEASE },
    { type: 'dir', path: 'lib/apk/db/' },
    { path: 'lib/apk/db/installed', data: APK_INSTALLED },
  ],
];
