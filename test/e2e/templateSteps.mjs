/**
 * Steps through the example software templates' forms as a person takes them (Create → the
 * template → its pages → Review → Create → the task's end), shared by the template tests.
 */
import { strict as assert } from 'node:assert';
import { appUrl, gotoSignedIn } from './lib.mjs';

/** Opens template `name` of the default namespace and waits for its `title`. */
export async function openTemplate(page, name, title) {
  await gotoSignedIn(
    page,
    `${appUrl}/create/templates/default/${name}`,
    page.getByText(title).first(),
  );
}

/** Picks an entity in an EntityPicker (an autocomplete) by typing `text` (case-insensitive). */
export async function pickEntity(page, label, text) {
  // Scoped to the template's card: the sidebar has a "Register Existing Component" link.
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

/** Ticks Sandbox (and Production) and picks the WSO2 Identity Server key manager. */
export async function pickSandboxAndIs(page, { production = false } = {}) {
  await page.getByRole('checkbox', { name: /Sandbox/ }).check();
  if (production) {
    await page.getByRole('checkbox', { name: /Production/ }).check();
  }
  await page
    .getByRole('radio', { name: /WSO2 Identity Server|IS/ })
    .first()
    .check();
}

/** Fills one environment's client in the ApimClientsPicker; the secret field is a password. */
export async function fillClient(page, environmentTitle, client) {
  await page
    .getByLabel(new RegExp(`^Consumer key for ${environmentTitle}`))
    .fill(client.clientId);
  const secret = page.getByLabel(
    new RegExp(`^Consumer secret for ${environmentTitle}`),
  );
  await secret.fill(client.clientSecret);
  assert.equal(await secret.getAttribute('type'), 'password');
}

/**
 * "New service with its OAuth2 client" up to its last page: `name` owned by guests (calling the
 * API found by typing `api`, if given), published to this Backstage, `client` in Sandbox / IS.
 */
export async function fillNewServiceForm(page, { name, api, client }) {
  await page.getByLabel('Name').first().fill(name);
  await pickEntity(page, 'Owner', 'guests');
  if (api) await pickEntity(page, 'APIs it calls', api);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Publish to').first().click();
  await page
    .getByRole('option', { name: /This Backstage/ })
    .first()
    .click();
  await page.getByRole('button', { name: 'Next' }).click();
  await pickSandboxAndIs(page);
  await fillClient(page, 'Sandbox', client);
}

/** Review (which must show no schema error about an empty entry), Create, the task page. */
export async function reviewAndCreate(page) {
  await page.getByRole('button', { name: 'Review' }).click();
  assert.equal(
    await page.getByText(/must be string/).count(),
    0,
    'the review page shows no schema error about an empty entry',
  );
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/create\/tasks\//);
}

/**
 * Waits until the task page shows link `linkName` (the task completed); throws with the page's
 * text when it shows a failure first, or after `timeout` ms.
 */
export async function waitForTaskEnd(page, linkName, timeout) {
  const done = page.getByRole('link', { name: linkName });
  const failed = page.getByText(/Failed|failed/).first();
  await Promise.race([
    done.waitFor({ timeout }),
    failed.waitFor({ timeout }).then(async () => {
      throw new Error(
        `the task failed: ${(await page.locator('main').innerText()).slice(
          0,
          2000,
        )}`,
      );
    }),
  ]);
}
