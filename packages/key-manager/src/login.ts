/**
 * The key manager's sign-in pages (WSO2 IS's login page, in small): an OIDC authorization request
 * that needs the user (oidc-provider's `login` prompt) lands on
 * `GET /oauth2/interaction/<uid>`, a form for user name and password listing the demo users
 * (users.ts); `POST` of that form signs the user in. The `consent` prompt that follows is granted
 * without a page (the registered clients are the organisation's own, as with WSO2 IS's
 * "skip consent" service providers). Sign-in and consent go back to oidc-provider, which
 * finishes the authorization request (a code to the client's redirect URI).
 *
 * The provider is passed in: this module imports no ESM-only package.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import { DEMO_USERS, DemoUser, findDemoUser } from './users';

/** Path prefix of the interaction pages (oidc-provider's `interactions.url`). */
export const INTERACTION_PATH = '/oauth2/interaction/';

/** The part of oidc-provider's Provider this module uses. */
export interface InteractionProvider {
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<any>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: any;
}

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );

/** The login form; `error` is shown above it (a failed attempt). */
export function loginPage(
  uid: string,
  clientName: string,
  users: readonly DemoUser[],
  error?: string,
) {
  const rows = users
    .map(
      u =>
        `<li><code>${escapeHtml(u.username)}</code> / <code>${escapeHtml(
          u.password,
        )}</code>: ${escapeHtml(u.role)}</li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - key manager</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto}label{display:block;margin:.6rem 0}
input{width:100%;padding:.4rem}button{margin-top:.8rem;padding:.5rem 1.2rem}.error{color:#b00020}</style>
</head><body>
<h1>Sign in</h1>
<p>to <strong>${escapeHtml(
    clientName,
  )}</strong> with the local key manager (WSO2 IS stand-in).</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${INTERACTION_PATH}${encodeURIComponent(uid)}">
<label>Username <input name="username" autocomplete="username" autofocus required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<h2>Demo users</h2><ul>${rows}</ul>
</body></html>`;
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  const parsed = querystring.parse(Buffer.concat(chunks).toString('utf8'));
  return Object.fromEntries(
    Object.entries(parsed).map(([k, v]) => [k, String(v ?? '')]),
  );
}

/** Grants what the authorization request asks for (the `consent` prompt); returns the grant id. */
async function grantAll(provider: InteractionProvider, details: any) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({
        accountId: session.accountId,
        clientId: params.client_id,
      });
  const missing = prompt.details ?? {};
  if (missing.missingOIDCScope)
    grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(
    missing.missingResourceScopes ?? {},
  )) {
    grant.addResourceScope(indicator, (scopes as string[]).join(' '));
  }
  return grant.save();
}

/**
 * Serves `GET`/`POST /oauth2/interaction/<uid>`. A wrong user name or password shows the form
 * again (401) and never says which was wrong; an unknown or expired interaction is a 400 page.
 */
export async function handleInteraction(
  provider: InteractionProvider,
  req: IncomingMessage,
  res: ServerResponse,
  options: {
    users?: readonly DemoUser[];
    /** The client's display name (its DCR client_name) for the page. */
    clientName?: (clientId: string) => string | undefined;
  } = {},
): Promise<void> {
  const users = options.users ?? DEMO_USERS;
  let details: any;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    sendHtml(
      res,
      400,
      '<!doctype html><p>This sign-in has expired or is unknown. Start it again from the application.</p>',
    );
    return;
  }
  const { uid, prompt, params } = details;
  const clientId = String(params.client_id ?? '');
  const clientName = options.clientName?.(clientId) ?? clientId;

  if (prompt.name === 'consent') {
    const grantId = await grantAll(provider, details);
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
    return;
  }

  if (req.method === 'POST') {
    const form = await readForm(req);
    const user = findDemoUser(form.username ?? '', form.password ?? '', users);
    if (!user) {
      sendHtml(
        res,
        401,
        loginPage(uid, clientName, users, 'Wrong user name or password.'),
      );
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.username } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  sendHtml(res, 200, loginPage(uid, clientName, users));
}
