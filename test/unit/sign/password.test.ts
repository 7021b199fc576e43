/** Where the key password comes from: $COSIGN_PASSWORD, a hidden terminal prompt, or stdin. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CancelledError, UsageError } from '../../../src/errors.js';
import { readKeyPassword } from '../../../src/sign/password.js';

function pipe(content: string): NodeJS.ReadStream {
  const s = new PassThrough();
  s.end(content);
  return s as unknown as NodeJS.ReadStream;
}

/** A fake terminal: raw mode is recorded, typed text arrives after the prompt is written. */
function terminal(typed: string[]): {
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  written: () => string;
  raw: boolean[];
} {
  const input = new PassThrough();
  const raw: boolean[] = [];
  Object.assign(input, { isTTY: true, setRawMode: (on: boolean) => raw.push(on) });
  let out = '';
  let next = 0;
  const stderr = {
    write(chunk: string) {
      out += chunk;
      if (chunk.endsWith(': ') && next < typed.length) {
        const text = typed[next++]!;
        setImmediate(() => input.write(text));
      }
      return true;
    },
  };
  return {
    stdin: input as unknown as NodeJS.ReadStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    written: () => out,
    raw,
  };
}

describe('readKeyPassword', () => {
  it('takes $COSIGN_PASSWORD, an empty value meaning an empty password', async () => {
    expect((await readKeyPassword({ env: { COSIGN_PASSWORD: 'pw' }, stdin: pipe('other') })).toString()).toBe(
      'pw',
    );
    expect(await readKeyPassword({ env: { COSIGN_PASSWORD: '' }, stdin: pipe('other') })).toEqual(
      Buffer.alloc(0),
    );
  });

  it('otherwise reads all of piped standard input, byte for byte (as cosign does)', async () => {
    expect((await readKeyPassword({ env: {}, stdin: pipe('secret\n') })).toString()).toBe('secret\n');
    expect(await readKeyPassword({ env: {}, stdin: pipe('') })).toEqual(Buffer.alloc(0));
  });

  it('asks for COSIGN_PASSWORD when stdin carries the registry password', async () => {
    const err = await readKeyPassword({ env: {}, stdin: pipe('x'), stdinTaken: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/COSIGN_PASSWORD/);
  });

  it('prompts on a terminal without echo, handling backspace, and confirms when asked', async () => {
    const t = terminal(['pass\u007fsword\r', 'password\r']);
    const pw = await readKeyPassword({ env: {}, stdin: t.stdin, stderr: t.stderr, confirm: true });
    expect(pw.toString()).toBe('password'); // 'pass', backspace, 'sword'
    expect(t.written()).toBe('Enter password for private key: \nEnter password for private key again: \n');
    expect(t.raw).toEqual([true, false, true, false]);
  });

  it('refuses different confirmations and stops on Ctrl-C', async () => {
    const t = terminal(['a\r', 'b\r']);
    await expect(
      readKeyPassword({ env: {}, stdin: t.stdin, stderr: t.stderr, confirm: true }),
    ).rejects.toThrow(UsageError);
    const c = terminal(['ab\u0003']);
    await expect(readKeyPassword({ env: {}, stdin: c.stdin, stderr: c.stderr })).rejects.toBeInstanceOf(
      CancelledError,
    );
  });
});
