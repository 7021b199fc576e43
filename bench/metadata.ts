/** Metadata commands (inspect, tags) against skopeo, one process per command for both tools. */
import { startRegistry, credsOf, type RunningRegistry } from '../test/support/registry.js';
import { makeImage, makeIndex, pushImage } from '../test/support/fixtures.js';
import { CLI, RUNS, median, row, runAll, type Row } from './lib.js';

export async function metadataSuite(): Promise<Row[]> {
  const registries: RunningRegistry[] = [];
  try {
    const open = await startRegistry();
    const token = await startRegistry({ auth: 'token' });
    registries.push(open, token);
    const platforms = ['amd64', 'arm64', 'ppc64le', 's390x'].map((architecture) =>
      makeImage({ architecture, layers: [{ [`${architecture}.txt`]: `layer for ${architecture}` }] }),
    );
    const index = makeIndex(platforms);
    const TAGS = 60;
    for (let i = 0; i < TAGS; i++)
      await pushImage(open.url, 'bench/app', `v${i}`, i % 2 ? index : platforms[i % 4]!);
    await pushImage(token.url, 'bench/app', 'v1', index, { auth: credsOf(token) });
    const { username, password } = credsOf(token);
    const sk = ['skopeo', '--override-os', 'linux'];
    const workloads: { name: string; ours: string[][]; skopeo: string[][] }[] = [
      {
        name: 'raw manifest (1 request)',
        ours: [[...CLI, 'inspect', '--raw', `${open.host}/bench/app:v1`]],
        skopeo: [[...sk, 'inspect', '--tls-verify=false', '--raw', `docker://${open.host}/bench/app:v1`]],
      },
      {
        name: `list ${TAGS} tags`,
        ours: [[...CLI, 'tags', `${open.host}/bench/app`]],
        skopeo: [[...sk, 'list-tags', '--tls-verify=false', `docker://${open.host}/bench/app`]],
      },
      {
        name: `digest of every tag (${TAGS} tags)`,
        ours: [[...CLI, 'tags', '--digests', `${open.host}/bench/app`]],
        skopeo: [
          [...sk, 'list-tags', '--tls-verify=false', `docker://${open.host}/bench/app`],
          ...Array.from({ length: TAGS }, (_, i) => [
            ...sk,
            'inspect',
            '--tls-verify=false',
            '--raw',
            `docker://${open.host}/bench/app:v${i}`,
          ]),
        ],
      },
      {
        name: 'index + 4 platform manifests',
        ours: [[...CLI, 'inspect', '--json', `${open.host}/bench/app:v1`]],
        skopeo: [
          [...sk, 'inspect', '--tls-verify=false', '--raw', `docker://${open.host}/bench/app:v1`],
          ...platforms.map((p) => [
            ...sk,
            'inspect',
            '--tls-verify=false',
            '--raw',
            `docker://${open.host}/bench/app@${p.digest}`,
          ]),
        ],
      },
      {
        name: 'raw manifest with bearer-token auth',
        ours: [
          [
            ...CLI,
            'inspect',
            '--raw',
            '--username',
            username,
            '--password',
            password,
            `${token.host}/bench/app:v1`,
          ],
        ],
        skopeo: [
          [
            ...sk,
            'inspect',
            '--tls-verify=false',
            '--raw',
            '--creds',
            `${username}:${password}`,
            `docker://${token.host}/bench/app:v1`,
          ],
        ],
      },
    ];
    const rows: Row[] = [];
    for (const w of workloads) {
      await runAll(w.ours);
      await runAll(w.skopeo);
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        ours.push(await runAll(w.ours));
        theirs.push(await runAll(w.skopeo));
      }
      rows.push(row(w.name, median(ours), median(theirs)));
    }
    return rows;
  } finally {
    await Promise.all(registries.map((r) => r.stop()));
  }
}
