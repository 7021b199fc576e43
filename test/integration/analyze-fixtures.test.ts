/**
 * Issue #7: every kind of hostile layer is refused by the CLI the way a user sees it — exit code 8,
 * one `error:` line naming the layer and what is wrong, a hint, no stack trace, nothing on stdout.
 * (analyze.test.ts covers the `../` case; the tar-level variants are unit-tested in
 * test/unit/analyze/layer-reader.test.ts and issue7-fixtures.test.ts.)
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../support/cli.js';
import { makeImage, writeOciLayout } from '../support/fixtures.js';
import { END_OF_ARCHIVE, layerFromTar, packTar, pad512, rawHeader } from '../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';

const LAYER = String.raw`layer 2 \(sha256:[0-9a-f]{12}\)`;

const CASES: { tag: string; tar: () => Buffer | Promise<Buffer>; message: RegExp }[] = [
  {
    tag: 'absolute',
    tar: () =>
      Buffer.concat([
        rawHeader({ name: '/etc/passwd', size: 4 }),
        pad512(Buffer.from('evil')),
        END_OF_ARCHIVE,
      ]),
    message: new RegExp(`^error: ${LAYER}: unsafe entry "/etc/passwd": an absolute path$`),
  },
  {
    tag: 'symlink-escape',
    tar: () => packTar([{ type: 'symlink', path: 'usr/lib/x', target: '../../../etc/shadow' }]),
    message: new RegExp(
      `^error: ${LAYER}: symlink "usr/lib/x" → "\\.\\./\\.\\./\\.\\./etc/shadow" points outside the image root$`,
    ),
  },
  {
    tag: 'hardlink-escape',
    tar: () =>
      Buffer.concat([rawHeader({ name: 'h', typeflag: '1', linkname: '../outside' }), END_OF_ARCHIVE]),
    message: new RegExp(
      `^error: ${LAYER}: hard link "h" → "\\.\\./outside" points outside the image root \\(a "\\.\\." component \\(path traversal\\)\\)$`,
    ),
  },
  {
    tag: 'pax-oversized',
    tar: () => {
      const huge = Buffer.alloc(5 * 1024 * 1024, 0x61);
      return Buffer.concat([
        rawHeader({ name: 'PaxHeader/x', size: huge.length, typeflag: 'x' }),
        huge,
        END_OF_ARCHIVE,
      ]);
    },
    message: new RegExp(`^error: ${LAYER}: a tar header \\(pax or GNU long name\\) exceeds the 4 MiB limit$`),
  },
  {
    tag: 'gnu-oversized',
    tar: () => {
      const huge = Buffer.alloc(5 * 1024 * 1024, 0x62);
      return Buffer.concat([
        rawHeader({ name: '././@LongLink', size: huge.length, typeflag: 'L', magic: 'gnu' }),
        huge,
        rawHeader({ name: 'x', magic: 'gnu' }),
        END_OF_ARCHIVE,
      ]);
    },
    message: new RegExp(`^error: ${LAYER}: a tar header \\(pax or GNU long name\\) exceeds the 4 MiB limit$`),
  },
  {
    tag: 'lying-size',
    tar: () =>
      Buffer.concat([
        rawHeader({ name: 'big', size: 8 * 1024 ** 3 - 1 }),
        pad512(Buffer.from('tiny')),
        END_OF_ARCHIVE,
      ]),
    message: new RegExp(`^error: ${LAYER}: the tar archive is truncated$`),
  },
];

describe('hostile layers through the CLI', () => {
  let home: string;

  beforeAll(async () => {
    home = makeTempDir('ghcr-opt-analyze-hostile');
    // A harmless first layer, so the message must name the second one.
    const good = layerFromTar(await packTar([{ path: 'ok.txt', data: 'fine' }]));
    const images = await Promise.all(
      CASES.map(async (c) => ({
        tag: c.tag,
        imageOrIndex: makeImage({ layers: [good, layerFromTar(await c.tar())] }),
      })),
    );
    await writeOciLayout(join(home, 'layout'), images);
  });
  afterAll(() => removeTempDir(home));

  it.each(CASES.map((c) => [c.tag, c.message] as const))(
    'analyze refuses %s: exit 8, one clear error line, no stack trace',
    async (tag, message) => {
      const r = await runCli(['analyze', `oci:layout:${tag}`], { home });
      expect(r.code, describeRun(r)).toBe(8);
      expect(r.stdout, describeRun(r)).toBe('');
      expect(r.stderrLines[0], describeRun(r)).toMatch(message);
      expect(r.stderrLines.slice(1), describeRun(r)).toEqual(
        r.stderrLines.length > 1 ? [expect.stringMatching(/^hint: /)] : [],
      );
      expect(r.stderr).not.toMatch(/^\s+at /m);
    },
    60_000,
  );

  it('lint refuses the same layers (the walk is shared)', async () => {
    for (const tag of ['absolute', 'gnu-oversized']) {
      const r = await runCli(['lint', `oci:layout:${tag}`, '--json'], { home });
      expect(r.code, describeRun(r)).toBe(8);
      expect(r.stdout, describeRun(r)).toBe('');
      expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 8 } });
    }
  }, 60_000);
});
