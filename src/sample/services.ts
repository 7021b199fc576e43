/**
 * The seed project's three services (backend, frontend, auth) as small, reproducible two-platform
 * images: a Debian base and a Node.js runtime shared by all three, then each service's own
 * Dockerfile steps. Each service carries the kind of waste real images carry, a different kind
 * per service, so the analysis has something to say about each:
 * - backend: apt lists and .deb files left behind, an npm cache, a directory deleted in a later step;
 * - frontend: source maps, images copied twice, a layer compressed with gzip -1;
 * - auth: a compiler toolchain in the final image, files re-added by a chmod step.
 * Pure: specs only; image-writer.ts turns them into blobs.
 */
import { SEED_SERVICES } from '../config/services.js';
import type { Platform } from '../oci/schema.js';
import { binaryBytes, incompressible, sourceMap, sourceText } from './content.js';
import type { ImageSpec, LayerSpec, SampleFile } from './image-writer.js';

export const SAMPLE_SERVICE_NAMES = ['backend', 'frontend', 'auth'] as const;
export type SampleServiceName = (typeof SAMPLE_SERVICE_NAMES)[number];

export interface SampleService {
  name: SampleServiceName;
  description: string;
  port: number;
  health: string;
}

const DESCRIPTIONS: Record<SampleServiceName, string> = {
  backend: 'REST API (Express, PostgreSQL)',
  frontend: 'web front end (Next.js)',
  auth: 'authentication service (JWT, bcrypt)',
};

export const SAMPLE_SERVICES: readonly SampleService[] = SAMPLE_SERVICE_NAMES.map((name) => ({
  name,
  description: DESCRIPTIONS[name],
  port: SEED_SERVICES[name]!.port,
  health: SEED_SERVICES[name]!.health,
}));

export const SAMPLE_PLATFORMS: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];

const KB = 1024;

const CMD: Record<SampleServiceName, string[]> = {
  backend: ['node', 'src/server.js'],
  frontend: ['npm', 'start'],
  auth: ['node', 'src/index.js'],
};
const NODE_VERSION = '20.19.0';

const triplet = (p: Platform): string =>
  p.architecture === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
const debArch = (p: Platform): string => p.architecture;
const nodeArch = (p: Platform): string => (p.architecture === 'arm64' ? 'arm64' : 'x64');

const text = (path: string, size: number, seed = path): SampleFile => ({
  path,
  data: sourceText(seed, size),
});
const bin = (path: string, size: number, seed = path, mode = 0o755): SampleFile => ({
  path,
  data: binaryBytes(seed, size),
  mode,
});
const packed = (path: string, size: number, seed = path): SampleFile => ({
  path,
  data: incompressible(seed, size),
});

function packageJson(name: string, deps: Record<string, string>, scripts: Record<string, string>): string {
  return `${JSON.stringify({ name, version: '1.4.2', private: true, scripts, dependencies: deps }, null, 2)}\n`;
}

/** A package in node_modules: its entry point, a few modules, and (optionally) its own tests. */
function npmPackage(name: string, sizeKb: number, testsKb = 0): SampleFile[] {
  const dir = `app/node_modules/${name}`;
  const files: SampleFile[] = [
    {
      path: `${dir}/package.json`,
      data: `${JSON.stringify({ name, version: '1.0.0', main: 'index.js' })}\n`,
    },
    text(`${dir}/index.js`, 2 * KB),
    text(`${dir}/lib/core.js`, Math.round(sizeKb * 0.6) * KB),
    text(`${dir}/lib/utils.js`, Math.round(sizeKb * 0.4) * KB),
  ];
  if (testsKb > 0) {
    files.push(text(`${dir}/test/unit.test.js`, Math.round(testsKb * 0.7) * KB));
    files.push(text(`${dir}/test/fixtures/data.json`, Math.round(testsKb * 0.3) * KB));
  }
  return files;
}

