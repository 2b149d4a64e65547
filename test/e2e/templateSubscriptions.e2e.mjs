/**
 * The seed's step 4 through the template (issue 16, "the same through the template"), against the
 * running local stack: "New service with its OAuth2 client" run from an empty form with an API it
 * calls (Payments API) and the seeded orders-service sandbox client. The task publishes the
 * service to the demo backend's own repository host, registers it, maps the client into its new
 * API-M application and subscribes that application to the APIs the component declares
 * (`apim:subscriptions:sync`). Then, on the new component's tab: the subscription is there
 * (subscribed, UNBLOCKED), and the token and invoke commands of its token dialog, run with bash +
 * curl (the secret typed at the prompt), get a token from the key manager and call the API
 * through the emulator's gateway: 200. At the end the mapping is removed so the client is free for
 * the next test. Screenshots go to test-results/e2e/template-subscriptions-*.png.
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
  callThroughGateway,
  demoClient,
  freeCell,
  ORDERS_PATH,
} from './cellSteps.mjs';
import {
  fillNewServiceForm,
  openTemplate,
  reviewAndCreate,
  waitForTaskEnd,
} from './templateSteps.mjs';

const stack = await readStack();
const client = demoClient(stack, 'orders-service-sandbox');

const { page, step, close, passed } = await openBrowser({
  prefix: 'template-subscriptions-',
});
const TASK_TIMEOUT = 180_000;
const serviceName = `e2e-subscriber-${Date.now().toString(36)}`;
const servicePath = `/catalog/default/component/${serviceName}`;

const isRow = () =>
  page.getByTestId('environment-card-sandbox').getByTestId('mapping-row-IS');
const region = () =>
  page.getByRole('region', { name: 'Subscriptions in sandbox' });

/**
 * Waits until the backend answers (401 without a token). scripts/dev.sh runs it in watch mode, so
 * it restarts whenever someone edits a source file; a form opened meanwhile cannot load its
 * environments, and a task started meanwhile dies with the restart.
 */
async function backendUp() {
  const url = `${
    process.env.E2E_BACKEND_URL ?? 'http://localhost:7007'
  }/api/apim-credentials/environments`;
  const deadline = Date.now() + 180_000;
  for (let ok = 0; ok < 2; ) {
    const status = await fetch(url)
      .then(r => r.status)
      .catch(() => 0);
    ok = status === 401 || status === 200 ? ok + 1 : 0;
    if (Date.now() > deadline) throw new Error(`${url} does not answer`);
    await new Promise(resolve => setTimeout(resolve, 2_000));
  }
}

/** Frees the client on a component's tab (it is mapped into one application only). */
async function removeSandboxMapping(pagePath) {
  await gotoSignedIn(page, `${appUrl}${pagePath}/apim-credentials`, isRow());
  await freeCell(page, isRow());
}

let tokenSnippet;
let invokeSnippet;
let mapped = false;
try {
  await step('sign-in-as-guest', () => signInAsGuest(page));

  await step('client-free-on-orders-service', () =>
    removeSandboxMapping(ORDERS_PATH),
  );

  await step('template-form-with-an-api-it-calls', async () => {
    await backendUp();
    await openTemplate(
      page,
      'apim-new-service-with-client',
      'New service with its OAuth2 client',
    );
    await fillNewServiceForm(page, {
      name: serviceName,
      api: 'payments',
      client,
    });
  });

  await step('run-the-template', async () => {
    await backendUp();
    await reviewAndCreate(page);
    // From here the client may be mapped into the new application (freed at the end).
    mapped = true;
    await waitForTaskEnd(page, 'Open in catalog', TASK_TIMEOUT);
    assert.ok(!(await page.content()).includes(client.clientSecret));
  });

  await step('subscribed-on-the-new-components-tab', async () => {
    await gotoSignedIn(
      page,
      `${appUrl}${servicePath}/apim-credentials`,
      region(),
    );
    await isRow().getByText(client.clientId, { exact: true }).waitFor();
    await region().getByText('subscribed', { exact: true }).waitFor();
    await region().getByText('UNBLOCKED', { exact: true }).waitFor();
    assert.equal(
      await region().getByText('missing', { exact: true }).count(),
      0,
      'nothing the component declares is left unsubscribed',
    );
    // The template's step subscribed, on behalf of the user: its audit row says so.
    await page
      .getByText(
        new RegExp(
          `via plugin:scaffolder: subscribe application ${serviceName} in Sandbox`,
        ),
      )
      .first()
      .waitFor();
  });

  await step('token-and-invoke-commands-of-the-token-dialog', async () => {
    await isRow().getByRole('button', { name: 'Get a token' }).click();
    const dialog = page.getByRole('dialog');
    tokenSnippet = (
      await dialog.locator('pre', { hasText: 'grant_type' }).first().innerText()
    ).trim();
    invokeSnippet = (
      await dialog
        .getByRole('group', { name: 'Call PaymentsAPI 1.0.0' })
        .locator('pre')
        .first()
        .innerText()
    ).trim();
    assert.ok(!tokenSnippet.includes(client.clientSecret), 'no secret shown');
    assert.ok(!invokeSnippet.includes(client.clientSecret), 'no secret shown');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  await step(
    'token-from-the-key-manager-and-the-call-through-the-gateway',
    () => callThroughGateway(stack, client, tokenSnippet, invokeSnippet),
  );

  passed('template subscription');
} catch (error) {
  process.exitCode = 1;
} finally {
  // Leave the client free for the tests after this one, also after a failure.
  if (mapped) {
    // Twice at most: a watch-mode restart of the backend may interrupt the first attempt.
    const free = async () => {
      await backendUp();
      await removeSandboxMapping(servicePath);
    };
    await step('free-the-client', () => free().catch(free)).catch(() => {
      process.exitCode = 1;
    });
  }
  await close();
}
