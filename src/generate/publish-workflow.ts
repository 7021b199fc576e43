/**
 * The publish workflow (`.github/workflows/publish.yml`) that `init` writes. Pure: options in,
 * YAML out (the `yaml` Document API, block literals for `run:`), so tests lint exactly what
 * users get.
 *
 * Three jobs. `changes` lists the services whose files changed (`ghcr-optimize changed`) as a
 * matrix. `build` builds each of them (`max-parallel` from the config), pushes (not for pull
 * requests), scans the pushed digest and uploads the SARIF; it is the only job that can write
 * packages. `release`, on v* tags only, creates a GitHub release whose notes list the tags pushed.
 * Expressions reach shell scripts only through `env:`, never spliced into the script text.
 */
import { Document, Scalar, isScalar, visit } from 'yaml';
import { DEFAULT_MAX_PARALLEL } from '../config/services.js';
import { VERSION } from '../version.js';

export const PUBLISH_WORKFLOW_PATH = '.github/workflows/publish.yml';

/** Pinned majors: a new major is a reviewed change. */
export const PUBLISH_ACTIONS = {
  checkout: 'actions/checkout@v4',
  setupNode: 'actions/setup-node@v4',
  setupQemu: 'docker/setup-qemu-action@v3',
  setupBuildx: 'docker/setup-buildx-action@v3',
  login: 'docker/login-action@v3',
  setupTrivy: 'aquasecurity/setup-trivy@v0.2.2',
  uploadSarif: 'github/codeql-action/upload-sarif@v3',
} as const;

