import { describe, expect, it } from 'vitest';
import {
  colorEnabled,
  createOutput,
  formatBytes,
  formatTable,
  shortDigest,
} from '../../../src/cli/output.js';

const tty = { isTTY: true } as unknown as NodeJS.WriteStream;
const pipe = { isTTY: false } as unknown as NodeJS.WriteStream;
const noTtyProp = {} as unknown as NodeJS.WriteStream;

describe('formatTable', () => {
  it('pads every column but the last to its widest cell, two spaces apart', () => {
    expect(
      formatTable(
        ['NAME', 'SIZE', 'DIGEST'],
        [
          ['a', '1 B', 'sha256:1'],
          ['longer-name', '12.3 MB', 'sha256:2'],
        ],
      ),
    ).toBe(
      [
        'NAME         SIZE     DIGEST',
        'a            1 B      sha256:1',
        'longer-name  12.3 MB  sha256:2',
      ].join('\n'),
    );
  });

  it('a header wider than all rows sets the width', () => {
    expect(formatTable(['REPOSITORY', 'N'], [['x', '1']])).toBe('REPOSITORY  N\nx           1');
  });

  it('no rows: just the header', () => {
    expect(formatTable(['A', 'B'], [])).toBe('A  B');
  });

  it('single column is never padded', () => {
    expect(formatTable(['TAG'], [['latest'], ['v1']])).toBe('TAG\nlatest\nv1');
  });

  it('trailing whitespace is trimmed when the last cell is empty', () => {
    expect(formatTable(['A', 'B'], [['xyz', '']])).toBe('A    B\nxyz');
  });

  it('the last column is not padded even when it is widest', () => {
    const out = formatTable(
      ['A', 'B'],
      [
        ['1', 'long value'],
        ['2', 'x'],
      ],
    );
    expect(out.split('\n')).toEqual(['A  B', '1  long value', '2  x']);
  });

  it('ANSI colour codes do not count towards the width', () => {
    const red = '\u001b[31mred\u001b[39m';
    const out = formatTable(
      ['COLOR', 'X'],
      [
        [red, '1'],
        ['plain', '2'],
      ],
    );
    expect(out.split('\n')).toEqual(['COLOR  X', `${red}    1`, 'plain  2']);
  });

  it('missing cells in short rows are treated as empty', () => {
    expect(formatTable(['A', 'B', 'C'], [['1']])).toBe('A  B  C\n1');
  });

  it('has no trailing newline', () => {
    expect(formatTable(['A'], [['1']]).endsWith('\n')).toBe(false);
  });
});

describe('formatBytes', () => {
  const CASES: readonly [number, string][] = [
    [0, '0 B'],
    [1, '1 B'],
    [999, '999 B'],
    [1000, '1.00 KB'],
    [1024, '1.02 KB'],
    [1500, '1.50 KB'],
    [9_994, '9.99 KB'],
    [12_345, '12.3 KB'],
    [999_000, '999.0 KB'],
    [1_000_000, '1.00 MB'],
    [2_811_478, '2.81 MB'],
    [45_600_000, '45.6 MB'],
    [1_000_000_000, '1.00 GB'],
    [1_500_000_000_000, '1.50 TB'],
    [5_000_000_000_000_000, '5000.0 TB'], // no unit above TB
  ];
  it.each(CASES)('%i → %s', (n, expected) => {
    expect(formatBytes(n)).toBe(expected);
  });
});

describe('shortDigest', () => {
  const HEX = '0123456789abcdef'.repeat(4);
  it.each([
    [`sha256:${HEX}`, 'sha256:0123456789ab'],
    [`sha512:${'f'.repeat(128)}`, `sha512:${'f'.repeat(12)}`],
    ['sha256:abc', 'sha256:abc'],
    ['latest', 'latest'],
    ['', ''],
  ])('%s → %s', (digest, expected) => {
    expect(shortDigest(digest)).toBe(expected);
  });
});

