/**
 * Abuse suite for the two scaffolder actions: a corpus of bad inputs (wrong types, missing and
 * empty values, 10 kB and 1 MB values, unicode and control characters, SQL and path fragments,
 * malformed entity refs, unknown environments and key managers) must fail the step with an
 * InputError naming the problem and send no mutation to the apim-credentials backend (only the
 * GET /environments pre-flight read is acceptable, for unknown environments / key managers).
 * Then the authorisation answers of the backend (401, 403) become clear step errors, and the
 * request always carries the token obtained on behalf of the template's user.
 */
import { createApimCredentialsProvisionAction } from '../actions/provision';
import { createApimCredentialsUnprovisionAction } from '../actions/unprovision';
import { FakeApimCredentialsBackend } from '../__testUtils__/FakeApimCredentialsBackend';
import {
  actionOptions,
  provisionInput,
  taskContext,
} from '../__testUtils__/taskContext';

const SECRET = 'abuse-s3cret-value';
const GOOD = provisionInput('abuse-client', SECRET);
const KB10 = 'a'.repeat(10 * 1024);
const MB1 = 'b'.repeat(1024 * 1024);

function setup(kind: 'provision' | 'unprovision', user = 'user:default/alice') {
  const backend = new FakeApimCredentialsBackend();
  const options = actionOptions(backend.fetch);
  const action =
    kind === 'provision'
      ? createApimCredentialsProvisionAction(options)
      : createApimCredentialsUnprovisionAction(options);
  const run = async (input: Record<string, unknown>) => {
    const { ctx, logger } = taskContext(input, {
      secrets: { consumerSecret: SECRET },
      taskId: 'task-abuse',
      user,
    });
    await action.handler(ctx as any);
    return { ctx, logger };
  };
  return { backend, run };
}

type Case = [string, Record<string, unknown>, RegExp, boolean?];

const STRING_BAD: Array<[string, string]> = [
  ['empty', ''],
  ['10 kB', KB10],
  ['1 MB', MB1],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['ANSI escape', '\u001b[31mx'],
  ['SQL statement', "x'; DROP TABLE apim_credentials_audit; --"],
];

function corpus(kind: 'provision' | 'unprovision'): Case[] {
  const cases: Case[] = [];
  const fields =
    kind === 'provision'
      ? ['environments', 'keyManager', 'consumerKey', 'consumerSecret']
      : ['environments', 'keyManager'];
  for (const field of fields) {
    for (const [label, value] of STRING_BAD) {
      if (field === 'consumerSecret' && label === 'SQL statement') continue; // an opaque secret may be any printable text
      cases.push([
        `${field} ${label}`,
        { [field]: field === 'environments' ? [value] : value },
        new RegExp(field === 'environments' ? 'environment' : field),
      ]);
    }
  }
  cases.push([
    'environments unicode',
    { environments: ['ключ'] },
    /environment/,
  ]);
  cases.push([
    'environments path traversal',
    { environments: ['../../etc'] },
    /environment/,
  ]);
  cases.push(['environments empty list', { environments: [] }, /environments/]);
  cases.push([
    'environments blanks only',
    { environments: [' ', ''] },
    /environments/,
  ]);
  cases.push(['keyManager unicode', { keyManager: 'ключ' }, /keyManager/]);
  cases.push([
    'keyManager path traversal',
    { keyManager: '../IS' },
    /keyManager/,
  ]);
  for (const [label, ref] of [
    ['empty', ''],
    ['name with a slash', 'component:default/a/b'],
    ['colon only', ':'],
    ['slash only', '/'],
    ['kind only', 'component:'],
  ] as const) {
    cases.push([`entityRef ${label}`, { entityRef: ref }, /entityRef/]);
  }
  // well-formed but unknown: rejected by the pre-flight read, before any change
  cases.push([
    'unknown environment',
    { environments: ['staging'] },
    /Unknown environment "staging"/,
    true,
  ]);
  cases.push([
    'unknown environment after a known one',
    { environments: ['sandbox', 'staging'] },
    /Unknown environment "staging"/,
    true,
  ]);
  cases.push([
    'unknown key manager',
    { keyManager: 'Okta' },
    /Key manager "Okta" is not available/,
    true,
  ]);
  cases.push([
    'key manager not allowed',
    { environments: ['production'], keyManager: 'Resident Key Manager' },
    /not allowed in environment "production"/,
    true,
  ]);
  return cases;
}

