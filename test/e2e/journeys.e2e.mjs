/**
 * The journeys of issue 15 in Chromium, as people walk them (run.sh starts the stack first):
 *
 * - credential mistakes in the Provide dialog, each with its own message: a wrong secret, an
 *   unknown consumer key, and a secret with an invisible trailing space (warned while typing,
 *   then refused by the key manager);
 * - the replace flow: a mapped client replaced by another through "Replace client…";
 * - keyboard only: Provide and Remove with Tab, arrows and Enter, focus following the dialogs;
 * - the audit log's filters and its CSV export agreeing, and surviving Back.
 *
 * Works on orders-service's Sandbox / WSO2 Identity Server cell and leaves it unmapped.
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
const stack = await readStack();
const sandbox = demoClient(stack, 'orders-service-sandbox');
const other = demoClient(stack, 'payments-service-sandbox');

const { page, step, close, passed } = await openBrowser({
  prefix: 'journeys-',
  viewport: { width: 1400, height: 1000 },
});

const card = () => page.getByTestId('environment-card-sandbox');
const row = () => card().getByTestId('mapping-row-IS');
const dialog = () => page.getByRole('dialog');

async function openTab() {
  await gotoSignedIn(page, `${appUrl}${entityPath}/apim-credentials`, row());
}

/** Removes whatever is mapped in the cell, through the tab. */
async function clearCell() {
  const remove = row().getByRole('button', { name: /^Remove / });
  if (await remove.count()) {
    await remove.click();
    await dialog().getByRole('button', { name: 'Remove mapping' }).click();
    await dialog().waitFor({ state: 'detached', timeout: 90_000 });
  }
  await row().getByText('unmapped').waitFor();
}

async function openProvideDialog() {
  await page
    .getByRole('button', { name: 'Provide existing OAuth keys for Sandbox' })
    .click();
  await dialog().getByText('Provide existing OAuth keys: Sandbox').waitFor();
  await dialog().locator('#apim-provide-key-manager').click();
  await page.locator('li[role="option"][data-value="IS"]').click();
}

/** Fills the dialog, submits with "verify first" on and returns the failure alert's text. */
async function provideExpectingFailure(consumerKey, consumerSecret) {
  await dialog().getByLabel('Consumer key').fill(consumerKey);
  await dialog().getByLabel('Consumer secret').fill(consumerSecret);
  await dialog().getByRole('button', { name: 'Provide keys' }).click();
  const alert = dialog().getByRole('alert');
  await alert.waitFor({ timeout: 90_000 });
  return (await alert.innerText()).trim();
}

/** The text of the focused element: its accessible label, or its own text. */
async function focused() {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return '';
    return (
      el.getAttribute('aria-label') ||
      el.getAttribute('data-testid') ||
      el.textContent ||
      ''
    ).trim();
  });
}

/**
 * Presses Tab until the focused element matches, as someone without a mouse does; when the
 * focus is already past it (after a dialog closed, say), Shift+Tab back.
 */
async function tabTo(pattern, max = 120) {
  // As a person would, start once what just opened has painted: Material UI 4's buttons under
  // React 18 crash ("reading 'pulsate'", mui/material-ui#30953) when keyboard focus reaches one
  // before its ripple has mounted, a race a test's instant Tab after a dialog opens can win.
  await page.evaluate(
    () =>
      new Promise(resolve =>
        requestAnimationFrame(() => requestAnimationFrame(resolve)),
      ),
  );
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < max; i++) {
      if (pattern.test(await focused())) return;
      await page.keyboard.press(key);
    }
  }
  throw new Error(`${pattern} never got the focus (last: ${await focused()})`);
}

