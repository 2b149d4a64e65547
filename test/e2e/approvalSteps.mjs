/**
 * Approval of production keys on the example stack (issue 14 item 1), for the browser tests:
 * the example stack's production environment requires approval (app-config.yaml), so a test
 * that needs a mapped production client requests it, has it approved, and completes it.
 *
 * The approver: the example app signs in one person only (the guest provider's
 * user:default/guest, owner of orders-service and member of platform-team), and nobody may
 * approve their own request. No second user can sign in, and a service token may not decide
 * (services never mutate), so the second person's decision is written where the backend keeps
 * it, the apim-credentials database of the running stack, as user:default/pat of platform-team.
 * The approve route itself (permission, SELF_APPROVAL, states) is covered by the backend's tests;
 * everything else here goes through the app.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { repoRoot } from './lib.mjs';

/** The backend's SQLite file (backend.database in app-config.yaml). */
const DB_FILE = path.resolve(
  repoRoot,
  process.env.E2E_APIM_DB ?? '.local/backstage-db/apim-credentials.sqlite',
);
const TABLE = 'apim_credentials_approval_requests';
export const APPROVER = 'user:default/pat';

function withDatabase(fn) {
  const db = new Database(DB_FILE, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 15000');
    return fn(db);
  } finally {
    db.close();
  }
}

/** Ends the entity's open requests (pending or approved) left by earlier runs. */
export function closeOpenRequests(entityRef) {
  return withDatabase(
    db =>
      db
        .prepare(
          `update ${TABLE} set state = 'expired', expires_at = ? where entity_ref = ? and state in ('pending', 'approved')`,
        )
        .run(Date.now(), entityRef).changes,
  );
}

/** The newest request of the entity's client in `state`, as stored (never a secret). */
export function requestOf(entityRef, consumerKey, state = 'pending') {
  return withDatabase(db =>
    db
      .prepare(
        `select * from ${TABLE} where entity_ref = ? and consumer_key = ? and state = ? order by requested_at desc limit 1`,
      )
      .get(entityRef, consumerKey, state),
  );
}

/** A second platform-team person approves the pending request of the client (see above). */
export function approveAsAnotherApprover(entityRef, consumerKey, comment) {
  const request = requestOf(entityRef, consumerKey, 'pending');
  if (!request) throw new Error(`no pending request for ${consumerKey}`);
  withDatabase(db =>
    db
      .prepare(
        `update ${TABLE} set state = 'approved', decided_by = ?, decided_at = ?, comment = ? where id = ? and state = 'pending'`,
      )
      .run(APPROVER, Date.now(), comment ?? null, request.id),
  );
  return request.id;
}

/**
 * On the entity tab: "Request production keys" with the client and its secret; the card shows
 * the request pending.
 */
export async function requestProductionKeys(page, card, client) {
  await page
    .getByRole('button', { name: 'Request production keys for Production' })
    .click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Request production keys: Production').waitFor();
  await dialog.locator('#apim-provide-key-manager').click();
  await page.locator('li[role="option"][data-value="IS"]').click();
  await dialog.getByLabel('Consumer key').fill(client.clientId);
  await dialog.getByLabel('Consumer secret').fill(client.clientSecret);
  await dialog.getByRole('button', { name: 'Request approval' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 90_000 });
  await card.getByTestId('approval-request-pending').waitFor();
}

/** On the entity tab: "Complete…" on the approved request, the secret typed again: mapped. */
export async function completeApprovedRequest(page, card, client) {
  const item = card.getByTestId('approval-request-approved');
  await item.waitFor();
  await item
    .getByRole('button', {
      name: `Complete the approved request for ${client.clientId} in Production`,
    })
    .click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(/approved client/).waitFor();
  if (
    (await dialog.getByLabel('Consumer key').inputValue()) !== client.clientId
  )
    throw new Error('the completion dialog is not pre-filled');
  await dialog.getByLabel('Consumer secret').fill(client.clientSecret);
  await dialog.getByRole('button', { name: 'Provide keys' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 90_000 });
  await card
    .getByTestId('mapping-row-IS')
    .getByText(client.clientId, { exact: true })
    .waitFor();
}
