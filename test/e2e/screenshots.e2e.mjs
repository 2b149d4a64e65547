/**
 * The screenshots in the plugin README (issue 15): the entity tab, the Provide dialog, the
 * platform page and the "Provide an existing OAuth2 client" template's clients page, each at
 * 1400 and 1024 px wide, taken from the running stack with a client mapped in Sandbox.
 *
 * They go to test-results/e2e/screenshots/ on every run; with E2E_UPDATE_DOCS=1 also to
 * docs/screenshots/, which is committed (`E2E_UPDATE_DOCS=1 bash test/e2e/run.sh`). At each width
 * the test reports content wider than the window (the issue found tables overflowing at 1024).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  appUrl,
  gotoSignedIn,
  openBrowser,
  outDir,
  readStack,
  repoRoot,
  signInAsGuest,
} from './lib.mjs';
import { demoClient, ORDERS_PATH, ORDERS_REF } from './cellSteps.mjs';

const entityPath = ORDERS_PATH;
const entityRef = ORDERS_REF;
const WIDTHS = [1400, 1024];
const client = demoClient(await readStack(), 'orders-service-sandbox');

const targets = [path.join(outDir, 'screenshots')];
if (process.env.E2E_UPDATE_DOCS === '1') {
  targets.push(path.join(repoRoot, 'docs/screenshots'));
}
for (const dir of targets) await fs.mkdir(dir, { recursive: true });

const { page, step, close, steps } = await openBrowser({
  prefix: 'screenshots-',
  viewport: { width: 1400, height: 900 },
});
const row = () =>
  page.getByTestId('environment-card-sandbox').getByTestId('mapping-row-IS');
const dialog = () => page.getByRole('dialog');

/** Saves the window (not the full page: what a person sees first) under every target. */
async function shoot(name, width) {
  // Let transitions and focus rings settle.
  await page.waitForTimeout(400);
  const buffer = await page.screenshot({ fullPage: false });
  for (const dir of targets) {
    await fs.writeFile(path.join(dir, `${name}-${width}.png`), buffer);
  }
  const overflow = await page.evaluate(
    () =>
      document.documentElement.scrollWidth -
      document.documentElement.clientWidth,
  );
  if (overflow > 1) {
    console.log(`     note: ${name} at ${width} px is ${overflow} px too wide`);
  }
}

async function openTab() {
  await gotoSignedIn(page, `${appUrl}${entityPath}/apim-credentials`, row());
}

try {
  await step('sign-in-as-guest', () => signInAsGuest(page));

  await step('map-a-client', async () => {
    await openTab();
    if (await row().getByText(client.clientId, { exact: true }).count()) return;
    const remove = row().getByRole('button', { name: /^Remove / });
    if (await remove.count()) {
      await remove.click();
      await dialog().getByRole('button', { name: 'Remove mapping' }).click();
      await dialog().waitFor({ state: 'detached', timeout: 90_000 });
    }
    await page
      .getByRole('button', { name: 'Provide existing OAuth keys for Sandbox' })
      .click();
    await dialog().locator('#apim-provide-key-manager').click();
    await page.locator('li[role="option"][data-value="IS"]').click();
    await dialog().getByLabel('Consumer key').fill(client.clientId);
    await dialog().getByLabel('Consumer secret').fill(client.clientSecret);
    await dialog().getByRole('button', { name: 'Provide keys' }).click();
    await dialog().waitFor({ state: 'detached', timeout: 90_000 });
    await row().getByText(client.clientId, { exact: true }).waitFor();
  });

  for (const width of WIDTHS) {
    await step(`tab-${width}`, async () => {
      await page.setViewportSize({ width, height: 900 });
      await openTab();
      await row().getByText(client.clientId, { exact: true }).waitFor();
      await shoot('entity-tab', width);
    });

    await step(`dialog-${width}`, async () => {
      await page
        // Sandbox: providing into production files an approval request (issue 14).
        .getByRole('button', {
          name: 'Provide existing OAuth keys for Sandbox',
        })
        .click();
      await dialog().locator('#apim-provide-key-manager').click();
      await page.locator('li[role="option"][data-value="IS"]').click();
      await dialog().getByLabel('Consumer key').fill('payments-prod-client');
      await shoot('provide-dialog', width);
      await dialog().getByRole('button', { name: 'Cancel' }).click();
      await dialog().waitFor({ state: 'detached' });
    });

    await step(`platform-page-${width}`, async () => {
      const params = new URLSearchParams({ tab: 'audit', entityRef });
      await gotoSignedIn(
        page,
        `${appUrl}/apim-credentials?${params}`,
        page.locator('#apim-tabpanel-audit tbody tr').first(),
      );
      await page
        .locator('#apim-tabpanel-audit tbody tr')
        .filter({ hasText: 'succeeded' })
        .first()
        .waitFor();
      await shoot('platform-page', width);
    });

    await step(`template-${width}`, async () => {
      await gotoSignedIn(
        page,
        `${appUrl}/create/templates/default/apim-provide-existing-client`,
        page.getByText('Provide an existing OAuth2 client').first(),
      );
      const component = page
        .getByRole('article')
        .getByRole('textbox', { name: /^Component/ })
        .first();
      await component.click();
      await component.fill('orders-service');
      await page
        .getByRole('option', { name: /orders-service/ })
        .first()
        .click();
      await page.getByRole('checkbox', { name: /Sandbox/ }).check();
      await page.getByRole('checkbox', { name: /Production/ }).check();
      await page
        .getByRole('radio', { name: /WSO2 Identity Server/ })
        .first()
        .check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page
        .getByText(`already holds client ${client.clientId} here`, {
          exact: false,
        })
        .waitFor();
      await page
        .getByLabel(/^Consumer key for Production/)
        .fill('orders-prod-client');
      await shoot('template-clients', width);
    });
  }

  await step('leave-the-cell-unmapped', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await openTab();
    await row()
      .getByRole('button', { name: /^Remove / })
      .click();
    await dialog().getByRole('button', { name: 'Remove mapping' }).click();
    await dialog().waitFor({ state: 'detached', timeout: 90_000 });
    await row().getByText('unmapped').waitFor();
  });

  console.log(
    `\nAll ${steps()} screenshot steps passed; screenshots in ${targets
      .map(t => path.relative(repoRoot, t))
      .join(' and ')}`,
  );
} catch (error) {
  process.exitCode = 1;
} finally {
  await close();
}
