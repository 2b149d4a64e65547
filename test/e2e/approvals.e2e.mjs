/**
 * Approval before provisioning in the browser (issue 14 item 1), end to end on the running
 * local stack, whose production environment requires approval, with two real people:
 *
 * - the guest (owner of orders-service) requests production keys twice, for a client created
 *   for this run and for orders-service-prod, each with its secret typed; both wait pending;
 *   the guest's own Approve is disabled on the Approvals tab and the REST API refuses it
 *   (SELF_APPROVAL);
 * - pat of platform-team signs in, in a browser of their own, on the app's sign-in page
 *   through the key manager's login page (Backstage's OIDC provider), opens the platform page's
 *   Approvals tab and rejects the first request and approves the second, each with a comment;
 * - the guest sees both decisions on the entity tab and the "approved" notification on the
 *   notifications page, follows its link to the entity tab and completes the request, typing
 *   the secret again: the client is mapped. No step shows or stores the secret.
 *
 * Screenshots go to test-results/e2e/approvals-*.png (pat's page: approvals-approver-*.png).
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  appUrl,
  gotoSignedIn,
  launchChromium,
  openBrowser,
  outDir,
  readStack,
  repoRoot,
  signInAsGuest,
} from './lib.mjs';
import {
  APPROVER,
  APPROVER_LOGIN,
  closeOpenRequests,
  completeApprovedRequest,
  createClientOutOfBand,
  requestOf,
  requestProductionKeys,
} from './approvalSteps.mjs';

const entityRef = 'component:default/orders-service';
const entityPath = '/catalog/default/component/orders-service';
const approvalsUrl = `${appUrl}/apim-credentials?tab=approvals`;
const backendUrl = process.env.E2E_BACKEND_URL ?? 'http://localhost:7007';
const stack = await readStack();
const client = stack.demoClients.find(c => c.name === 'orders-service-prod');
assert.ok(client, 'stack.json lists no orders-service-prod demo client');

const { page, step, close, steps } = await openBrowser({
  prefix: 'approvals-',
});
const card = () => page.getByTestId('environment-card-production');
const isRow = () => card().getByTestId('mapping-row-IS');
const itemOf = (state, clientId) =>
  card().getByTestId(`approval-request-${state}`).filter({ hasText: clientId });

// The guest's Backstage token, as the app sends it to the backend, for the REST checks.
let token;
page.on('request', request => {
  const auth = request.headers().authorization;
  if (request.url().includes('/api/apim-credentials/') && auth)
    token = auth.replace(/^Bearer /, '');
});

async function openTab() {
  await gotoSignedIn(page, `${appUrl}${entityPath}/apim-credentials`, card());
}

/**
 * pat's own Chromium, signed in on the app's sign-in page ("Key manager": the key manager's
 * login page opens in a popup); `close()` ends it. Its own browser because two things of this
 * machine get in the way of the popup, not of a person: the app asks the backend for an
 * existing session before it opens the popup, and on a loaded machine that can outlast the
 * click's user activation (--disable-popup-blocking), or meet a watch-mode backend restart
 * (no popup: reload and click again, for up to three minutes). The key manager's certificate
 * comes from the stack's own CA, which this Chromium does not know, hence ignoreHTTPSErrors (a
 * person trusts .local/tls/ca.pem or accepts the warning once).
 */
