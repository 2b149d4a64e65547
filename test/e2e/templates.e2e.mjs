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

const entityPath = '/catalog/default/component/orders-service';
const stack = await readStack();
const client = stack.demoClients.find(c => c.name === 'orders-service-sandbox');
assert.ok(client, 'stack.json lists no orders-service-sandbox demo client');
const prodClient = stack.demoClients.find(
  c => c.name === 'orders-service-prod',
);
assert.ok(prodClient, 'stack.json lists no orders-service-prod demo client');

const { page, step, close, steps } = await openBrowser({ prefix: 'template-' });
const TASK_TIMEOUT = 120_000;

async function openTemplate(name, title) {
  await gotoSignedIn(
    page,
    `${appUrl}/create/templates/default/${name}`,
    page.getByText(title).first(),
  );
}

/** Picks an entity in an EntityPicker (an autocomplete) by typing its name. */
async function pickEntity(label, name) {
  // Scoped to the template's card: the sidebar has a "Register Existing Component" link.
  const input = page
    .getByRole('article')
    .getByRole('textbox', { name: new RegExp(`^${label}`) })
    .first();
  await input.click();
  await input.fill(name);
  await page
    .getByRole('option', { name: new RegExp(name) })
    .first()
    .click();
}

async function pickSandboxAndIs({ production = false } = {}) {
  const sandbox = page.getByRole('checkbox', { name: /Sandbox/ });
  await sandbox.check();
  if (production) {
    await page.getByRole('checkbox', { name: /Production/ }).check();
  }
  const is = page.getByRole('radio', { name: /WSO2 Identity Server|IS/ });
  await is.first().check();
}

/** Fills one environment's client in the ApimClientsPicker. */
async function fillClient(environmentTitle, { clientId, clientSecret }) {
  await page
    .getByLabel(new RegExp(`^Consumer key for ${environmentTitle}`))
    .fill(clientId);
  const secret = page.getByLabel(
    new RegExp(`^Consumer secret for ${environmentTitle}`),
  );
  await secret.fill(clientSecret);
  assert.equal(await secret.getAttribute('type'), 'password');
}

async function reviewAndCreate() {
  await page.getByRole('button', { name: 'Review' }).click();
  assert.equal(
    await page.getByText(/must be string/).count(),
    0,
    'the review page shows no schema error about an empty entry',
  );
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/create\/tasks\//);
}

async function waitForTaskEnd(linkName = 'Open the component') {
  const done = page.getByRole('link', { name: linkName });
  const failed = page.getByText(/Failed|failed/).first();
  await Promise.race([
    done.waitFor({ timeout: TASK_TIMEOUT }),
    failed.waitFor({ timeout: TASK_TIMEOUT }).then(async () => {
      throw new Error(
        `the task failed: ${(await page.locator('main').innerText()).slice(
          0,
          2000,
        )}`,
      );
    }),
  ]);
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
    closeOpenRequests('component:default/orders-service');
    for (const environment of ['sandbox', 'production']) {
      const row = await sandboxIsRowText(entityPath, environment);
      if (await row.getByRole('button', { name: 'Remove' }).count()) {
        await row.getByRole('button', { name: 'Remove' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByRole('button', { name: 'Remove mapping' }).click();
        await dialog.waitFor({ state: 'detached', timeout: 90_000 });
      }
      await row.getByText('unmapped').waitFor();
    }
  });

  await step('provide-template-empty-form', async () => {
    await openTemplate(
      'apim-provide-existing-client',
      'Provide an existing OAuth2 client',
    );
    await pickEntity('Component', 'orders-service');
    await pickSandboxAndIs({ production: true });
    await page.getByRole('button', { name: 'Next' }).click();
    // One client per ticked environment; nothing is mapped yet.
    await page.getByText('Nothing is mapped here yet.').first().waitFor();
    await fillClient('Sandbox', client);
    await fillClient('Production', prodClient);
  });

  await step('provide-template-review-and-run', async () => {
    await reviewAndCreate();
    await waitForTaskEnd();
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
    approveAsAnotherApprover(
      'component:default/orders-service',
      prodClient.clientId,
    );
    await sandboxIsRowText(entityPath, 'production');
    await completeApprovedRequest(
      page,
      page.getByTestId('environment-card-production'),
      prodClient,
    );
  });

  await step('provide-template-shows-what-is-mapped', async () => {
    await openTemplate(
      'apim-provide-existing-client',
      'Provide an existing OAuth2 client',
    );
    await pickEntity('Component', 'orders-service');
    await pickSandboxAndIs({ production: true });
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
    await openTemplate(
      'apim-remove-client-mapping',
      'Remove an OAuth2 client mapping',
    );
    await pickEntity('Component', 'orders-service');
    await pickSandboxAndIs({ production: true });
  });

  await step('remove-template-review-and-run', async () => {
    await reviewAndCreate();
    await waitForTaskEnd();
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
      'apim-new-service-with-client',
      'New service with its OAuth2 client',
    );
    await page.getByLabel('Name').first().fill(serviceName);
    await pickEntity('Owner', 'guests');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Publish to').first().click();
    await page
      .getByRole('option', { name: /This Backstage/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Next' }).click();
    await pickSandboxAndIs();
    await fillClient('Sandbox', client);
  });

  await step('new-service-template-review-and-run', async () => {
    await reviewAndCreate();
    await waitForTaskEnd('Open in catalog');
    assert.ok(
      !(await page.content()).includes(client.clientSecret),
      'the task page never shows the secret',
    );
  });

  await step('new-service-mapped-on-its-tab', async () => {
    const row = await sandboxIsRowText(servicePath);
    await row.getByText(client.clientId, { exact: true }).waitFor();
    // Leave the client free for the next run.
    await row.getByRole('button', { name: 'Remove' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Remove mapping' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 90_000 });
    await row.getByText('unmapped').waitFor();
  });

  console.log(`\nAll ${steps()} template steps passed`);
} catch (error) {
  process.exitCode = 1;
} finally {
  await close();
}
