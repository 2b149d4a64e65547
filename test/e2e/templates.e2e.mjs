/**
 * The example software templates, run in Chromium the way a person runs them: from an empty form
 * (Create → the template), through every page and Review, to the task's end. This is what caught
 * the environments picker that kept the form library's empty `minItems` entry
 * ("'Environments 0' must be string").
 *
 * - "Provide an existing OAuth2 client": Sandbox and Production ticked, one client each (the
 *   ApimClientsPicker asks per environment, issue 15 item 2): the seeded orders-service sandbox
 *   and prod clients; the task completes, the entity tab shows the sandbox client mapped and,
 *   production requiring approval (issue 14), the production request pending; once approved
 *   (approvalSteps.mjs) the owner completes it on the tab. Opened again, the form shows what the
 *   component already has.
 * - "Remove an OAuth2 client mapping": removes both again; the task completes and the tab shows
 *   the cells unmapped.
 * - "New service with its OAuth2 client": a new component published to the demo backend's own
 *   repository host ("This Backstage", no GitHub here), registered in the catalog, and the same
 *   client mapped into its new API-M application; the test then removes that mapping on the new
 *   component's tab so the next run starts clean.
 */
import { strict as assert } from 'node:assert';
import {
  appUrl,
  gotoSignedIn,
  openBrowser,
  readStack,
  signInAsGuest,
} from './lib.mjs';
import {
  approveAsAnotherApprover,
  closeOpenRequests,
  completeApprovedRequest,
} from './approvalSteps.mjs';
import { demoClient, freeCell, ORDERS_PATH, ORDERS_REF } from './cellSteps.mjs';
import {
  fillClient,
  fillNewServiceForm,
  openTemplate,
  pickEntity,
  pickSandboxAndIs,
  reviewAndCreate,
  waitForTaskEnd,
} from './templateSteps.mjs';

const entityPath = ORDERS_PATH;
const stack = await readStack();
const client = demoClient(stack, 'orders-service-sandbox');
const prodClient = demoClient(stack, 'orders-service-prod');

const { page, step, close, passed } = await openBrowser({
  prefix: 'template-',
});
const TASK_TIMEOUT = 120_000;

const PROVIDE = [
  'apim-provide-existing-client',
  'Provide an existing OAuth2 client',
];
const REMOVE = [
  'apim-remove-client-mapping',
  'Remove an OAuth2 client mapping',
];

/** Opens template [name, title] for orders-service, Sandbox and Production, key manager IS. */
async function ordersServiceForm([name, title]) {
  await openTemplate(page, name, title);
  await pickEntity(page, 'Component', 'orders-service');
  await pickSandboxAndIs(page, { production: true });
}

async function sandboxIsRowText(
  pagePath = entityPath,
  environment = 'sandbox',
) {
  const row = page
    .getByTestId(`environment-card-${environment}`)
    .getByTestId('mapping-row-IS');
  await gotoSignedIn(page, `${appUrl}${pagePath}/apim-credentials`, row);
  return row;
}

try {
  await step('sign-in-as-guest', () => signInAsGuest(page));

  await step('clean-start', async () => {
    // A mapping left by another run would turn "provide" into a conflict, an approved request
    // into a mapping without approval.
    closeOpenRequests(ORDERS_REF);
    for (const environment of ['sandbox', 'production']) {
      await freeCell(page, await sandboxIsRowText(entityPath, environment));
    }
  });

  await step('provide-template-empty-form', async () => {
    await ordersServiceForm(PROVIDE);
    await page.getByRole('button', { name: 'Next' }).click();
    // One client per ticked environment; nothing is mapped yet.
    await page.getByText('Nothing is mapped here yet.').first().waitFor();
    await fillClient(page, 'Sandbox', client);
    await fillClient(page, 'Production', prodClient);
  });

  await step('provide-template-review-and-run', async () => {
    await reviewAndCreate(page);
    await waitForTaskEnd(page, 'Open the component', TASK_TIMEOUT);
    // The template's output names what was mapped and what waits for approval (issue 14).
    await page
      .getByText(/Waiting for approval[\s\S]*\): production\./)
      .waitFor();
    const content = await page.content();
    assert.ok(
      !content.includes(client.clientSecret) &&
        !content.includes(prodClient.clientSecret),
      'the task page never shows a secret',
    );
  });

  await step('provide-template-mapped-on-the-tab', async () => {
    const row = await sandboxIsRowText();
    await row.getByText(client.clientId, { exact: true }).waitFor();
    // Production requires approval: the task filed a request instead of failing.
    const prodRow = await sandboxIsRowText(entityPath, 'production');
    await prodRow.getByText('unmapped').waitFor();
    await page
      .getByTestId('environment-card-production')
      .getByTestId('approval-request-pending')
      .getByText(prodClient.clientId, { exact: false })
      .waitFor();
  });

  await step('production-approved-and-completed-on-the-tab', async () => {
    approveAsAnotherApprover(ORDERS_REF, prodClient.clientId);
    await sandboxIsRowText(entityPath, 'production');
    await completeApprovedRequest(
      page,
      page.getByTestId('environment-card-production'),
      prodClient,
    );
  });

  await step('provide-template-shows-what-is-mapped', async () => {
    await ordersServiceForm(PROVIDE);
    await page.getByRole('button', { name: 'Next' }).click();
    await page
      .getByText(
        `WSO2 Identity Server already holds client ${client.clientId} here`,
        { exact: false },
      )
      .waitFor();
    await page
      .getByText(
        `WSO2 Identity Server already holds client ${prodClient.clientId} here`,
        { exact: false },
      )
      .waitFor();
  });

  await step('remove-template-empty-form', async () => {
    await ordersServiceForm(REMOVE);
  });

  await step('remove-template-review-and-run', async () => {
    await reviewAndCreate(page);
    await waitForTaskEnd(page, 'Open the component', TASK_TIMEOUT);
  });

  await step('remove-template-unmapped-on-the-tab', async () => {
    const row = await sandboxIsRowText();
    await row.getByText('unmapped').waitFor();
    const prodRow = await sandboxIsRowText(entityPath, 'production');
    await prodRow.getByText('unmapped').waitFor();
  });

  const serviceName = `e2e-service-${Date.now().toString(36)}`;
  const servicePath = `/catalog/default/component/${serviceName}`;

  await step('new-service-template-empty-form', async () => {
    await openTemplate(
      page,
      'apim-new-service-with-client',
      'New service with its OAuth2 client',
    );
    await fillNewServiceForm(page, { name: serviceName, client });
  });

  await step('new-service-template-review-and-run', async () => {
    await reviewAndCreate(page);
    await waitForTaskEnd(page, 'Open in catalog', TASK_TIMEOUT);
    assert.ok(
      !(await page.content()).includes(client.clientSecret),
      'the task page never shows the secret',
    );
  });

  await step('new-service-mapped-on-its-tab', async () => {
    const row = await sandboxIsRowText(servicePath);
    await row.getByText(client.clientId, { exact: true }).waitFor();
    // Leave the client free for the next run.
    await freeCell(page, row);
  });

  passed('template');
} catch (error) {
  process.exitCode = 1;
} finally {
  await close();
}
