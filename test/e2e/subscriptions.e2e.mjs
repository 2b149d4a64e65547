/**
 * Step 4 of the seed in the browser (issue 16), against the running local stack: on the example
 * stack's orders-service (it declares `consumesApis: [payments-api]`), provide the production
 * client (production requires approval: request, approval, completion; see approvalSteps.mjs), preview and apply "Sync with catalog", copy the token and invoke commands from the
 * token dialog, then run them as a user would (bash + curl, the secret typed at the prompt): the
 * key manager issues a token and the emulator's gateway answers the API call with 200.
 * Screenshots go to test-results/e2e/subscriptions-*.png.
 */
import { strict as assert } from 'node:assert';
import { appUrl, openBrowser, readStack, signInAsGuest } from './lib.mjs';
import {
  approveAsAnotherApprover,
  closeOpenRequests,
  completeApprovedRequest,
  requestProductionKeys,
} from './approvalSteps.mjs';
import {
  callThroughGateway,
  demoClient,
  freeCell,
  ORDERS_PATH,
  ORDERS_REF,
} from './cellSteps.mjs';

const stack = await readStack();
const client = demoClient(stack, 'orders-service-prod');

const { page, step, close, passed } = await openBrowser({
  prefix: 'subscriptions-',
});
await page
  .context()
  .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: appUrl });

const card = () => page.getByTestId('environment-card-production');
const isRow = () => card().getByTestId('mapping-row-IS');
const region = () =>
  page.getByRole('region', { name: 'Subscriptions in production' });

/** The text of a code snippet as its Copy button copies it (the DOM text if the clipboard is shut). */
async function copySnippet(container) {
  const text = (await container.locator('pre').first().innerText()).trim();
  await container.getByRole('button', { name: 'Copy text' }).first().click();
  const copied = await page
    .evaluate(() => navigator.clipboard.readText())
    .catch(() => '');
  if (copied)
    assert.equal(copied.trim(), text, 'the Copy button copies the snippet');
  return copied ? copied.trim() : text;
}

let tokenSnippet;
let invokeSnippet;
try {
  await step('sign-in-as-guest', () => signInAsGuest(page));

  await step('open-the-tab-with-a-clean-production-cell', async () => {
    closeOpenRequests(ORDERS_REF);
    await page.goto(`${appUrl}${ORDERS_PATH}/apim-credentials`);
    await card().waitFor();
    await freeCell(page, isRow());
  });

  await step('provide-the-production-client', async () => {
    await requestProductionKeys(page, card(), client);
    approveAsAnotherApprover(ORDERS_REF, client.clientId);
    await page.reload();
    await card().waitFor();
    await completeApprovedRequest(page, card(), client);
  });

  await step('start-without-the-subscription', async () => {
    // The tab reads the subscriptions again after a change; an earlier run's subscription goes.
    await page.reload();
    await region().waitFor();
    const unsubscribe = region().getByRole('button', {
      name: 'Unsubscribe from PaymentsAPI 1.0.0',
    });
    await Promise.race([
      unsubscribe.waitFor(),
      region().getByText('missing', { exact: true }).waitFor(),
    ]);
    if (await unsubscribe.count()) {
      await unsubscribe.click();
      await unsubscribe.waitFor({ state: 'detached' });
    }
    await region().getByText('missing', { exact: true }).waitFor();
  });

  await step('preview-the-sync', async () => {
    await region().getByRole('button', { name: 'Sync with catalog' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Subscribe to PaymentsAPI 1.0.0').waitFor();
  });

  await step('apply-the-sync', async () => {
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await region().getByText('subscribed', { exact: true }).waitFor();
    await region().getByText('UNBLOCKED', { exact: true }).waitFor();
  });

  await step('copy-the-token-and-invoke-snippets', async () => {
    await isRow().getByRole('button', { name: 'Get a token' }).click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByText(`client_id=${client.clientId}`, { exact: false })
      .waitFor();
    const call = dialog.getByRole('group', { name: 'Call PaymentsAPI 1.0.0' });
    await call.waitFor();
    tokenSnippet = await copySnippet(
      dialog
        .locator('div', { has: page.locator('pre', { hasText: 'grant_type' }) })
        .last(),
    );
    invokeSnippet = await copySnippet(call);
    assert.ok(
      !tokenSnippet.includes(client.clientSecret),
      'no secret in the token command',
    );
    assert.ok(
      !invokeSnippet.includes(client.clientSecret),
      'no secret in the invoke command',
    );
    assert.match(
      invokeSnippet,
      /'https:\/\/[^']+\/payments\/1\.0\.0\/<resource>'/,
    );
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  await step(
    'token-from-the-key-manager-and-the-call-through-the-gateway',
    () => callThroughGateway(stack, client, tokenSnippet, invokeSnippet),
  );

  passed('subscription');
} catch (error) {
  process.exitCode = 1;
} finally {
  await close();
}
