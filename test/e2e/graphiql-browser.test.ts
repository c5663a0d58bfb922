import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { DEFAULT_EMULATOR_TOKEN } from '../../src/emulator';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * GraphiQL in a real headless browser (Debian's chromium): the page loads from the gateway alone,
 * the example query runs, and its result shows; a restore typed into the editor reaches Clumio once.
 * Every request the page makes is recorded; any that would leave the machine fails the test.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let h: Harness;
/** Undefined when Chromium failed to start (afterAll still runs). */
let browser: Browser | undefined;
beforeAll(async () => {
  // As on the built-in emulator: a newcomer in GraphiQL has no Clumio token, restores use the gateway's.
  h = await startHarness({ env: { CLUMIO_RESTORES: 'gateway' } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

/** A browser page that may reach the gateway only (every other request is aborted and recorded), with its page errors. */
async function offlinePage() {
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
  return { context, page, requested, pageErrors };
}

it('runs the example query in GraphiQL with no request leaving the machine', async () => {
  const { context, page, requested, pageErrors } = await offlinePage();

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

it('runs a restore typed into GraphiQL: its task shows QUEUED and Clumio got one POST', async () => {
  const backup = h.emulator.backups.find((b) => b.attached_backup_ebs_volumes?.some((v) => v.volume_native_id))!;
  const volume = backup.attached_backup_ebs_volumes!.find((v) => v.volume_native_id)!.volume_native_id!;
  const mutation =
    `mutation RestoreVolumes { restoreEc2InstanceBackup(input: { backupId: "${backup.id!}", volumes: { awsAz: "us-west-2a", ` +
    `environmentId: "env-1", ebsBlockDeviceMappings: [{ volumeNativeId: "${volume}" }] } }) { task { taskId status progressPercentage } } }`;

  const { context, page, requested, pageErrors } = await offlinePage();

  await page.goto(`${h.gateway.url}/graphql`);
  await page.getByText('query NewestBackups').first().waitFor();
  h.resetUpstream();
  // Replace the example with the mutation, as a user pasting it would: select all, then insert the text.
  await page.locator('.graphiql-query-editor').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(mutation);
  await page.getByText('mutation RestoreVolumes').first().waitFor();
  // GraphiQL takes the operation to run from its state, updated a moment after the editor: until the
  // tab is named after the mutation, ▶ would still ask for NewestBackups ("Cannot infer operation").
  await page.locator('.graphiql-tab-active').getByText('RestoreVolumes').waitFor();
  await page.locator('.graphiql-execute-button').click();
  const response = page.locator('.graphiql-response');
  // The task, or errors (then the assertions below show them).
  await response.getByText(/"taskId"|"errors"/).first().waitFor();
  const text = ((await response.textContent()) ?? '').replace(/\s+/g, ' ');

  await page.screenshot({ path: 'test-results/graphiql-restore.png' }).catch(() => undefined);
  await context.close();

  expect(text).not.toContain('"errors"');
  expect(h.emulator.tasks).toHaveLength(1);
  const task = h.emulator.tasks[0]!;
  expect(text).toContain(`"taskId": "${task.task.id}"`);
  expect(text).toContain('"status": "QUEUED"');
  const posts = h.upstream().filter((r) => r.method === 'POST');
  expect(posts).toHaveLength(1);
  expect(posts[0]).toMatchObject({ path: '/restores/aws/ec2-instances', query: { embed: 'read-task' }, status: 202 });
  expect(posts[0]!.headers.authorization).toBe(`Bearer ${DEFAULT_EMULATOR_TOKEN}`);
  expect(JSON.parse(posts[0]!.body!)).toEqual({
    source: { backup_id: backup.id },
    target: { volumes_restore_target: { environment_id: 'env-1', aws_az: 'us-west-2a', ebs_block_device_mappings: [{ volume_native_id: volume }] } },
  });
  expect(task.backupId).toBe(backup.id);
  expect(requested.filter((url) => !url.startsWith(h.gateway.url))).toEqual([]);
  expect(pageErrors).toEqual([]);
});
