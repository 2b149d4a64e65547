/**
 * Approval of production keys on the example stack (issue 14 item 1), for the browser tests:
 * the example stack's production environment requires approval (app-config.yaml), so a test
 * that needs a mapped production client requests it, has it approved, and completes it.
 *
 * The approver is a second real person: pat of platform-team, who signs in at the stack's key
 * manager (the WSO2 IS stand-in) through Backstage's OIDC provider; nobody may approve their own
 * request, and the guest filed it. approvals.e2e.mjs signs pat in on the sign-in page and clicks
 * Approve and Reject (its signInAsApprover). The other browser tests only need the decision:
 * approveAsAnotherApprover signs pat in through the same provider over HTTP (Backstage's
 * /api/auth/oidc/start, the key manager's login form, Backstage's callback, then the session's
 * refresh for pat's Backstage token) and approves through the REST API, as the Approvals tab
 * does. Nothing is written to the database.
 *
 * approveAsAnotherApprover and closeOpenRequests keep the signatures of their earlier,
 * synchronous versions: they start the work and return its promise; requestProductionKeys and
 * completeApprovedRequest wait for it (and reload the page when it changed what it shows).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { appUrl, readStack, repoRoot } from './lib.mjs';

const backendUrl = process.env.E2E_BACKEND_URL ?? 'http://localhost:7007';
export const APPROVER = 'user:default/pat';
/** pat's login at the key manager (packages/key-manager/src/users.ts). */
export const APPROVER_LOGIN = { username: 'pat', password: 'pat' };
const ENVIRONMENT = 'production';
const KEY_MANAGER = 'IS';

let caPem;
function ca() {
  caPem ??= fs.readFileSync(path.resolve(repoRoot, '.local/tls/ca.pem'));
  return caPem;
}

/** One HTTP(S) exchange without following redirects; cookies from and into `jar` (per origin). */
function exchange(url, { method = 'GET', headers = {}, body, jar } = {}) {
  const target = new URL(url);
  const cookies = jar?.get(target.origin) ?? new Map();
  return new Promise((resolve, reject) => {
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method,
        ca: target.protocol === 'https:' ? ca() : undefined,
        headers: {
          ...headers,
          ...(cookies.size
            ? {
                cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
              }
            : {}),
          ...(body !== undefined
            ? { 'content-length': Buffer.byteLength(body) }
            : {}),
        },
      },
      response => {
        const chunks = [];
        response.on('data', c => chunks.push(c));
        response.on('end', () => {
          for (const cookie of response.headers['set-cookie'] ?? []) {
            const [pair] = cookie.split(';');
            const i = pair.indexOf('=');
            cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1));
          }
          jar?.set(target.origin, cookies);
          resolve({
            status: response.statusCode,
            location: response.headers.location
              ? new URL(response.headers.location, target).toString()
              : undefined,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Follows redirects from `url` (across Backstage and the key manager) to the first non-redirect. */
async function follow(url, jar, init = {}) {
  let response = await exchange(url, { ...init, jar });
  for (let hops = 0; response.location && hops < 20; hops++) {
    response = await exchange(response.location, { jar });
  }
  return response;
}

/** A Backstage token from the provider's session refresh (as the app's sign-in does). */
async function refreshToken(provider, jar) {
  const response = await exchange(
    `${backendUrl}/api/auth/${provider}/refresh?env=development`,
    { headers: { 'x-requested-with': 'XMLHttpRequest' }, jar },
  );
  if (response.status !== 200)
    throw new Error(
      `${provider} sign-in refresh answered ${response.status}: ${response.body}`,
    );
  return JSON.parse(response.body).backstageIdentity.token;
}

/** pat's Backstage token: OIDC sign-in at the key manager's login page, over HTTP. */
export async function approverTokenOverHttp() {
  const jar = new Map();
  const start = new URLSearchParams({
    scope: 'openid profile email',
    env: 'development',
    origin: appUrl,
  });
  const login = await follow(`${backendUrl}/api/auth/oidc/start?${start}`, jar);
  const action = /action="([^"]+)"/.exec(login.body)?.[1];
  if (login.status !== 200 || !action)
    throw new Error(`no key manager login form (${login.status})`);
  const done = await follow(
    new URL(action, new URL(await keyManagerUrl())).toString(),
    jar,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(APPROVER_LOGIN).toString(),
    },
  );
  if (done.status !== 200)
    throw new Error(`Backstage's OIDC callback answered ${done.status}`);
  return refreshToken('oidc', jar);
}

async function keyManagerUrl() {
  return (await readStack()).keyManager.url;
}

/**
 * An OAuth2 client created in the key manager "out of band" (its DCR endpoint, as the stack's
 * admin), for a request that is meant to be rejected; `deleteClient` removes it again.
 */
export async function createClientOutOfBand(name) {
  const { keyManager } = await readStack();
  const auth = `Basic ${Buffer.from(
    `${keyManager.admin.username}:${keyManager.admin.password}`,
  ).toString('base64')}`;
  const response = await exchange(keyManager.dcrEndpoint, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: name,
      grant_types: ['client_credentials'],
    }),
  });
  if (response.status !== 201)
    throw new Error(`creating ${name} answered ${response.status}`);
  const created = JSON.parse(response.body);
  return {
    name,
    clientId: created.client_id,
    clientSecret: created.client_secret,
    deleteClient: () =>
      exchange(`${keyManager.dcrEndpoint}/${created.client_id}`, {
        method: 'DELETE',
        headers: { authorization: auth },
      }),
  };
}

