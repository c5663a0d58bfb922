import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { composeSupergraph, exampleSubgraphs } from '../../scripts/compose-supergraph';
import type { Subgraph } from '../../scripts/compose-supergraph';
import { runSupergraph } from '../../scripts/supergraph';
import { projectRoot } from '../../src/graphql/schema';

/**
 * Composition with both libraries (Apollo's and The Guild's), what `npm run supergraph` prints and
 * when it fails, and the conflicts another team's subgraph can run into: the README promises each.
 */

const URLS = { backups: 'http://backups.test/graphql', inventory: 'http://inventory.test/graphql' };
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])\n';

function run(argv: string[]): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = runSupergraph(argv, { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`) });
  return { status, out, err };
}

/** Composes the example supergraph plus one more subgraph; returns the error codes (none when it composes). */
function withThirdSubgraph(sdl: string): string[] {
  const third: Subgraph = { name: 'relay', url: 'http://relay.test/graphql', typeDefs: parse(LINK + sdl) };
  const composition = composeSupergraph([...exampleSubgraphs(URLS), third]);
  return composition.ok ? [] : [...new Set(composition.errors.map((e) => `${e.composer} ${e.code}`))].sort();
}

describe('the example supergraph', () => {
  it('composes with both libraries, with both subgraphs owning a share of Ec2Instance', () => {
    const composition = composeSupergraph(exampleSubgraphs(URLS));
    if (!composition.ok) throw new Error(JSON.stringify(composition.errors, null, 2));
    const sdl = composition.supergraphSdl;
    expect(sdl).toContain(`BACKUPS @join__graph(name: "backups", url: "${URLS.backups}")`);
    expect(sdl).toContain(`INVENTORY @join__graph(name: "inventory", url: "${URLS.inventory}")`);
    // The restore mutation and the task subscription are part of the supergraph, routed to this subgraph.
    expect(sdl).toMatch(/type Mutation\s+@join__type\(graph: BACKUPS\)\s*\{[^}]*restoreEc2InstanceBackup\(/);
    expect(sdl).toMatch(/type Subscription\s+@join__type\(graph: BACKUPS\)\s*\{[^}]*clumioTask\(/);
    expect(sdl).toMatch(/type Ec2Instance implements Node\s+@join__implements\(graph: BACKUPS, interface: "Node"\)\s+@join__type\(graph: BACKUPS, key: "instanceId"\)\s+@join__type\(graph: INVENTORY, key: "instanceId"\)/);
    expect(sdl).toMatch(/@join__type\(graph: INVENTORY, key: "backupId", resolvable: false\)/);
  });

  it('hints exactly what the README answers', () => {
    const composition = composeSupergraph(exampleSubgraphs(URLS));
    expect(composition.hints.map((h) => [h.code, h.message.split(' has ')[0]])).toEqual([['INCONSISTENT_DESCRIPTION', 'Element "Ec2Instance"']]);
    const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
    expect(readme).toContain('## Federation');
    const federation = readme.slice(readme.indexOf('## Federation'));
    for (const hint of composition.hints) expect(federation).toContain(hint.code);
  });
});

describe('npm run supergraph', () => {
  it('prints the subgraph SDL, the hints and the supergraph, and exits 0', () => {
    const { status, out, err } = run([]);
    expect(err).toBe('');
    expect(status).toBe(0);
    expect(out).toMatch(/# ---- Subgraph "backups"[^\n]*\n[\s\S]*type Ec2InstanceBackup implements Node @key\(fields: "backupId"\)/);
    expect(out).toContain('# ---- Composition hints for backups + inventory: 1');
    expect(out).toContain('# WARN INCONSISTENT_DESCRIPTION: Element "Ec2Instance"');
    expect(out).toMatch(/# ---- Supergraph of backups \+ inventory ----\n[\s\S]*@join__graph\(name: "backups", url: "http:\/\/localhost:4000\/graphql"\)/);
  });

  it('writes the supergraph to --out with the routing URLs given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
    try {
      const file = join(dir, 'supergraph.graphql');
      const { status, out } = run(['--out', file, '--backups-url', URLS.backups, '--inventory-url', URLS.inventory]);
      expect(status).toBe(0);
      expect(out).toContain(`written to ${file}`);
      expect(readFileSync(file, 'utf8')).toContain(`@join__graph(name: "inventory", url: "${URLS.inventory}")`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails loudly, with every error of both libraries, when the subgraphs do not compose', () => {
    const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
    try {
      // The inventory's key field typed differently from the backups subgraph's.
      const broken = readFileSync(join(projectRoot(), 'examples/inventory-subgraph/schema.graphql'), 'utf8').replace(
        /(type Ec2Instance @key\(fields: "instanceId"\) \{[\s\S]*?)instanceId: ID!/,
        '$1instanceId: Int!',
      );
      expect(broken).toContain('instanceId: Int!');
      const file = join(dir, 'schema.graphql');
      writeFileSync(file, broken);
      const { status, out, err } = run(['--inventory-schema', file]);
      expect(status).toBe(1);
      expect(err).toMatch(/^Composition of backups \+ inventory FAILED with \d+ error\(s\):/);
      expect(err).toMatch(/\[apollo\] FIELD_TYPE_MISMATCH: .*Ec2Instance\.instanceId/);
      expect(err).toMatch(/\[guild\] FIELD_TYPE_MISMATCH: .*Ec2Instance\.instanceId/);
      expect(out).not.toContain('# ---- Supergraph');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown option with the usage', () => {
    const { status, err } = run(['--nope']);
    expect(status).toBe(2);
    expect(err).toContain('Usage: npm run supergraph');
  });
});

describe('another team\'s subgraph next to this one', () => {
  it('may share PageInfo when it marks it @shareable with the same four fields', () => {
    expect(withThirdSubgraph(`type Query { things(first: Int): ThingConnection }
      type ThingConnection { pageInfo: PageInfo! }
      type PageInfo @shareable { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }`)).toEqual([]);
  });

  it('cannot define PageInfo without @shareable, or with fewer fields', () => {
    expect(withThirdSubgraph(`type Query { things: ThingConnection } type ThingConnection { pageInfo: PageInfo! }
      type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }`)).toEqual([
      'apollo INVALID_FIELD_SHARING',
      'guild INVALID_FIELD_SHARING',
    ]);
    expect(withThirdSubgraph(`type Query { things: ThingConnection } type ThingConnection { pageInfo: PageInfo! }
      type PageInfo @shareable { hasNextPage: Boolean! endCursor: String }`)).toEqual(['apollo SATISFIABILITY_ERROR', 'guild SATISFIABILITY_ERROR']);
  });

  it('may implement the Node interface, but cannot also define Query.node', () => {
    expect(withThirdSubgraph('interface Node { id: ID! } type Thing implements Node @key(fields: "id") { id: ID! } type Query { thing: Thing }')).toEqual([]);
    expect(withThirdSubgraph('interface Node { id: ID! } type Thing implements Node @key(fields: "id") { id: ID! } type Query { node(id: ID!): Node }')).toEqual([
      'apollo INVALID_FIELD_SHARING',
      'guild INVALID_FIELD_SHARING',
    ]);
  });

  it('fails to compose when it has a type of the same name as a Clumio-specific one', () => {
    expect(withThirdSubgraph('type Ami { id: ID! } type Query { amis: [Ami] }')).toEqual(['apollo SATISFIABILITY_ERROR', 'guild SATISFIABILITY_ERROR']);
  });
});
