import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from './lifecycle.js';

const execFileP = promisify(execFile);

export interface CertPair {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

let dir: string | undefined;
let tls: Promise<CertPair> | undefined;
let signing: Promise<CertPair> | undefined;

function certDir(): string {
  dir ??= makeTempDir('ghcr-opt-certs');
  return dir;
}

// node:crypto can parse X.509 but not create it, hence the openssl CLI.
async function makeSelfSigned(name: string, subject: string, san?: string): Promise<CertPair> {
  const certFile = join(certDir(), `${name}.crt`);
  const keyFile = join(certDir(), `${name}.key`);
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    // The registry checks the validity dates of x5c certs; 10 years keeps a cached cert valid.
    '-days',
    '3650',
    '-subj',
    subject,
  ];
  if (san) args.push('-addext', `subjectAltName=${san}`);
  await execFileP('openssl', args);
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certFile, keyFile, certPem, keyPem };
}

/** Self-signed EC P-256 server cert for 127.0.0.1 / localhost; it is its own CA. Cached per process. */
export function tlsCert(): Promise<CertPair> {
  tls ??= makeSelfSigned('tls', '/CN=127.0.0.1', 'IP:127.0.0.1,DNS:localhost').catch((err: unknown) => {
    tls = undefined; // let a later caller retry instead of inheriting this failure
    throw err;
  });
  return tls;
}

/** EC P-256 cert + key the token server signs with; the registry trusts it via rootcertbundle. Cached per process. */
export function tokenSigningCert(): Promise<CertPair> {
  signing ??= makeSelfSigned('token-signer', '/CN=ghcr-optimize-test-token-signer').catch((err: unknown) => {
    signing = undefined;
    throw err;
  });
  return signing;
}