/** The guest's Backstage token (the guest provider's session refresh). */
export function guestTokenOverHttp() {
  return refreshToken('guest', new Map());
}

/** A call to the apim-credentials REST API with `token`; JSON in and out. */
async function callApi(token, method, apiPath, body) {
  const response = await exchange(
    `${backendUrl}/api/apim-credentials${apiPath}`,
    {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    },
  );
  return {
    status: response.status,
    body: response.body ? JSON.parse(response.body) : undefined,
  };
}

/** The approval requests of the entity, newest first, as the backend lists them (never a secret). */
export async function requestsOf(entityRef, token) {
  const response = await callApi(
    token ?? (await guestTokenOverHttp()),
    'GET',
    `/approvals?${new URLSearchParams({ entityRef })}`,
  );
  if (response.status !== 200)
    throw new Error(`listing approvals answered ${response.status}`);
  return response.body.items;
}

/** The newest request of the entity's client in `state`, or undefined. */
export async function requestOf(entityRef, consumerKey, state = 'pending') {
  return (await requestsOf(entityRef)).find(
    r => r.consumerKey === consumerKey && r.state === state,
  );
}

// Work started by the synchronous-looking helpers, awaited by the page steps below.
const started = new Set();
function track(promise) {
  const tracked = promise.finally(() => started.delete(tracked));
  tracked.catch(() => {}); // reported by settle()
  started.add(tracked);
  return tracked;
}
/** Waits for the started work; rethrows its first failure. Resolves true when there was some. */
async function settle() {
  const work = [...started];
  await Promise.all(work);
  return work.length > 0;
}

async function decideAsApprover(entityRef, consumerKey, decision, comment) {
  const request = await requestOf(entityRef, consumerKey, 'pending');
  if (!request) throw new Error(`no pending request for ${consumerKey}`);
  const token = await approverTokenOverHttp();
  const response = await callApi(
    token,
    'POST',
    `/approvals/${encodeURIComponent(request.id)}/${decision}`,
    comment ? { comment } : {},
  );
  if (response.status !== 200)
    throw new Error(
      `${decision} as ${APPROVER} answered ${response.status}: ${JSON.stringify(
        response.body,
      )}`,
    );
  return request.id;
}

/** pat (platform-team) approves the pending request of the client, through the REST API. */
export function approveAsAnotherApprover(entityRef, consumerKey, comment) {
  return track(decideAsApprover(entityRef, consumerKey, 'approve', comment));
}

/**
 * Ends the entity's open production requests left by earlier runs, as people would: pat
 * rejects a pending one; the guest (owner) completes an approved one with the demo client's
 * secret and removes the mapping again (the tests then start from an unmapped cell).
 */
export function closeOpenRequests(entityRef) {
  return track(
    (async () => {
      const guest = await guestTokenOverHttp();
      const open = (await requestsOf(entityRef, guest)).filter(
        r =>
          r.environment === ENVIRONMENT &&
          (r.state === 'pending' || r.state === 'approved'),
      );
      const { demoClients } = await readStack();
      for (const request of open) {
        if (request.state === 'pending') {
          await decideAsApprover(
            entityRef,
            request.consumerKey,
            'reject',
            'left open by an earlier test run',
          );
          continue;
        }
        const client = demoClients.find(
          c => c.clientId === request.consumerKey,
        );
        if (!client) continue; // a client of its own test: it expires by itself
        const [kind, rest] = entityRef.split(':');
        const [namespace, name] = rest.split('/');
        const cell = `/entities/${kind}/${namespace}/${name}/credentials/${request.environment}/${request.keyManager}`;
        const put = await callApi(guest, 'PUT', cell, {
          consumerKey: client.clientId,
          consumerSecret: client.clientSecret,
        });
        if (put.status >= 300)
          throw new Error(`completing a leftover answered ${put.status}`);
        await callApi(
          guest,
          'DELETE',
          `${cell}?${new URLSearchParams({ consumerKey: client.clientId })}`,
        );
      }
      return open.length;
    })(),
  );
}

/**
 * On the entity tab: "Request production keys" with the client and its secret; the card shows
 * the request pending.
 */
export async function requestProductionKeys(page, card, client) {
  if (await settle()) {
    await page.reload();
    await card.waitFor();
  }
  await page
    .getByRole('button', { name: 'Request production keys for Production' })
    .click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Request production keys: Production').waitFor();
  await dialog.locator('#apim-provide-key-manager').click();
  await page.locator(`li[role="option"][data-value="${KEY_MANAGER}"]`).click();
  await dialog.getByLabel('Consumer key').fill(client.clientId);
  await dialog.getByLabel('Consumer secret').fill(client.clientSecret);
  await dialog.getByRole('button', { name: 'Request approval' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 90_000 });
  await card
    .getByTestId('approval-request-pending')
    .filter({ hasText: client.clientId })
    .waitFor();
}

/** On the entity tab: "Complete…" on the approved request, the secret typed again: mapped. */
export async function completeApprovedRequest(page, card, client) {
  if (await settle()) {
    await page.reload();
    await card.waitFor();
  }
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
