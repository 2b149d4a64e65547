/**
 * What the browser tests share: where the stack is, Chromium started the way this machine allows
 * (Debian's chromium, headless, no background networking), named steps with a screenshot each,
 * and guest sign-in.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
export const outDir = path.resolve(
  repoRoot,
  process.env.E2E_OUTPUT_DIR ?? 'test-results/e2e',
);
export const appUrl = process.env.E2E_APP_URL ?? 'http://localhost:3000';
export const STEP_TIMEOUT = 60_000;

/** The local stack's description (`.local/stack.json`): demo clients with their secrets. */
export async function readStack() {
  const stackFile = path.resolve(
    repoRoot,
    process.env.E2E_STACK_FILE ?? '.local/stack.json',
  );
  return JSON.parse(await fs.readFile(stackFile, 'utf8'));
}

/** Debian's Chromium, headless, without background networking; `extraArgs` added to its flags. */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/**
 * Starts Chromium and a page; `step(name, fn)` runs `fn`, screenshots the page as
 * `<prefix>NN-name.png` (or `-FAILED.png`) and rethrows failures; `passed(what)` reports the end.
 */
export async function openBrowser({ prefix = '', viewport } = {}) {
  await fs.mkdir(outDir, { recursive: true });
  const browser = await launchChromium();
  const context = await browser.newContext({
    viewport: viewport ?? { width: 1600, height: 1000 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const consoleErrors = [];
  page.on(
    'console',
    msg => msg.type() === 'error' && consoleErrors.push(msg.text()),
  );

  let stepNumber = 0;
  async function step(name, fn) {
    stepNumber += 1;
    const label = `${prefix}${String(stepNumber).padStart(2, '0')}-${name}`;
    const started = Date.now();
    try {
      await fn();
      await page.screenshot({
        path: path.join(outDir, `${label}.png`),
        fullPage: true,
      });
      console.log(`ok   ${label} (${Date.now() - started} ms)`);
    } catch (error) {
      await page
        .screenshot({
          path: path.join(outDir, `${label}-FAILED.png`),
          fullPage: true,
        })
        .catch(() => {});
      console.error(`FAIL ${label}: ${error?.stack ?? error}`);
      throw error;
    }
  }

  async function close() {
    if (consoleErrors.length) {
      await fs.writeFile(
        path.join(outDir, `${prefix}browser-console-errors.log`),
        consoleErrors.join('\n\n'),
      );
      console.log(
        `(${consoleErrors.length} browser console errors, e.g. React dev warnings: see ${prefix}browser-console-errors.log)`,
      );
    }
    await context.close().catch(() => {});
    await browser.close().catch(() => {});
  }

  /** Logs that every step passed (`what`: the test's kind of steps) and where the screenshots are. */
  function passed(what = '') {
    console.log(
      `\nAll ${stepNumber} ${what}${
        what ? ' ' : ''
      }steps passed; screenshots in ${path.relative(repoRoot, outDir)}/`,
    );
  }

  return { page, step, close, passed, steps: () => stepNumber };
}

/**
 * Clicks "Enter" until the guest session starts. scripts/dev.sh runs the backend in watch mode, so
 * it restarts whenever a source file changes (several people share the working tree); while it
 * restarts, the guest refresh fails and the app shows "You cannot sign in as a guest" in the dev
 * server's overlay. Reloading and trying again, for up to three minutes, rides that out.
 */
async function enterAsGuest(page, ready) {
  const enter = page.getByRole('button', { name: 'Enter' });
  const deadline = Date.now() + 180_000;
  for (;;) {
    await enter.click();
    try {
      await enter.waitFor({ state: 'detached', timeout: 20_000 });
      if (ready) await ready.waitFor();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await page.waitForTimeout(5_000);
    await page.reload();
    await Promise.race([
      enter.waitFor({ timeout: 120_000 }),
      ...(ready ? [ready.waitFor({ timeout: 120_000 })] : []),
    ]);
    if (!(await enter.isVisible())) return;
  }
}

/** Signs in with the guest provider ("Enter"). */
export async function signInAsGuest(page) {
  await page.goto(appUrl);
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ timeout: 120_000 });
  await enterAsGuest(page);
}

/**
 * Opens `url` and signs in again when the app asks (a backend restart in watch mode, or an expired
 * guest session, shows the sign-in page instead of the content).
 */
export async function gotoSignedIn(page, url, ready) {
  await page.goto(url);
  const enter = page.getByRole('button', { name: 'Enter' });
  await Promise.race([ready.waitFor(), enter.waitFor()]);
  if (await enter.isVisible()) {
    await enterAsGuest(page, ready);
    await ready.waitFor();
  }
}