export interface PublishWorkflowOptions {
  /** Services built at once (`strategy.max-parallel`). Default 3. */
  maxParallel?: number;
  /** Registry pushed to; ghcr.io logs in with GITHUB_TOKEN, others with REGISTRY_USERNAME/REGISTRY_PASSWORD secrets. */
  registry?: string;
  /** The branch whose pushes publish. Default main. */
  branch?: string;
  /** The config file relative to the repository root, when not `ghcr-optimize.yaml`. */
  configFile?: string;
  /** ghcr-optimize version npx runs. Default this version. */
  toolVersion?: string;
  /** Node.js major for setup-node. Default 20. */
  nodeVersion?: number;
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `npx --yes ghcr-optimize@VERSION [--config-file F]` */
export function toolCommand(opts: PublishWorkflowOptions = {}): string {
  const words = ['npx', '--yes', `ghcr-optimize@${opts.toolVersion ?? VERSION}`];
  if (opts.configFile !== undefined) words.push('--config-file', opts.configFile);
  return words.map(shellWord).join(' ');
}

const NOT_PR = "github.event_name != 'pull_request'";

export function publishWorkflowObject(opts: PublishWorkflowOptions = {}): Record<string, unknown> {
  const tool = toolCommand(opts);
  const registry = opts.registry ?? 'ghcr.io';
  const ghcr = registry === 'ghcr.io';
  const checkout = (fetchDepth?: number) => ({
    uses: PUBLISH_ACTIONS.checkout,
    with: {
      ...(fetchDepth !== undefined ? { 'fetch-depth': fetchDepth } : {}),
      'persist-credentials': false,
    },
  });
  // A fresh object per use: a shared one would be written as a YAML anchor and alias.
  const node = () => ({ uses: PUBLISH_ACTIONS.setupNode, with: { 'node-version': opts.nodeVersion ?? 20 } });
  return {
    name: 'Publish',
    on: {
      push: { branches: [opts.branch ?? 'main'], tags: ['v*'] },
      pull_request: null,
    },
    permissions: { contents: 'read' },
    concurrency: {
      group: 'publish-${{ github.ref }}',
      'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
    },
    jobs: {
      changes: {
        name: 'Changed services',
        'runs-on': 'ubuntu-latest',
        outputs: {
          services: '${{ steps.changed.outputs.services }}',
          matrix: '${{ steps.changed.outputs.matrix }}',
          any: '${{ steps.changed.outputs.any }}',
        },
        steps: [
          // The whole history: the base commit must be there to diff against.
          checkout(0),
          node(),
          {
            id: 'changed',
            name: 'List the services whose files changed',
            env: { BASE: '${{ github.event.pull_request.base.sha || github.event.before }}' },
            run: `${tool} changed --base "$BASE" --github-output\n`,
          },
        ],
      },
      build: {
        name: 'Build ${{ matrix.service }}',
        needs: 'changes',
        if: "needs.changes.outputs.any == 'true'",
        'runs-on': 'ubuntu-latest',
        // The only job that writes packages (and code-scanning results).
        permissions: { contents: 'read', packages: 'write', 'security-events': 'write' },
        strategy: {
          'fail-fast': false,
          'max-parallel': opts.maxParallel ?? DEFAULT_MAX_PARALLEL,
          matrix: '${{ fromJSON(needs.changes.outputs.matrix) }}',
        },
        steps: [
          checkout(),
          node(),
          { uses: PUBLISH_ACTIONS.setupQemu },
          { uses: PUBLISH_ACTIONS.setupBuildx },
          {
            name: `Log in to ${registry}`,
            if: NOT_PR,
            uses: PUBLISH_ACTIONS.login,
            with: ghcr
              ? {
                  registry,
                  username: '${{ github.actor }}',
                  password: '${{ secrets.GITHUB_TOKEN }}',
                }
              : {
                  registry,
                  username: '${{ secrets.REGISTRY_USERNAME }}',
                  password: '${{ secrets.REGISTRY_PASSWORD }}',
                },
          },
          {
            id: 'build',
            name: 'Build (and push)',
            env: {
              SERVICE: '${{ matrix.service }}',
              PUSH: `\${{ ${NOT_PR} }}`,
            },
            run: [
              'if [ "$PUSH" = true ]; then',
              `  ${tool} build "$SERVICE" --push --github-output`,
              'else',
              `  ${tool} build "$SERVICE" --github-output`,
              'fi',
              '',
            ].join('\n'),
          },
          { if: NOT_PR, uses: PUBLISH_ACTIONS.setupTrivy },
          {
            id: 'scan',
            name: 'Scan the pushed image',
            if: NOT_PR,
            env: {
              IMAGE: '${{ steps.build.outputs.image }}',
              DIGEST: '${{ steps.build.outputs.digest }}',
              SERVICE: '${{ matrix.service }}',
            },
            run: `${tool} scan "$IMAGE@$DIGEST" --format sarif --output "trivy-$SERVICE.sarif"\n`,
          },
          {
            name: 'Upload the scan to code scanning',
            if: NOT_PR,
            uses: PUBLISH_ACTIONS.uploadSarif,
            with: {
              sarif_file: 'trivy-${{ matrix.service }}.sarif',
              category: 'trivy-${{ matrix.service }}',
            },
          },
        ],
      },
      release: {
        name: 'GitHub release',
        needs: ['changes', 'build'],
        if: "startsWith(github.ref, 'refs/tags/v')",
        'runs-on': 'ubuntu-latest',
        permissions: { contents: 'write' },
        steps: [
          checkout(),
          node(),
          {
            name: 'Release notes: the pushed tags',
            run: [
              // The same tag rules on the same ref give the tags the build job pushed.
              `${tool} build --dry-run --json > plan.json`,
              '{',
              '  echo "## Images"',
              '  echo',
              '  jq -r \'.services[] | .tags[] | "- `\\(.)`"\' plan.json',
              '} > notes.md',
              '',
            ].join('\n'),
          },
          {
            name: 'Create the release',
            env: { GH_TOKEN: '${{ secrets.GITHUB_TOKEN }}', TAG: '${{ github.ref_name }}' },
            run: 'gh release create "$TAG" --verify-tag --title "$TAG" --notes-file notes.md --generate-notes\n',
          },
        ],
      },
    },
  };
}

/** The workflow file's text. */
export function publishWorkflow(opts: PublishWorkflowOptions = {}): string {
  const doc = new Document(publishWorkflowObject(opts));
  doc.commentBefore = [
    ' Generated by `ghcr-optimize init`: builds the services whose files changed, pushes them to',
    ' the registry with tags from the tag rules in ghcr-optimize.yaml, scans them, and creates a',
    ' GitHub release for v* tags. Edit freely; `ghcr-optimize init --force` regenerates it.',
  ].join('\n');
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'run' && isScalar(pair.value)) {
        pair.value.type = Scalar.BLOCK_LITERAL;
      }
    },
  });
  return doc.toString({ lineWidth: 0, nullStr: '' });
}
