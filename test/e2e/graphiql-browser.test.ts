import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * GraphiQL in a real headless browser (Debian's chromium): the page loads from the gateway alone,
 * the example query runs, and its result shows. Every request the page makes is recorded; any that
 * would leave the machine fails the test.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let h: Harness;
/** Undefined when Chromium failed to start (afterAll still runs). */
let browser: Browser | undefined;
beforeAll(async () => {
  h = await startHarness();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

it('runs the example query in GraphiQL with no request leaving the machine', async () => {
  const context = await browser!.newContext();
  const requested: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requested.push(url);
    return url.startsWith(h.gateway.url) ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  h.resetUpstream();
  await page.goto(`${h.gateway.url}/graphql`);
  await page.getByText('query NewestBackups').first().waitFor();
  await page.locator('.graphiql-execute-button').click();
  const response = page.locator('.graphiql-response');
  await response.getByText('"totalCount"').waitFor();
  // The editor lays text out with non-breaking spaces: compare with whitespace collapsed.
  const text = ((await response.textContent()) ?? '').replace(/\s+/g, ' ');
  expect(text).toContain(`"totalCount": ${h.emulator.backups.length}`);
  expect(text).toContain(h.emulator.backups[0]!.id!);

  await page.screenshot({ path: 'test-results/graphiql.png' }).catch(() => undefined);
  await context.close();

  expect(requested.filter((url) => !url.startsWith(h.gateway.url))).toEqual([]);
  expect(requested.some((url) => url.startsWith(`${h.gateway.url}/graphql`))).toBe(true);
  expect(h.upstream().length).toBeGreaterThan(0);
  expect(pageErrors).toEqual([]);
});
