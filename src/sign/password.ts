/**
 * The private-key password, found the way cosign finds it: $COSIGN_PASSWORD when set (an empty
 * value means an empty password), else a hidden prompt on a terminal, else all of standard input,
 * byte for byte (cosign does not strip a trailing newline either).
 */
import { CancelledError, UsageError } from '../errors.js';

export interface PasswordOptions {
  /** Ask twice and compare (generate-key-pair). */
  confirm?: boolean;
  /** Standard input already carries something else (--password-stdin). */
  stdinTaken?: boolean;
  env?: NodeJS.ProcessEnv;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
}

/** One line typed on a raw-mode terminal without echo; Ctrl-C cancels. */
function promptHidden(
  question: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
): Promise<string> {
  output.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error): void => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onEnd = (): void => done();
    const onData = (chunk: Buffer | string): void => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CancelledError('cancelled at the password prompt'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    input.setRawMode(true);
    input.on('data', onData);
    input.once('end', onEnd);
    input.resume();
  });
}

async function readAll(input: NodeJS.ReadStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of input as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export async function readKeyPassword(opts: PasswordOptions = {}): Promise<Buffer> {
  const env = opts.env ?? process.env;
  const fromEnv = env.COSIGN_PASSWORD;
  if (fromEnv !== undefined) return Buffer.from(fromEnv, 'utf8');
  const stdin = opts.stdin ?? process.stdin;
  const stderr = opts.stderr ?? process.stderr;
  if (stdin.isTTY) {
    const first = await promptHidden('Enter password for private key: ', stdin, stderr);
    if (opts.confirm) {
      const again = await promptHidden('Enter password for private key again: ', stdin, stderr);
      if (again !== first) throw new UsageError('the passwords do not match');
    }
    return Buffer.from(first, 'utf8');
  }
  if (opts.stdinTaken) {
    throw new UsageError('set COSIGN_PASSWORD for the private key', {
      hint: 'standard input already carries the registry password (--password-stdin)',
    });
  }
  return readAll(stdin);
}