describe.each(['provision', 'unprovision'] as const)(
  'abuse: apim:credentials:%s bad inputs',
  kind => {
    it.each(corpus(kind).map(([n, o, m, r]) => [n, o, m, r === true] as const))(
      '%s: an InputError naming it, nothing sent',
      async (_name, override, message, readsAllowed) => {
        const { backend, run } = setup(kind);
        const error = await run({ ...GOOD, ...override }).then(
          () => undefined,
          e => e,
        );
        expect(error).toBeDefined();
        expect(error.name).toBe('InputError');
        expect(error.message).toMatch(message);
        expect(error.message).not.toContain(SECRET);
        expect(backend.mutations).toEqual([]);
        // Only the /environments read may happen, and only for well-formed unknown ids.
        const allowedReads = readsAllowed
          ? backend.requests
          : ([] as typeof backend.requests);
        expect(backend.requests).toEqual(allowedReads);
        expect(
          backend.requests.every(
            r => r.method === 'GET' && r.url.pathname.endsWith('/environments'),
          ),
        ).toBe(true);
        expect(backend.mappings.size).toBe(0);
      },
    );

    it.each([
      ['entityRef number', { entityRef: 42 }],
      ['entityRef object', { entityRef: { kind: 'component' } }],
      ['environments number', { environments: 7 }],
      ['environments null', { environments: null }],
      ['keyManager array', { keyManager: ['IS'] }],
      ['keyManager missing', { keyManager: undefined }],
      ...(kind === 'provision'
        ? ([
            ['consumerKey number', { consumerKey: 1 }],
            ['consumerSecret object', { consumerSecret: { value: 'x' } }],
            ['consumerSecret missing', { consumerSecret: undefined }],
          ] as const)
        : []),
    ] as Array<[string, Record<string, unknown>]>)(
      'wrong type %s: refused before anything is sent',
      async (_name, override) => {
        // The scaffolder validates inputs against the action's schema first; the handler still refuses.
        const { backend, run } = setup(kind);
        await expect(run({ ...GOOD, ...override })).rejects.toThrow();
        expect(backend.requests.filter(r => r.method !== 'GET')).toEqual([]);
      },
    );
  },
);

describe.each(['provision', 'unprovision'] as const)(
  'abuse: apim:credentials:%s authorisation answers',
  kind => {
    it.each([
      [
        403,
        'NotAllowedError',
        'You may not change the API-M credentials of component:default/orders-service; ask its owners',
        /permission denied.*ask its owners/,
      ],
      [
        401,
        'AuthenticationError',
        'Missing credentials',
        /did not accept the call on behalf of the template's user/,
      ],
    ] as const)(
      'HTTP %s from the backend: a clear step error',
      async (status, name, message, expected) => {
        const { backend, run } = setup(kind, 'user:default/dave');
        backend.failures.set('sandbox', { status, name, message });
        const error = await run(GOOD).then(
          () => undefined,
          e => e,
        );
        expect(error?.message).toMatch(expected);
        expect(error.name).toBe(
          status === 403 ? 'NotAllowedError' : error.name,
        );
        expect(backend.mappings.size).toBe(0);
        // on behalf of the template's user, never as the scaffolder itself
        const calls = backend.requests.filter(r => r.method !== 'GET');
        expect(calls).toHaveLength(1);
        expect(calls[0].headers.authorization).toMatch(
          /^Bearer mock-service-token:/,
        );
        expect(
          JSON.parse(
            calls[0].headers.authorization.slice(
              'Bearer mock-service-token:'.length,
            ),
          ),
        ).toMatchObject({
          obo: 'user:default/dave',
          target: 'apim-credentials',
        });
      },
    );
  },
);