async function signInAsApprover({ timeout = 60_000 } = {}) {
  const browser = await launchChromium(['--disable-popup-blocking']);
  const context = await browser.newContext({
    viewport: { width: 1600, height: 1000 },
    ignoreHTTPSErrors: true,
  });
  const close = () => browser.close().catch(() => {});
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    await page.goto(appUrl);
    // The Guest card's button is "Enter"; the key manager's is the page's only "Sign In".
    const signIn = page.getByRole('button', { name: 'Sign In' });
    const deadline = Date.now() + 180_000;
    let popup;
    while (!popup) {
      await signIn.waitFor({ timeout: 120_000 });
      const opened = page.waitForEvent('popup', { timeout: 30_000 });
      await signIn.click();
      popup = await opened.catch(error => {
        if (Date.now() > deadline) throw error;
      });
      if (!popup) await page.reload();
    }
    await popup.getByLabel('Username').fill(APPROVER_LOGIN.username);
    await popup.getByLabel('Password').fill(APPROVER_LOGIN.password);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await popup.waitForEvent('close', { timeout });
    // Signed in: the sign-in page gives way to the app.
    await signIn.waitFor({ state: 'detached', timeout });
    return { page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** pat's page (own browser), screenshotted like the steps. */
let approver;
async function approverShot(name) {
  await approver.page.screenshot({
    path: path.join(outDir, `approvals-approver-${name}.png`),
    fullPage: true,
  });
}

/** On pat's Approvals tab: `decision` (Approve / Reject) on the client's request, with a comment. */
async function decideOnTheApprovalsTab(decision, clientId, comment) {
  const p = approver.page;
  const button = p.getByRole('button', {
    name: `${decision} the request for ${clientId} of ${entityRef}`,
  });
  await button.waitFor();
  await p.waitForFunction(
    el => el.getAttribute('aria-disabled') !== 'true' && !el.disabled,
    await button.elementHandle(),
  );
  await button.click();
  const dialog = p.getByRole('dialog');
  await dialog.getByLabel('Comment (optional)').fill(comment);
  await dialog.getByRole('button', { name: decision, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await p
    .getByRole('status')
    .getByText(
      `${
        decision === 'Approve' ? 'Approved' : 'Rejected'
      } the request for client ${clientId}`,
    )
    .waitFor();
}

let wrongClient;
try {
  await step('sign-in-as-guest', () => signInAsGuest(page));

  await step('clean-production-cell', async () => {
    // Requests an earlier run left open: pat rejects, the owner completes and removes.
    await closeOpenRequests(entityRef);
    await openTab();
    // The row's state first: before the credentials load there is no Remove to find.
    await isRow()
      .getByText(/^(mapped|unmapped|drifted|generated)$/)
      .waitFor();
    if (await isRow().getByRole('button', { name: 'Remove' }).count()) {
      await isRow().getByRole('button', { name: 'Remove' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Remove mapping' }).click();
      await dialog.waitFor({ state: 'detached', timeout: 90_000 });
    }
    await isRow().getByText('unmapped').waitFor();
  });

  await step('request-production-keys-for-two-clients', async () => {
    // A client created out of band for this run: its request is the one pat rejects.
    wrongClient = await createClientOutOfBand(`approvals-e2e-${Date.now()}`);
    await requestProductionKeys(page, card(), wrongClient);
    await requestProductionKeys(page, card(), client);
    await card()
      .getByRole('status')
      .getByText(/Approval request filed for client/)
      .waitFor();
    await isRow().getByText('unmapped').waitFor();
    for (const c of [wrongClient, client]) {
      const request = await requestOf(entityRef, c.clientId, 'pending');
      assert.ok(request, `the request for ${c.name} is stored`);
      assert.equal(request.requestedBy, 'user:default/guest');
    }
  });

  await step(
    'own-request-cannot-be-approved-on-the-approvals-tab',
    async () => {
      await gotoSignedIn(
        page,
        approvalsUrl,
        page.getByRole('tab', { name: /^Approvals/, selected: true }),
      );
      const approve = page.getByRole('button', {
        name: `Approve the request for ${client.clientId} of ${entityRef}`,
      });
      await approve.waitFor();
      await page.waitForFunction(
        el => el.getAttribute('aria-disabled') === 'true',
        await approve.elementHandle(),
      );
      assert.equal(
        await approve.getAttribute('title'),
        'You filed this request: another approver must decide it',
      );
    },
  );

  await step('own-request-cannot-be-approved-through-the-api', async () => {
    assert.ok(token, "the app's token was seen");
    const { id } = await requestOf(entityRef, client.clientId, 'pending');
    const response = await fetch(
      `${backendUrl}/api/apim-credentials/approvals/${id}/approve`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ comment: 'my own' }),
      },
    );
    assert.equal(response.status, 403);
    assert.equal((await response.json()).error.code, 'SELF_APPROVAL');
    assert.ok(
      await requestOf(entityRef, client.clientId, 'pending'),
      'still pending',
    );
  });

  await step('approver-pat-signs-in-through-the-key-manager', async () => {
    approver = await signInAsApprover();
    await approverShot('01-signed-in');
    await approver.page.goto(`${appUrl}/settings`);
    await approver.page.getByText('Pat (platform team)').first().waitFor();
    await approverShot('02-settings');
  });

  await step('pat-rejects-one-request-on-the-approvals-tab', async () => {
    await approver.page.goto(approvalsUrl);
    await approver.page
      .getByRole('tab', { name: /^Approvals/, selected: true })
      .waitFor();
    await decideOnTheApprovalsTab(
      'Reject',
      wrongClient.clientId,
      'not the production client of orders-service',
    );
    await approverShot('03-rejected');
  });

  await step('pat-approves-the-other-on-the-approvals-tab', async () => {
    await decideOnTheApprovalsTab(
      'Approve',
      client.clientId,
      'fine for launch',
    );
    await approverShot('04-approved');
    const approved = await requestOf(entityRef, client.clientId, 'approved');
    assert.equal(approved?.decidedBy, APPROVER);
    assert.equal(approved?.comment, 'fine for launch');
    const rejected = await requestOf(
      entityRef,
      wrongClient.clientId,
      'rejected',
    );
    assert.equal(rejected?.decidedBy, APPROVER);
  });

  await step('owner-sees-both-decisions-on-the-entity-tab', async () => {
    await openTab();
    await itemOf('approved', client.clientId)
      .getByText(new RegExp(`Approved by ${APPROVER}: "fine for launch"`))
      .waitFor();
    await itemOf('rejected', wrongClient.clientId)
      .getByText(new RegExp(`Rejected by ${APPROVER}`))
      .waitFor();
  });

  await step('owner-follows-the-approved-notification', async () => {
    await gotoSignedIn(
      page,
      `${appUrl}/notifications`,
      page.getByText('Approval request approved').first(),
    );
    const link = page
      .getByRole('link', {
        name: `Approval request approved: ${entityRef} in production`,
      })
      .first();
    await link.waitFor();
    assert.equal(
      new URL(await link.getAttribute('href'), appUrl).pathname,
      `${entityPath}/apim-credentials`,
    );
    await link.click();
    await page.waitForURL(`**${entityPath}/apim-credentials`);
    await itemOf('approved', client.clientId).waitFor();
  });

  await step('owner-completes-with-the-secret-again', async () => {
    await completeApprovedRequest(page, card(), client);
    await card()
      .getByRole('status')
      .getByText(`Client ${client.clientId} is now mapped in Production (IS).`)
      .waitFor();
    assert.ok(
      await requestOf(entityRef, client.clientId, 'used'),
      'the request is used',
    );
    assert.ok(
      !(await page.content()).includes(client.clientSecret),
      'the page never shows the secret',
    );
  });

  await step('no-secret-in-any-table', async () => {
    // Read only: the stored rows hold no secret of either client.
    const db = new Database(
      path.resolve(repoRoot, '.local/backstage-db/apim-credentials.sqlite'),
      { readonly: true },
    );
    try {
      const tables = db
        .prepare(`select name from sqlite_master where type = 'table'`)
        .all()
        .map(t => t.name);
      for (const table of tables) {
        const rows = JSON.stringify(
          db.prepare(`select * from "${table}"`).all(),
        );
        for (const secret of [client.clientSecret, wrongClient.clientSecret])
          assert.ok(!rows.includes(secret), `no secret in table ${table}`);
      }
    } finally {
      db.close();
    }
  });

  console.log(
    `\nAll ${steps()} approval steps passed; screenshots in ${path.relative(
      repoRoot,
      outDir,
    )}/`,
  );
} catch (error) {
  process.exitCode = 1;
} finally {
  await approver?.close();
  await wrongClient?.deleteClient().catch(() => {});
  await close();
}
