/**
 * End-to-end test of the API-M Credentials frontend in Chromium, against the running local stack
 * (API-M emulator, key manager, Backstage). Started by run.sh, which brings the stack up first.
 *
 * Steps: sign in as guest, open an example component, open the "API-M Credentials" tab, provide a
 * seeded sandbox client with "verify first", see it mapped and audited, remove it, see it gone;
 * then the platform page shows the audit rows and the CSV export downloads.
 * A screenshot of every step goes to test-results/e2e/.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  appUrl,
  gotoSignedIn,
  openBrowser,
  outDir,
  readStack,
  signInAsGuest,
} from './lib.mjs';
import { demoClient, ORDERS_PATH, ORDERS_REF } from './cellSteps.mjs';

const entityPath = ORDERS_PATH;
const entityRef = ORDERS_REF;
const client = demoClient(await readStack(), 'orders-service-sandbox');

const { page, step, close, passed } = await openBrowser();

const sandboxCard = () => page.getByTestId('environment-card-sandbox');
const sandboxIsRow = () => sandboxCard().getByTestId('mapping-row-IS');

async function removeSandboxMapping() {
  await sandboxIsRow().getByRole('button', { name: 'Remove' }).click();
  const dialog = page.getByRole('dialog');
  await dialog
    .getByText('The client itself stays in its key manager')
    .waitFor();
  return dialog;
}

try {
  await step('sign-in-as-guest', () => signInAsGuest(page));

  await step('open-component', async () => {
    await page.goto(`${appUrl}${entityPath}`);
    await page
      .getByRole('heading', { name: 'orders-service' })
      .first()
      .waitFor();
  });

  await step('open-api-m-credentials-tab', async () => {
    // The entity page's tab (the sidebar also has an "API-M Credentials" item: the platform page).
    await page
      .locator(`a[href$="${entityPath}/apim-credentials"]`, {
        hasText: 'API-M Credentials',
      })
      .first()
      .click();
    await page.waitForURL(new RegExp(`${entityPath}/apim-credentials$`));
    await sandboxCard().waitFor();
    await page.getByTestId('environment-card-production').waitFor();
    // Leftovers of an earlier run would make "provide" a conflict: start from a clean cell.
    if (await sandboxIsRow().getByRole('button', { name: 'Remove' }).count()) {
      const dialog = await removeSandboxMapping();
      await dialog.getByRole('button', { name: 'Remove mapping' }).click();
      await dialog.waitFor({ state: 'detached' });
    }
    await sandboxIsRow().getByText('unmapped').waitFor();
  });

  await step('fill-provide-dialog', async () => {
    await page
      .getByRole('button', { name: 'Provide existing OAuth keys for Sandbox' })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Provide existing OAuth keys: Sandbox').waitFor();
    await dialog.locator('#apim-provide-key-manager').click();
    await page.locator('li[role="option"][data-value="IS"]').click();
    await dialog.getByLabel('Consumer key').fill(client.clientId);
    const secret = dialog.getByLabel('Consumer secret');
    await secret.fill(client.clientSecret);
    assert.equal(
      await secret.getAttribute('type'),
      'password',
      'the secret is masked while typing',
    );
    assert.ok(
      await dialog.getByRole('checkbox', { name: /verify first/i }).isChecked(),
    );
  });

  await step('provide-with-verify-and-see-it-mapped', async () => {
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Provide keys' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 90_000 });
    await page
      .getByRole('status')
      .filter({ hasText: `Client ${client.clientId} is now mapped in Sandbox` })
      .waitFor();
    const row = sandboxIsRow();
    await row.getByText('mapped', { exact: true }).waitFor();
    await row.getByText(client.clientId, { exact: true }).waitFor();
    assert.ok(
      !(await page.content()).includes(client.clientSecret),
      'the secret appears nowhere on the page after submit',
    );
  });

  await step('see-the-audit-row', async () => {
    const history = page.getByTestId('entity-audit-history');
    const row = history
      .locator('tr')
      .filter({ hasText: 'provision' })
      .filter({ hasText: client.clientId })
      .filter({ hasText: 'succeeded' });
    await row.first().waitFor();
    await history.scrollIntoViewIfNeeded();
  });

  await step('get-a-token-snippet', async () => {
    await sandboxIsRow().getByRole('button', { name: 'Get a token' }).click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByText(`client_id=${client.clientId}`, { exact: false })
      .waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  await step('confirm-remove', async () => {
    const dialog = await removeSandboxMapping();
    await dialog
      .getByText(`The mapping of client ${client.clientId} goes`)
      .waitFor();
  });

  await step('remove-and-see-it-gone', async () => {
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Remove mapping' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 90_000 });
    await page
      .getByRole('status')
      .filter({ hasText: 'was removed from Sandbox' })
      .waitFor();
    const row = sandboxIsRow();
    await row.getByText('unmapped').waitFor();
    assert.equal(
      await row.getByText(client.clientId).count(),
      0,
      'the consumer key is gone',
    );
    await page
      .getByTestId('entity-audit-history')
      .locator('tr')
      .filter({ hasText: 'unprovision' })
      .filter({ hasText: 'succeeded' })
      .first()
      .waitFor();
  });

  await step('platform-page-mappings', async () => {
    // Signs in again when a watch-mode backend restart dropped the guest session.
    await gotoSignedIn(
      page,
      `${appUrl}/apim-credentials`,
      page.getByRole('tab', { name: 'Mappings' }),
    );
    await page.getByText('Current mappings').waitFor();
  });

  await step('platform-page-audit-log', async () => {
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.locator('#audit-entity').fill(entityRef);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rowOf = action =>
      page
        .locator('tr')
        .filter({
          has: page.locator('td', { hasText: new RegExp(`^${action}$`) }),
        })
        // Display titles (issue 15 item 6): the environment's title, not its id and key type.
        .filter({ hasText: 'Sandbox' })
        .filter({ hasText: 'succeeded' });
    await rowOf('provision')
      .filter({ hasText: client.clientId })
      .first()
      .waitFor();
    await rowOf('unprovision').first().waitFor();
    // Entity refs link to the entity pages.
    const link = page.getByRole('link', { name: 'orders-service' }).first();
    assert.match(
      (await link.getAttribute('href')) ?? '',
      /\/catalog\/default\/component\/orders-service$/,
    );
  });

  await step('export-csv', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const file = path.join(outDir, 'audit-export.csv');
    await download.saveAs(file);
    const csv = await fs.readFile(file, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.ok(
      lines.length >= 3,
      `the CSV has a header and rows (${lines.length} lines)`,
    );
    assert.ok(csv.includes(client.clientId), 'the CSV lists the consumer key');
    assert.ok(csv.includes('unprovision'), 'the CSV lists the removal');
    assert.ok(
      !csv.includes(client.clientSecret),
      'the CSV never holds the secret',
    );
    assert.match(download.suggestedFilename(), /\.csv$/);
  });

  passed();
} catch (error) {
  process.exitCode = 1;
} finally {
  await close();
}
