import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * The lint setup catches what it is there for: each probe is handed to the real `eslint` command
 * (as `npm run lint` runs it in CI) as if it were a file of the repository, and must fail with the
 * rules named.
 */

const ROOT = join(__dirname, '..', '..');
const ESLINT = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

function rulesFor(code: string, filePath: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [ESLINT, '--format', 'json', '--stdin', '--stdin-filename', filePath], { cwd: ROOT }, (error, stdout, stderr) => {
      // eslint exits 1 when it found problems, which these probes must cause.
      if (error && error.code !== 1) return reject(new Error(`eslint failed: ${stderr || error.message}`));
      const [result] = JSON.parse(stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
      resolve((result?.messages ?? []).map((m) => m.ruleId ?? m.message));
    });
    child.stdin?.end(code);
  });
}

it('refuses a floating promise, and a promise where a callback must return nothing', async () => {
  const code = [
    "import { createServer } from 'node:http';",
    'export async function upstream(): Promise<number> { return 1; }',
    'export function resolver(): void { upstream(); }',
    'export const server = createServer(async () => { await upstream(); });',
    '',
  ].join('\n');
  expect(await rulesFor(code, 'lint/probe.ts')).toEqual(
    expect.arrayContaining(['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises']),
  );
}, 120_000);

it('refuses a type imported as a value', async () => {
  const code = ["import { GraphQLSchema } from 'graphql';", 'export const described = (schema: GraphQLSchema): string => String(schema);', ''].join('\n');
  expect(await rulesFor(code, 'lint/probe.ts')).toContain('@typescript-eslint/consistent-type-imports');
}, 120_000);

it('refuses an SDL type or field without a description, and an unreachable type', async () => {
  expect(await rulesFor('type Orphan {\n  field: String\n}\n', 'schema/lint-probe.graphql')).toEqual(
    expect.arrayContaining(['@graphql-eslint/require-description', '@graphql-eslint/no-unreachable-types']),
  );
}, 120_000);

it('checks the example operations against the schema', async () => {
  const probe = 'query Probe {\n  ec2InstanceBackups {\n    nodes {\n      id\n      noSuchField\n    }\n  }\n}\n';
  expect(await rulesFor(probe, 'examples/operations/lint-probe.graphql')).toContain('@graphql-eslint/fields-on-correct-type');
}, 120_000);
