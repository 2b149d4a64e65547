/**
 * Steps on an entity tab's cells and the clients the stack seeded, shared by the browser tests:
 * a demo client by name, freeing a cell, and running the token dialog's commands the way a user
 * would (bash + curl, the secret typed at the prompt) up to an API call through the gateway.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';

/** The orders-service component of the example stack, where most tests work. */
export const ORDERS_PATH = '/catalog/default/component/orders-service';
export const ORDERS_REF = 'component:default/orders-service';

/** The demo client `name` of the stack's description (readStack); fails when it lacks one. */
export function demoClient(stack, name) {
  const client = stack.demoClients.find(c => c.name === name);
  assert.ok(client, `stack.json lists no ${name} demo client`);
  return client;
}

/**
 * Removes the client mapped in `row` (a mapping row of an entity tab) through its Remove dialog,
 * if one is mapped, and waits until the row says `unmapped`.
 */
export async function freeCell(page, row) {
  const remove = row.getByRole('button', { name: 'Remove' });
  // The row's state arrives after its card: decide once it shows one.
  await remove.or(row.getByText('unmapped')).first().waitFor();
  if (await remove.count()) {
    await remove.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Remove mapping' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 90_000 });
  }
  await row.getByText('unmapped').waitFor();
}

/**
 * Runs the token dialog's token command (the client's secret typed at its prompt, the stack's CA)
 * and its invoke command with that token for `/charges`; asserts that the key manager issued a
 * token and that the gateway answered 200.
 */
export function callThroughGateway(stack, client, tokenSnippet, invokeSnippet) {
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
  assert.equal(status.trim(), '200', 'the gateway answers the subscribed API');
}