describe('colorEnabled', () => {
  const CASES: readonly [string, NodeJS.WriteStream, boolean | undefined, NodeJS.ProcessEnv, boolean][] = [
    ['TTY, no env', tty, undefined, {}, true],
    ['TTY, flag true', tty, true, {}, true],
    ['non-TTY', pipe, undefined, {}, false],
    ['stream without isTTY', noTtyProp, undefined, {}, false],
    ['non-TTY, flag true does not force', pipe, true, {}, false],
    ['flag false beats TTY', tty, false, {}, false],
    ['flag false beats FORCE_COLOR', tty, false, { FORCE_COLOR: '1' }, false],
    ['NO_COLOR=1 beats TTY', tty, undefined, { NO_COLOR: '1' }, false],
    ['NO_COLOR with any value', tty, undefined, { NO_COLOR: 'false' }, false],
    ['NO_COLOR beats FORCE_COLOR', tty, undefined, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
    ['empty NO_COLOR is ignored', tty, undefined, { NO_COLOR: '' }, true],
    ['FORCE_COLOR=1 on a pipe', pipe, undefined, { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR empty string forces', pipe, undefined, { FORCE_COLOR: '' }, true],
    ['FORCE_COLOR=0 turns colour off (pipe)', pipe, undefined, { FORCE_COLOR: '0' }, false],
    ['FORCE_COLOR=0 turns colour off even on a TTY', tty, undefined, { FORCE_COLOR: '0' }, false],
    ['FORCE_COLOR=false turns colour off on a TTY', tty, undefined, { FORCE_COLOR: 'false' }, false],
    ['empty NO_COLOR and FORCE_COLOR on a pipe', pipe, undefined, { NO_COLOR: '', FORCE_COLOR: '3' }, true],
  ];
  it.each(CASES)('%s', (_name, stream, flag, env, expected) => {
    expect(colorEnabled(stream, flag, env)).toBe(expected);
  });
});

describe('createOutput', () => {
  interface Sink {
    stream: NodeJS.WriteStream;
    text: () => string;
  }
  function sink(isTTY = false): Sink {
    const chunks: string[] = [];
    const stream = {
      isTTY,
      write(c: string | Uint8Array) {
        chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString());
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    return { stream, text: () => chunks.join('') };
  }
  const run = (
    opts: Parameters<typeof createOutput>[0],
    out: Sink,
    err: Sink,
  ): ReturnType<typeof createOutput> => createOutput(opts, out.stream, err.stream);

  it('result: rendered text with a newline, or JSON with --json', () => {
    const out1 = sink();
    run({}, out1, sink()).result({ a: 1 }, () => 'hello');
    expect(out1.text()).toBe('hello\n');

    const out2 = sink();
    run({ json: true }, out2, sink()).result({ a: 1 }, () => 'hello');
    expect(out2.text()).toBe('{\n  "a": 1\n}\n');
  });

  it('result does not add a second newline', () => {
    const out = sink();
    run({}, out, sink()).result(null, () => 'done\n');
    expect(out.text()).toBe('done\n');
  });

  it('info goes to stderr, and is silenced by --quiet and --json', () => {
    for (const [opts, expected] of [
      [{}, 'note\n'],
      [{ quiet: true }, ''],
      [{ json: true }, ''],
    ] as const) {
      const err = sink();
      const out = sink();
      run(opts, out, err).info('note');
      expect(err.text()).toBe(expected);
      expect(out.text()).toBe('');
    }
  });

  it('warn is plain on a pipe and still shown with --json', () => {
    const err = sink(false);
    run({ json: true, color: true }, sink(), err).warn('careful');
    expect(err.text()).toBe('warning: careful\n');
  });
});

describe('formatBytes at unit boundaries', () => {
  it.each([
    [999, '999 B'],
    [1000, '1.00 KB'],
    [999_949, '999.9 KB'],
    [999_999, '1.00 MB'],
    [1_500_000, '1.50 MB'],
    [12_345_678_901, '12.3 GB'],
  ])('%d bytes → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
