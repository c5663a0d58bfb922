import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_QUERY } from '../../src/graphql/graphiql';
import { expectNoErrors, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * The example operations (GraphiQL's and examples/operations, shown in the README, linted against the
 * schema) run as written.
 */

const DIR = join(__dirname, '..', '..', 'examples', 'operations');
const examples: Array<[string, string]> = [
  ['GraphiQL\'s example query', EXAMPLE_QUERY],
  ...readdirSync(DIR)
    .filter((file) => file.endsWith('.graphql'))
    .map((file): [string, string] => [file, readFileSync(join(DIR, file), 'utf8')]),
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

it('has example operations', () => {
  expect(examples.length).toBeGreaterThanOrEqual(3);
});

it.each(examples)('%s answers without errors, with data for every root field', async (_name, document) => {
  const response = await h.gql(document);
  expectNoErrors(response, h);
  for (const [field, value] of Object.entries(response.data as Record<string, unknown>)) expect([field, value]).not.toEqual([field, null]);
});