try {
  await step('sign-in-as-guest', () => signInAsGuest(page));

  await step('clean-start', async () => {
    await openTab();
    await clearCell();
  });

  await step('wrong-secret', async () => {
    await openProvideDialog();
    const text = await provideExpectingFailure(
      sandbox.clientId,
      `${sandbox.clientSecret}-WRONG`,
    );
    console.log(`     wrong secret: ${text.replace(/\s+/g, ' ')}`);
    assert.match(text, /^WSO2 Identity Server rejected these credentials/);
    assert.match(text, /Verification failed/);
    assert.ok(!text.includes(sandbox.clientSecret), 'no secret in the alert');
    // A refused secret is dropped from the form; the key stays.
    assert.equal(await dialog().getByLabel('Consumer secret').inputValue(), '');
    assert.equal(
      await dialog().getByLabel('Consumer key').inputValue(),
      sandbox.clientId,
    );
  });

  await step('unknown-consumer-key', async () => {
    const text = await provideExpectingFailure(
      'no-such-client-e2e',
      sandbox.clientSecret,
    );
    console.log(`     unknown key: ${text.replace(/\s+/g, ' ')}`);
    assert.match(text, /^WSO2 Identity Server rejected these credentials/);
    assert.match(text, /Copy the consumer key and secret again/);
  });

  await step('trailing-space-in-the-secret', async () => {
    await dialog().getByLabel('Consumer key').fill(sandbox.clientId);
    await dialog()
      .getByLabel('Consumer secret')
      .fill(`${sandbox.clientSecret} `);
    await dialog()
      .getByText(/The secret starts or ends with a space/)
      .waitFor();
    await dialog().getByRole('button', { name: 'Provide keys' }).click();
    const alert = dialog().getByRole('alert').filter({ hasText: 'rejected' });
    await alert.waitFor({ timeout: 90_000 });
    const text = (await alert.innerText()).trim();
    console.log(`     trailing space: ${text.replace(/\s+/g, ' ')}`);
    assert.match(text, /^WSO2 Identity Server rejected these credentials/);
  });

  await step('trailing-space-in-a-pasted-key-is-trimmed', async () => {
    // Typed with a space after it, the key is trimmed on submit and the mapping works.
    await dialog().getByLabel('Consumer key').fill(`${sandbox.clientId} `);
    await dialog().getByLabel('Consumer secret').fill(sandbox.clientSecret);
    await dialog().getByRole('button', { name: 'Provide keys' }).click();
    await dialog().waitFor({ state: 'detached', timeout: 90_000 });
    await row().getByText(sandbox.clientId, { exact: true }).waitFor();
  });

  await step('replace-client', async () => {
    await row()
      .getByRole('button', { name: /^Replace client / })
      .click();
    await dialog()
      .getByText(`Replace client ${sandbox.clientId}: Sandbox`)
      .waitFor();
    await dialog().getByTestId('replace-notice').waitFor();
    await dialog().getByLabel('Consumer key').fill(other.clientId);
    await dialog().getByLabel('Consumer secret').fill(other.clientSecret);
    await dialog().getByRole('button', { name: 'Replace client' }).click();
    await dialog().waitFor({ state: 'detached', timeout: 90_000 });
    await card()
      .getByRole('status')
      .filter({
        hasText: `Client ${other.clientId} is now mapped in Sandbox`,
      })
      .filter({ hasText: `replacing ${sandbox.clientId}` })
      .waitFor();
    await row().getByText(other.clientId, { exact: true }).waitFor();
    assert.equal(await row().getByText(sandbox.clientId).count(), 0);
  });

  await step('replace-is-audited', async () => {
    const history = page.getByTestId('entity-audit-history');
    await history
      .locator('tr')
      .filter({ hasText: 'unprovision' })
      .filter({ hasText: sandbox.clientId })
      .first()
      .waitFor();
    await history
      .locator('tr')
      .filter({ hasText: 'provision' })
      .filter({ hasText: other.clientId })
      .first()
      .waitFor();
    await clearCell();
  });

  await step('keyboard-only-provide', async () => {
    await openTab();
    await page.locator('body').focus();
    await tabTo(/^Provide existing OAuth keys for Sandbox$/);
    await page.keyboard.press('Enter');
    await dialog().getByText('Provide existing OAuth keys: Sandbox').waitFor();
    // The dialog focuses its first field, the key manager: open it, pick IS with the arrows.
    await page.keyboard.press('Enter');
    const option = page.locator('li[role="option"][data-value="IS"]');
    await option.waitFor();
    for (let i = 0; i < 5; i++) {
      if ((await option.getAttribute('aria-selected')) === 'true') break;
      if (await option.evaluate(el => el === document.activeElement)) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await option.waitFor({ state: 'detached' });
    await tabTo(/^Consumer key|^$/, 3);
    const key = dialog().getByLabel('Consumer key');
    if (!(await key.evaluate(el => el === document.activeElement))) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(sandbox.clientId);
    await page.keyboard.press('Tab');
    await page.keyboard.type(sandbox.clientSecret);
    assert.equal(await key.inputValue(), sandbox.clientId);
    // Enter in a field submits the form.
    await page.keyboard.press('Enter');
    await dialog().waitFor({ state: 'detached', timeout: 90_000 });
    await row().getByText(sandbox.clientId, { exact: true }).waitFor();
  });

  await step('keyboard-only-remove', async () => {
    await tabTo(new RegExp(`^Remove ${sandbox.clientId} from .*Sandbox`), 60);
    await page.keyboard.press('Enter');
    await dialog()
      .getByText('The client itself stays in its key manager')
      .waitFor();
    await tabTo(/^Remove mapping$/, 10);
    await page.keyboard.press('Enter');
    await dialog().waitFor({ state: 'detached', timeout: 90_000 });
    await row().getByText('unmapped').waitFor();
    // Focus goes to the card where the removal happened.
    assert.equal(
      await page.evaluate(() =>
        document.activeElement?.getAttribute('data-testid'),
      ),
      'environment-card-sandbox',
    );
  });

  const auditUrl = `${appUrl}/apim-credentials?tab=audit`;
  const rowsShown = () =>
    page.locator('#apim-tabpanel-audit tbody tr').filter({
      hasText: /succeeded|failed|denied|pending/,
    });

  await step('audit-filters-apply-as-they-change', async () => {
    await gotoSignedIn(
      page,
      auditUrl,
      page.getByRole('tab', { name: /Audit log/ }),
    );
    await page.locator('#audit-entity').fill(entityRef);
    await page.keyboard.press('Escape');
    await page.waitForURL(/entityRef=/);
    await page.locator('#audit-action').click();
    await page
      .getByRole('option', { name: 'unprovision', exact: true })
      .click();
    await page.waitForURL(/action=unprovision/);
    await rowsShown().first().waitFor();
    const texts = await rowsShown().allInnerTexts();
    assert.ok(texts.length > 0, 'some removals are listed');
    for (const text of texts) assert.match(text, /unprovision/);
  });

  await step('audit-export-agrees-with-the-table', async () => {
    const shown = await rowsShown().count();
    const tab = await page.getByRole('tab', { name: /Audit log/ }).innerText();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const file = path.join(outDir, 'journeys-audit-export.csv');
    await download.saveAs(file);
    const lines = (await fs.readFile(file, 'utf8')).trim().split(/\r?\n/);
    const status = page
      .getByRole('status')
      .filter({ hasText: /^Exported \d+ rows? matching the filters shown/ });
    await status.waitFor();
    const exported = Number((await status.innerText()).match(/\d+/)[0]);
    console.log(`     tab "${tab.replace(/\s+/g, ' ')}", ${shown} rows shown`);
    assert.equal(exported, lines.length - 1, 'the note counts the CSV rows');
    if (shown < 50) {
      assert.equal(exported, shown, 'the export holds the rows shown');
      assert.match(tab, new RegExp(`${shown}$`), 'the tab counts them too');
    }
    for (const line of lines.slice(1)) assert.match(line, /unprovision/);
  });

  await step('audit-filters-survive-back', async () => {
    await page.goBack();
    await page.waitForURL(url => !/action=unprovision/.test(url.toString()));
    assert.match(page.url(), /entityRef=/);
    // The field follows the URL, and the rows are those of the filters before.
    await page
      .locator('#audit-action')
      .filter({ hasText: 'Any' })
      .waitFor()
      .catch(async () => {
        // An empty MUI select renders a zero-width space, which trim() keeps.
        assert.equal(
          (await page.locator('#audit-action').innerText()).replace(
            /[\s\u200b]/g,
            '',
          ),
          '',
        );
      });
    await rowsShown()
      .filter({ has: page.locator('td', { hasText: /^provision$/ }) })
      .first()
      .waitFor();
    assert.equal(await page.locator('#audit-entity').inputValue(), entityRef);
  });

  passed('journey');
} catch (error) {
  process.exitCode = 1;
} finally {
  await close();
}
