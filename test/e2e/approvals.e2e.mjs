/**
 * Approval before provisioning in the browser (issue 14 item 1), against the running local stack
 * whose production environment requires approval: as the owner of orders-service, request
 * production keys (the secret typed) and see the request pending; on the platform page's
 * Approvals tab the requester's own Approve is disabled, and the REST API refuses the
 * requester's approval too (SELF_APPROVAL); a second platform-team person approves (see
 * approvalSteps.mjs for why that decision is written to the database); the owner completes it,
 * typing the secret again, and the client is mapped. No step shows or stores the secret.
 * Screenshots go to test-results/e2e/approvals-*.png.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  appUrl,
  gotoSignedIn,
  openBrowser,
  outDir,
  readStack,
  repoRoot,
  signInAsGuest,
} from './lib.mjs';
import {
  APPROVER,
  approveAsAnotherApprover,
  closeOpenRequests,
  completeApprovedRequest,
  requestOf,
  requestProductionKeys,
} from './approvalSteps.mjs';

const entityRef = 'component:default/orders-service';
const entityPath = '/catalog/default/component/orders-service';
const backendUrl = process.env.E2E_BACKEND_URL ?? 'http://localhost:7007';
const stack = await readStack();
const client = stack.demoClients.find(c => c.name === 'orders-service-prod');
assert.ok(client, 'stack.json lists no orders-service-prod demo client');

const { page, step, close, steps } = await openBrowser({
  prefix: 'approvals-',
});
const card = () => page.getByTestId('environment-card-production');
const isRow = () => card().getByTestId('mapping-row-IS');

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

try {
  await step('sign-in-as-guest', () => signInAsGuest(page));

  await step('clean-production-cell', async () => {
    closeOpenRequests(entityRef);
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

  await step('request-production-keys', async () => {
    await requestProductionKeys(page, card(), client);
    await card()
      .getByRole('status')
      .getByText(/Approval request filed for client/)
      .waitFor();
    await isRow().getByText('unmapped').waitFor();
    const request = requestOf(entityRef, client.clientId, 'pending');
    assert.ok(request, 'the request is stored');
    assert.equal(request.requested_by, 'user:default/guest');
  });

  await step(
    'own-request-cannot-be-approved-on-the-approvals-tab',
    async () => {
      await gotoSignedIn(
        page,
        `${appUrl}/apim-credentials?tab=approvals`,
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
    const { id } = requestOf(entityRef, client.clientId, 'pending');
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
      requestOf(entityRef, client.clientId, 'pending'),
      'still pending',
    );
  });

  await step('another-platform-team-member-approves', async () => {
    approveAsAnotherApprover(entityRef, client.clientId, 'fine for launch');
    await openTab();
    const item = card().getByTestId('approval-request-approved');
    await item.getByText(new RegExp(`Approved by ${APPROVER}`)).waitFor();
  });

  await step('owner-completes-with-the-secret-again', async () => {
    await completeApprovedRequest(page, card(), client);
    await card()
      .getByRole('status')
      .getByText(`Client ${client.clientId} is now mapped in Production (IS).`)
      .waitFor();
    assert.ok(
      requestOf(entityRef, client.clientId, 'used'),
      'the request is used',
    );
    assert.ok(
      !(await page.content()).includes(client.clientSecret),
      'the page never shows the secret',
    );
  });

  await step('no-secret-in-any-table', async () => {
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
        assert.ok(
          !rows.includes(client.clientSecret),
          `no secret in table ${table}`,
        );
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
  await close();
}