function healthcheckJs(port: number, path: string): string {
  return [
    "// Exits 0 when the service answers its health check (Docker's HEALTHCHECK runs this).",
    "const http = require('node:http');",
    `http.get({ host: '127.0.0.1', port: ${port}, path: '${path}', timeout: 2000 }, (res) =>`,
    '  process.exit(res.statusCode === 200 ? 0 : 1),',
    ").on('error', () => process.exit(1));",
    '',
  ].join('\n');
}

function baseLayer(p: Platform): LayerSpec {
  const t = triplet(p);
  return {
    key: `base-${p.architecture}`,
    createdBy: '/bin/sh -c #(nop) ADD file:debian-bookworm-slim-rootfs.tar in / ',
    files: () => [
      {
        path: 'etc/os-release',
        data: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
      },
      {
        path: 'etc/passwd',
        data: 'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n',
      },
      { path: 'etc/group', data: 'root:x:0:\nnode:x:1000:\n' },
      bin('bin/bash', 80 * KB, `bash-${t}`),
      bin(`usr/lib/${t}/libc.so.6`, 160 * KB, `libc-${t}`),
      bin(`usr/lib/${t}/libstdc++.so.6`, 120 * KB, `libstdcxx-${t}`),
      text('usr/share/doc/libc6/copyright', 4 * KB),
      packed('usr/share/doc/libc6/changelog.Debian.gz', 28 * KB),
      packed('usr/share/man/man1/bash.1.gz', 36 * KB),
      text('usr/share/doc/bash/README', 4 * KB),
      text('var/lib/dpkg/status', 24 * KB, `dpkg-status-${t}`),
    ],
  };
}

function nodeLayer(p: Platform): LayerSpec {
  const a = nodeArch(p);
  return {
    key: `node-${p.architecture}`,
    createdBy: `/bin/sh -c tar -xJf node-v${NODE_VERSION}-linux-${a}.tar.xz -C /usr/local --strip-components=1 && rm node-v${NODE_VERSION}-linux-${a}.tar.xz`,
    files: () => [
      bin('usr/local/bin/node', 300 * KB, `node-${a}`),
      text('usr/local/include/node/v8.h', 16 * KB),
      text('usr/local/include/node/uv.h', 8 * KB),
      text('usr/local/include/node/node.h', 6 * KB),
      ...['npm.js', 'install.js', 'ci.js', 'exec.js', 'cache.js', 'config.js'].map((f) =>
        text(`usr/local/lib/node_modules/npm/lib/${f}`, 6 * KB),
      ),
      text('usr/local/lib/node_modules/npm/docs/content/commands/npm-install.md', 8 * KB),
    ],
  };
}

