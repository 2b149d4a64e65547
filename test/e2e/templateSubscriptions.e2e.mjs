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
import { execFileSync } from 'node:child_process';
import {
  appUrl,
  gotoSignedIn,
  openBrowser,
  readStack,
  signInAsGuest,
} from './lib.mjs';

const stack = await readStack();
const client = stack.demoClients.find(c => c.name === 'orders-service-sandbox');
assert.ok(client, 'stack.json lists no orders-service-sandbox demo client');

const { page, step, close, steps } = await openBrowser({
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
  if (await isRow().getByRole('button', { name: 'Remove' }).count()) {
    await isRow().getByRole('button', { name: 'Remove' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Remove mapping' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 90_000 });
  }
  await isRow().getByText('unmapped').waitFor();
}

/** Picks entities in an (autocomplete) entity picker of the template's form by typing. */
async function pickEntity(label, text) {
  const input = page
    .getByRole('article')
    .getByRole('textbox', { name: new RegExp(`^${label}`) })
    .first();
  await input.click();
  await input.fill(text);
  await page
    .getByRole('option', { name: new RegExp(text, 'i') })
    .first()
    .click();
}

let tokenSnippet;
let invokeSnippet;
let mapped = false;
try {
  await step('sign-in-as-guest', () => signInAsGuest(page));

  await step('client-free-on-orders-service', () =>
    removeSandboxMapping('/catalog/default/component/orders-service'),
  );

  await step('template-form-with-an-api-it-calls', async () => {
    await backendUp();
    await gotoSignedIn(
      page,
      `${appUrl}/create/templates/default/apim-new-service-with-client`,
      page.getByText('New service with its OAuth2 client').first(),
    );
    await page.getByLabel('Name').first().fill(serviceName);
    await pickEntity('Owner', 'guests');
    await pickEntity('APIs it calls', 'payments');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Publish to').first().click();
    await page
      .getByRole('option', { name: /This Backstage/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('checkbox', { name: /Sandbox/ }).check();
    await page
      .getByRole('radio', { name: /WSO2 Identity Server|IS/ })
      .first()
      .check();
    await page.getByLabel(/^Consumer key for Sandbox/).fill(client.clientId);
    await page
      .getByLabel(/^Consumer secret for Sandbox/)
      .fill(client.clientSecret);
  });

  await step('run-the-template', async () => {
    await backendUp();
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/create\/tasks\//);
    // From here the client may be mapped into the new application (freed at the end).
    mapped = true;
    const done = page.getByRole('link', { name: 'Open in catalog' });
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
    () => {
      const ca = `'${stack.tls.caPath}'`;
      const token = JSON.parse(
        execFileSync(
          'bash',
          [
            '-c',
            tokenSnippet.replace("'<path to the CA certificate of API-M>'", ca),
          ],
          { input: `${client.clientSecret}\n`, encoding: 'utf8' },
        ),
      ).access_token;
      assert.ok(token, 'the key manager issued a token');
      const command = invokeSnippet
        .replace("'<path to the CA certificate of API-M>'", ca)
        .replace('<access_token>', token)
        .replace('<resource>', 'charges');
      const status = execFileSync(
        'bash',
        ['-c', `${command} -sS -o /dev/null -w '%{http_code}'`],
        { encoding: 'utf8' },
      );
      assert.equal(
        status.trim(),
        '200',
        'the gateway answers the subscribed API',
      );
    },
  );

  console.log(`\nAll ${steps()} template subscription steps passed`);
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
