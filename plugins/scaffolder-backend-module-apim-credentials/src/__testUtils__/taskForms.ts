/**
 * What the scaffolder integration tests send and wait for (tests/*.integration.test.ts): the
 * clients form's values and secrets, a template directory as the dry-run API takes it, and a
 * polling wait.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * What the form sends for one client in every environment: the ApimClientsPicker's value
 * (`clients`, each naming its secret) in the values, each secret in the task's secrets under
 * that name, never in the values.
 */
export function clientsForm(
  values: Record<string, unknown> & {
    environments: string[];
    consumerKey: string;
  },
  secret: string,
) {
  const { consumerKey, ...rest } = values;
  return {
    values: {
      ...rest,
      clients: values.environments.map(environment => ({
        environment,
        consumerKey,
        secretName: `apimConsumerSecret_${environment}`,
      })),
    },
    secrets: Object.fromEntries(
      values.environments.map(e => [`apimConsumerSecret_${e}`, secret]),
    ),
  };
}

export interface TaskEvent {
  type: string;
  body: {
    message?: string;
    status?: string;
    stepId?: string;
    error?: unknown;
    output?: unknown;
  };
}

export async function readDirectory(
  dir: string,
  prefix = '',
): Promise<Array<{ path: string; base64Content: string }>> {
  const files: Array<{ path: string; base64Content: string }> = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.push(
        ...(await readDirectory(path.join(dir, entry.name), relative)),
      );
    } else {
      files.push({
        path: relative,
        base64Content: (await fs.readFile(path.join(dir, entry.name))).toString(
          'base64',
        ),
      });
    }
  }
  return files;
}

export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = e;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms${lastError ? `: ${lastError}` : ''}`,
  );
}