/** The service-specific steps after the shared base and runtime. */
function serviceLayers(s: SampleService, p: Platform): LayerSpec[] {
  const t = triplet(p);
  const arch = debArch(p);
  switch (s.name) {
    case 'backend':
      return [
        {
          key: `backend-apt-${arch}`,
          createdBy:
            '/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl ca-certificates',
          files: () => [
            bin('usr/bin/curl', 120 * KB, `curl-${t}`),
            bin(`usr/lib/${t}/libcurl.so.4`, 160 * KB, `libcurl-${t}`),
            text('etc/ssl/certs/ca-certificates.crt', 60 * KB),
            text(
              `var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-${arch}_Packages`,
              180 * KB,
            ),
            packed(`var/cache/apt/archives/curl_7.88.1-10+deb12u8_${arch}.deb`, 150 * KB),
            packed(`var/cache/apt/archives/libcurl4_7.88.1-10+deb12u8_${arch}.deb`, 180 * KB),
          ],
        },
        {
          key: 'backend-package',
          createdBy: '/bin/sh -c #(nop) COPY file:package.json package-lock.json in /app/ ',
          files: () => [
            {
              path: 'app/package.json',
              data: packageJson(
                'backend',
                { express: '^4.21.0', pg: '^8.12.0', pino: '^9.4.0', zod: '^3.23.0' },
                { start: 'node src/server.js', migrate: 'node src/migrate.js' },
              ),
            },
            text('app/package-lock.json', 32 * KB, 'backend-lock'),
          ],
        },
        {
          key: 'backend-npm',
          createdBy: '/bin/sh -c npm ci',
          files: () => [
            ...npmPackage('express', 60, 20),
            ...npmPackage('pg', 50, 40),
            ...npmPackage('pino', 30, 30),
            ...npmPackage('zod', 60),
            packed('root/.npm/_cacache/content-v2/sha512/4f/1e/8c0a6f2d7b3e', 120 * KB),
            packed('root/.npm/_cacache/content-v2/sha512/9b/02/51d4a7c3e1f0', 90 * KB),
            text('root/.npm/_cacache/index-v5/4f/1e/index', 8 * KB),
          ],
        },
        {
          key: 'backend-src',
          createdBy: '/bin/sh -c #(nop) COPY dir:src tmp healthcheck.js in /app/ ',
          files: () => [
            text('app/src/server.js', 6 * KB, 'backend-server'),
            text('app/src/routes/orders.js', 8 * KB),
            text('app/src/routes/users.js', 6 * KB),
            text('app/src/migrate.js', 3 * KB),
            { path: 'app/healthcheck.js', data: healthcheckJs(s.port, s.health) },
            text('app/tmp/seed-data.sql', 200 * KB),
            packed('app/tmp/fixtures.tar.gz', 120 * KB),
          ],
        },
        {
          key: 'backend-migrate',
          createdBy: '/bin/sh -c npm run migrate && rm -rf /app/tmp',
          files: () => [
            { path: 'app/.wh.tmp', data: '' },
            { path: 'app/migrations/.done', data: '20250601\n' },
          ],
        },
      ];
    case 'frontend':
      return [
        {
          key: 'frontend-package',
          createdBy: '/bin/sh -c #(nop) COPY file:package.json package-lock.json in /app/ ',
          files: () => [
            {
              path: 'app/package.json',
              data: packageJson(
                'frontend',
                { next: '^14.2.0', react: '^18.3.0', 'react-dom': '^18.3.0' },
                { build: 'next build', start: `next start -p ${s.port}` },
              ),
            },
            text('app/package-lock.json', 40 * KB, 'frontend-lock'),
          ],
        },
        {
          key: `frontend-npm-${arch}`,
          createdBy: '/bin/sh -c npm ci',
          files: () => [
            ...npmPackage('react', 40, 16),
            ...npmPackage('react-dom', 80, 30),
            ...npmPackage('next', 120, 20),
            bin(
              `app/node_modules/@next/swc-linux-${nodeArch(p)}-gnu/next-swc.linux-${nodeArch(p)}-gnu.node`,
              300 * KB,
              `swc-${arch}`,
            ),
            packed('root/.npm/_cacache/content-v2/sha512/c3/7d/02be91f4a6d8', 150 * KB),
          ],
        },
        {
          key: 'frontend-src',
          createdBy: '/bin/sh -c #(nop) COPY dir:. in /app/ ',
          files: () => [
            text('app/src/pages/index.jsx', 4 * KB),
            text('app/src/pages/checkout.jsx', 6 * KB),
            text('app/src/components/Header.jsx', 3 * KB),
            text('app/src/components/Cart.jsx', 4 * KB),
            packed('app/public/logo.png', 64 * KB, 'logo'),
            packed('app/public/hero.jpg', 80 * KB, 'hero'),
            { path: 'app/healthcheck.js', data: healthcheckJs(s.port, s.health) },
          ],
        },
        {
          key: 'frontend-build',
          createdBy: '/bin/sh -c npm run build',
          // As a builder that favours speed writes it: gzip -1.
          gzipLevel: 1,
          files: () => [
            ...['main', 'framework', 'pages-index', 'pages-checkout', 'webpack'].flatMap((chunk) => [
              text(`app/.next/static/chunks/${chunk}.js`, 24 * KB),
              { path: `app/.next/static/chunks/${chunk}.js.map`, data: sourceMap(`${chunk}.js`, 120 * KB) },
            ]),
            text('app/.next/server/pages/index.js', 16 * KB),
            packed('app/.next/static/media/logo.8f3e2a1c.png', 64 * KB, 'logo'),
            packed('app/.next/static/media/hero.1b2c3d4e.jpg', 80 * KB, 'hero'),
          ],
        },
      ];
    case 'auth': {
      const sources = (mode: number): SampleFile[] => [
        { ...text('app/src/index.js', 6 * KB, 'auth-index'), mode },
        { ...text('app/src/routes/auth.js', 10 * KB, 'auth-routes'), mode },
        { ...text('app/src/jwt.js', 4 * KB, 'auth-jwt'), mode },
        { ...text('app/config/keys.example.json', 2 * KB, 'auth-keys'), mode },
      ];
      return [
        {
          key: `auth-toolchain-${arch}`,
          createdBy: '/bin/sh -c apt-get update && apt-get install -y build-essential python3',
          files: () => [
            bin('usr/bin/gcc-12', 140 * KB, `gcc-${t}`),
            bin('usr/bin/make', 60 * KB, `make-${t}`),
            bin(`usr/lib/gcc/${t}/12/cc1`, 240 * KB, `cc1-${t}`),
            bin(`usr/lib/gcc/${t}/12/cc1plus`, 260 * KB, `cc1plus-${t}`),
            text('usr/include/stdio.h', 12 * KB),
            text('usr/include/stdlib.h', 14 * KB),
            bin('usr/bin/python3.11', 140 * KB, `python-${t}`),
            packed('usr/share/man/man1/gcc-12.1.gz', 40 * KB),
            packed('usr/share/doc/gcc-12/changelog.Debian.gz', 30 * KB),
            text(
              `var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-${arch}_Packages`,
              180 * KB,
            ),
          ],
        },
        {
          key: 'auth-package',
          createdBy: '/bin/sh -c #(nop) COPY file:package.json package-lock.json in /app/ ',
          files: () => [
            {
              path: 'app/package.json',
              data: packageJson(
                'auth',
                { bcrypt: '^5.1.1', express: '^4.21.0', jsonwebtoken: '^9.0.2', redis: '^4.7.0' },
                { start: 'node src/index.js' },
              ),
            },
            text('app/package-lock.json', 24 * KB, 'auth-lock'),
          ],
        },
        {
          key: `auth-npm-${arch}`,
          createdBy: '/bin/sh -c npm ci',
          files: () => [
            bin('app/node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node', 90 * KB, `bcrypt-${arch}`),
            text('app/node_modules/bcrypt/src/bcrypt_node.cc', 16 * KB),
            ...npmPackage('express', 60, 20),
            ...npmPackage('jsonwebtoken', 24, 20),
            ...npmPackage('redis', 50, 24),
            packed('root/.npm/_cacache/content-v2/sha512/77/aa/e4b1c9d0f3a2', 100 * KB),
          ],
        },
        {
          key: 'auth-src',
          createdBy: '/bin/sh -c #(nop) COPY dir:src config healthcheck.js in /app/ ',
          files: () => [
            ...sources(0o644),
            { path: 'app/healthcheck.js', data: healthcheckJs(s.port, s.health) },
          ],
        },
        {
          key: 'auth-chmod',
          createdBy: '/bin/sh -c chmod -R g=u /app/src /app/config',
          files: () => sources(0o664),
        },
      ];
    }
  }
}

/** One image per platform for `s`, labelled with `labels` (metadata-action's labels). */
export function serviceImageSpecs(
  s: SampleService,
  created: string,
  labels: Record<string, string>,
): ImageSpec[] {
  return SAMPLE_PLATFORMS.map((platform): ImageSpec => ({
    platform,
    created,
    layers: [baseLayer(platform), nodeLayer(platform), ...serviceLayers(s, platform)],
    config: {
      User: 'node',
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `NODE_VERSION=${NODE_VERSION}`,
        'NODE_ENV=production',
        `PORT=${s.port}`,
      ],
      Cmd: CMD[s.name],
      WorkingDir: '/app',
      ExposedPorts: { [`${s.port}/tcp`]: {} },
      Labels: labels,
      Healthcheck: {
        Test: ['CMD', 'node', '/app/healthcheck.js'],
        Interval: 30_000_000_000,
        Timeout: 3_000_000_000,
        Retries: 3,
      },
    },
  }));
}
