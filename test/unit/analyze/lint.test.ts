import { describe, expect, it } from 'vitest';
import { mergeLayers } from '../../../src/analyze/file-tree.js';
import {
  CHECKPOINTS,
  goModeString,
  lintImage,
  parseIgnoreFile,
  reachesLevel,
  shellWords,
  type LintOptions,
  type LintResult,
} from '../../../src/analyze/lint.js';
import { goFileMode } from '../../../src/analyze/efficiency.js';
import type { ImageConfig } from '../../../src/oci/schema.js';
import { scanFixtureLayers, type FixtureEntry } from '../../support/layer-fixtures.js';

function config(c: Record<string, unknown> = {}, history: string[] = []): ImageConfig {
  return {
    architecture: 'amd64',
    os: 'linux',
    config: { User: 'app', Healthcheck: { Test: ['CMD', 'true'] }, ...c },
    rootfs: { type: 'layers', diff_ids: [] },
    history: history.map((created_by) => ({ created_by })),
  };
}

const CLEAN_FILES: FixtureEntry[] = [
  { path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' },
  { path: 'etc/shadow', data: 'root:*:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\n' },
  { path: 'etc/group', data: 'root:x:0:\napp:x:1000:\n' },
];

async function lint(
  files: FixtureEntry[][],
  cfg: ImageConfig = config(),
  opts: LintOptions = { contentTrust: true },
  tag = '1.0',
): Promise<LintResult> {
  const scans = await scanFixtureLayers(files, { hashFiles: false });
  return lintImage(
    { image: `example.com/app:${tag}`, tag, config: cfg, tree: mergeLayers(scans), layers: scans },
    opts,
  );
}

const levelOf = (r: LintResult, code: string): string | undefined =>
  r.checks.find((c) => c.code === code)?.level;
const alertsOf = (r: LintResult, code: string): string[] =>
  r.checks.find((c) => c.code === code)?.alerts ?? [];

describe('lintImage: a clean image passes every checkpoint', () => {
  it('reports dockle’s JSON shape with 18 passes (dockle’s 16 and our two GHO-DI checks)', async () => {
    const r = await lint([CLEAN_FILES]);
    expect(r.report).toEqual({
      image: 'example.com/app:1.0',
      summary: { fatal: 0, warn: 0, info: 0, skip: 0, pass: 18 },
      details: [],
    });
    expect(r.checks.map((c) => c.code)).toEqual([
      // dockle's report order: default level (FATAL, WARN, INFO), then code.
      'CIS-DI-0007',
      'CIS-DI-0009',
      'CIS-DI-0010',
      'DKL-DI-0001',
      'DKL-DI-0002',
      'DKL-DI-0004',
      'DKL-DI-0005',
      'DKL-LI-0001',
      'DKL-LI-0002',
      'CIS-DI-0001',
      'DKL-DI-0003',
      'DKL-DI-0006',
      'CIS-DI-0005',
      'CIS-DI-0006',
      'CIS-DI-0008',
      'DKL-LI-0003',
      // Ours, after dockle's INFO checkpoints.
      'GHO-DI-0001',
      'GHO-DI-0002',
    ]);
    expect(CHECKPOINTS).toHaveLength(18);
  });
});

describe('lintImage: config checkpoints', () => {
  it('CIS-DI-0001 root user, CIS-DI-0005 content trust, CIS-DI-0006 healthcheck, DKL-DI-0002 volumes, DKL-DI-0006 latest', async () => {
    const cfg = config({ User: '', Healthcheck: null, Volumes: { '/proc': {}, '/data': {}, '/sys': {} } });
    const r = await lint([CLEAN_FILES], cfg, {}, 'latest');
    expect(r.report.details).toEqual([
      {
        code: 'DKL-DI-0002',
        title: 'Avoid sensitive directory mounting',
        level: 'FATAL',
        alerts: ['Avoid mounting sensitive dirs : /proc', 'Avoid mounting sensitive dirs : /sys'],
      },
      {
        code: 'CIS-DI-0001',
        title: 'Create a user for the container',
        level: 'WARN',
        alerts: ['Last user should not be root'],
      },
      { code: 'DKL-DI-0006', title: 'Avoid latest tag', level: 'WARN', alerts: ["Avoid 'latest' tag"] },
      {
        code: 'CIS-DI-0005',
        title: 'Enable Content trust for Docker',
        level: 'INFO',
        alerts: ['export DOCKER_CONTENT_TRUST=1 before docker pull/build'],
      },
      {
        code: 'CIS-DI-0006',
        title: 'Add HEALTHCHECK instruction to the container image',
        level: 'INFO',
        alerts: ['not found HEALTHCHECK statement'],
      },
    ]);
    expect(r.report.summary).toEqual({ fatal: 1, warn: 2, info: 2, skip: 0, pass: 13 });
    for (const user of ['root', '0', '0:0', 'root:wheel']) {
      expect(levelOf(await lint([CLEAN_FILES], config({ User: user })), 'CIS-DI-0001')).toBe('WARN');
    }
    expect(levelOf(await lint([CLEAN_FILES], config({ User: '1000:1000' })), 'CIS-DI-0001')).toBe('PASS');
  });

  it('history rules: 0007, 0009 (first ADD exempt), DKL-DI-0001, 0003, 0004, 0005', async () => {
    const r = await lint(
      [CLEAN_FILES],
      config({}, [
        '/bin/sh -c #(nop) ADD file:0123abcd in / ',
        '/bin/sh -c apt-get update',
        '/bin/sh -c apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
        '/bin/sh -c apt-get install -y git',
        'ADD https://example.com/app.tgz /srv/ # buildkit',
        '/bin/sh -c sudo apt-get dist-upgrade -y',
        '/bin/sh -c apk add curl && apk add --no-cache git',
      ]),
    );
    expect(alertsOf(r, 'CIS-DI-0007')).toEqual([
      "Always combine 'apt-get update' with 'apt-get install|upgrade' : /bin/sh -c apt-get update",
    ]);
    expect(alertsOf(r, 'CIS-DI-0009')).toEqual([
      'Use COPY : ADD https://example.com/app.tgz /srv/ # buildkit',
    ]);
    expect(alertsOf(r, 'DKL-DI-0005')).toEqual([
      "Use 'rm -rf /var/lib/apt/lists' after 'apt-get install|update' : /bin/sh -c apt-get update",
      "Use 'rm -rf /var/lib/apt/lists' after 'apt-get install|update' : /bin/sh -c apt-get install -y git",
    ]);
    expect(alertsOf(r, 'DKL-DI-0001')).toEqual([
      'Avoid sudo in container : /bin/sh -c sudo apt-get dist-upgrade -y',
    ]);
    expect(alertsOf(r, 'DKL-DI-0003')).toEqual([
      'Avoid dist-upgrade in container : /bin/sh -c sudo apt-get dist-upgrade -y',
    ]);
    expect(alertsOf(r, 'DKL-DI-0004')).toEqual([
      "Use --no-cache option if use 'apk add': /bin/sh -c apk add curl && apk add --no-cache git",
    ]);
    expect(levelOf(r, 'DKL-DI-0003')).toBe('WARN');
  });

  it('CIS-DI-0010: secrets in ENV and in history (ARG, ENV), values masked; GPG_KEY and --accept-key pass', async () => {
    const cfg = config(
      {
        Env: [
          'PATH=/usr/bin',
          'DB_PASSWORD=hunter2',
          'GPG_KEY=ABCD',
          'EMPTY_SECRET=',
          'AWS_ACCESS_KEY_ID=AKIA1',
        ],
      },
      [
        '/bin/sh -c #(nop)  ENV AWS_ACCESS_KEY_ID=AKIA1',
        '|1 NPM_TOKEN=npm_s3cr3t /bin/sh -c npm ci',
        '/bin/sh -c echo "API_KEY=\'quoted value\'" > /dev/null',
      ],
    );
    const r = await lint([CLEAN_FILES], cfg);
    expect(alertsOf(r, 'CIS-DI-0010')).toEqual([
      'Suspicious ENV key found : AWS_ACCESS_KEY_ID on /bin/sh -c #(nop)  ENV AWS_ACCESS_KEY_ID=******* (You can suppress it with --accept-key)',
      'Suspicious ENV key found : NPM_TOKEN on |1 NPM_TOKEN=******* /bin/sh -c npm ci (You can suppress it with --accept-key)',
      'Suspicious ENV key found : API_KEY on /bin/sh -c echo "API_KEY=*******" > /dev/null (You can suppress it with --accept-key)',
      'Suspicious ENV key found : DB_PASSWORD (You can suppress it with --accept-key)',
    ]);
    expect(levelOf(r, 'CIS-DI-0010')).toBe('FATAL');
    const accepted = await lint([CLEAN_FILES], cfg, {
      contentTrust: true,
      acceptKeys: ['AWS_ACCESS_KEY_ID', 'NPM_TOKEN', 'API_KEY', 'DB_PASSWORD'],
    });
    expect(levelOf(accepted, 'CIS-DI-0010')).toBe('PASS');
  });
});

describe('lintImage: file checkpoints', () => {
  it('CIS-DI-0008 setuid/setgid files with Go’s mode strings', async () => {
    const r = await lint([
      [
        ...CLEAN_FILES,
        { path: 'usr/bin/passwd', data: 'x', mode: 0o4755 },
        { path: 'usr/bin/chage', data: 'x', mode: 0o2755 },
        { path: 'usr/bin/both', data: 'x', mode: 0o6755 },
        { type: 'dir', path: 'var/mail/', mode: 0o2775 },
      ],
    ]);
    expect(alertsOf(r, 'CIS-DI-0008')).toEqual([
      'setuid file: ugrwxr-xr-x usr/bin/both',
      'setgid file: ugrwxr-xr-x usr/bin/both',
      'setgid file: grwxr-xr-x usr/bin/chage',
      'setuid file: urwxr-xr-x usr/bin/passwd',
    ]);
    expect(levelOf(r, 'CIS-DI-0008')).toBe('INFO');
  });

  it('CIS-DI-0010 secret files, extensions, npm tokens, and secrets deleted by a later layer', async () => {
    const r = await lint([
      [
        ...CLEAN_FILES,
        { path: 'root/.ssh/id_rsa', data: 'key' },
        { path: 'srv/app/.env', data: 'X=1' },
        { path: 'srv/vpn/office.ovpn', data: 'cfg' },
        { path: 'home/app/.npmrc', data: '//registry.npmjs.org/:_authToken=npm_abc\n' },
        { path: 'srv/.npmrc', data: 'registry=https://registry.npmjs.org/\n' },
        { path: 'tmp/credentials.json', data: '{}' },
      ],
      [{ type: 'whiteout', path: 'tmp/credentials.json' }],
    ]);
    expect(alertsOf(r, 'CIS-DI-0010')).toEqual([
      'npm registry token found : home/app/.npmrc (remove it and use a build secret)',
      'Suspicious filename found : root/.ssh/id_rsa (You can suppress it with "--accept-file id_rsa")',
      'Suspicious filename found : srv/app/.env (You can suppress it with "--accept-file .env")',
      'Suspicious file extension found : srv/vpn/office.ovpn (You can suppress it with "--accept-file-extension ovpn")',
      'Suspicious filename found : tmp/credentials.json (deleted in layer 2, but still stored in layer 1) (You can suppress it with "--accept-file credentials.json")',
    ]);
    const accepted = await lint(
      [
        [
          ...CLEAN_FILES,
          { path: 'root/.ssh/id_rsa', data: 'key' },
          { path: 'srv/vpn/office.ovpn', data: 'cfg' },
        ],
      ],
      config(),
      { contentTrust: true, acceptFiles: ['id_rsa'], acceptFileExtensions: ['ovpn'] },
    );
    expect(levelOf(accepted, 'CIS-DI-0010')).toBe('PASS');
  });

  it('DKL-LI-0001 empty passwords, DKL-LI-0002 duplicate UIDs and GIDs (final versions of the files)', async () => {
    const r = await lint([
      [{ path: 'etc/shadow', data: 'root:*:1::::::\n' }],
      [
        { path: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n# comment\n' },
        { path: 'etc/shadow', data: '# comment\nroot::19000:0:::::\nbin:*:1::::::\n' },
        { path: 'etc/group', data: 'root:x:0:\nwheel:x:10:\nadmins:x:10:\n' },
      ],
    ]);
    expect(alertsOf(r, 'DKL-LI-0001')).toEqual(['No password user found! username : root']);
    expect(alertsOf(r, 'DKL-LI-0002')).toEqual([
      'duplicate UID 0 : username toor',
      'duplicate GroupID 10 : groupname admins',
    ]);
  });

  it('SKIP when the account files are absent', async () => {
    const r = await lint([[{ path: 'bin/app', data: 'x' }]]);
    expect(r.report.details).toEqual([
      {
        code: 'DKL-LI-0001',
        title: 'Avoid empty password',
        level: 'SKIP',
        alerts: ['failed to detect etc/shadow,etc/master.passwd'],
      },
      {
        code: 'DKL-LI-0002',
        title: 'Be unique UID/GROUP',
        level: 'SKIP',
        alerts: ['failed to detect etc/passwd,etc/group'],
      },
    ]);
    expect(r.report.summary).toEqual({ fatal: 0, warn: 0, info: 0, skip: 2, pass: 16 });
  });

  it('DKL-LI-0003 unnecessary files and suspicious directories, not inside node_modules or vendor', async () => {
    const r = await lint([
      [
        ...CLEAN_FILES,
        { path: 'srv/Dockerfile', data: 'FROM x' },
        { path: 'srv/.git/HEAD', data: 'ref' },
        { path: 'srv/.git/objects/ab/cdef', data: 'obj' },
        { path: 'root/.aws/config', data: '[default]' },
        { path: 'srv/node_modules/pkg/.git/HEAD', data: 'ref' },
        { path: 'srv/vendor/x/.idea/workspace.xml', data: '<x/>' },
      ],
    ]);
    expect(alertsOf(r, 'DKL-LI-0003')).toEqual([
      'unnecessary file : srv/Dockerfile',
      'Suspicious directory : root/.aws',
      'Suspicious directory : srv/.git',
    ]);
  });
});

describe('ignore and exit level', () => {
  it('--ignore drops a checkpoint from the details (counted as passed, as dockle does)', async () => {
    const r = await lint([CLEAN_FILES], config({ User: 'root' }), {
      contentTrust: true,
      ignore: ['CIS-DI-0001'],
    });
    expect(r.report.details).toEqual([]);
    expect(r.report.summary.pass).toBe(18);
    expect(levelOf(r, 'CIS-DI-0001')).toBe('IGNORE');
    expect(reachesLevel(r, 'info')).toEqual([]);
  });

  it('reachesLevel compares against FATAL > WARN > INFO', async () => {
    const r = await lint([CLEAN_FILES], config({ User: 'root', Healthcheck: null }));
    expect(reachesLevel(r, 'fatal')).toEqual([]);
    expect(reachesLevel(r, 'warn').map((c) => c.code)).toEqual(['CIS-DI-0001']);
    expect(reachesLevel(r, 'info').map((c) => c.code)).toEqual(['CIS-DI-0001', 'CIS-DI-0006']);
  });

  it('parses .dockleignore', () => {
    expect(parseIgnoreFile('# accepted\nCIS-DI-0005\n\n  DKL-DI-0006  # latest is fine here\n')).toEqual([
      'CIS-DI-0005',
      'DKL-DI-0006',
    ]);
  });
});

describe('helpers', () => {
  it('goModeString matches Go’s FileMode.String()', () => {
    expect(goModeString(goFileMode(0o4755, 48))).toBe('urwxr-xr-x');
    expect(goModeString(goFileMode(0o644, 48))).toBe('-rw-r--r--');
    expect(goModeString(goFileMode(0o755, 53))).toBe('drwxr-xr-x');
    expect(goModeString(goFileMode(0o1777, 53))).toBe('dtrwxrwxrwx');
  });

  it('shellWords splits like a shell', () => {
    expect(shellWords(`a "b c" 'd e' f\\ g X="1 2"`)).toEqual(['a', 'b c', 'd e', 'f g', 'X=1 2']);
  });
});

describe('maskSecretAssignments', () => {
  it('masks the values of secret-looking assignments and nothing else', async () => {
    const { maskSecretAssignments } = await import('../../../src/analyze/lint.js');
    expect(maskSecretAssignments('|2 NPM_TOKEN=abc123 VERSION=1.2 /bin/sh -c npm ci')).toBe(
      '|2 NPM_TOKEN=******* VERSION=1.2 /bin/sh -c npm ci',
    );
    expect(maskSecretAssignments('ENV API_KEY="s p a c e" GPG_KEY=ABCD PATH=/usr/bin')).toBe(
      'ENV API_KEY=******* GPG_KEY=ABCD PATH=/usr/bin',
    );
    expect(maskSecretAssignments('export DB_PASSWORD=hunter2;make')).toBe('export DB_PASSWORD=*******;make');
    expect(maskSecretAssignments('COPY file.txt /app')).toBe('COPY file.txt /app');
  });
});
