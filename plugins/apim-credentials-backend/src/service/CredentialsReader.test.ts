/**
 * The entity tab's read (issue 9, "first tab read after start-up"): the keys of the application
 * the backend recorded as bound are listed while API-M looks the name up, and used only when
 * the lookup finds that application and the binding guard passes.
 */
import { ConfigReader } from '@backstage/config';
import type { ApimClient } from '../apim/ApimClient';
import type { ApimInstances } from '../apim/ApimInstances';
import type { ApimApplication, ApimApplicationKey } from '../apim/types';
import { ApimError } from '../apim/ApimError';
import { readApimCredentialsConfig } from '../config';
import type { MappingStore } from '../database/MappingStore';
import { ApimDirectory } from './ApimDirectory';
import { CredentialsReader } from './CredentialsReader';

const config = readApimCredentialsConfig(
  new ConfigReader({
    apimCredentials: {
      instances: [
        {
          id: 'local',
          baseUrl: 'https://apim:9443/',
          auth: { username: 'svc', password: 'pw' },
        },
      ],
      environments: [{ id: 'sandbox', instance: 'local', keyType: 'SANDBOX' }],
    },
  }),
);

const APP: ApimApplication = { applicationId: 'app-1', name: 'orders' };
const key = (consumerKey: string): ApimApplicationKey => ({
  keyMappingId: `km-${consumerKey}`,
  keyManager: 'IS',
  consumerKey,
  supportedGrantTypes: ['client_credentials'],
  keyType: 'SANDBOX',
});

/** An API-M double whose name lookup answers only when `release` is called. */
function setup(found: ApimApplication | undefined = APP) {
  let release = () => {};
  const lookupAnswered = new Promise<void>(resolve => {
    release = resolve;
  });
  const listed: string[] = [];
  const client = {
    instanceId: 'local',
    listKeyManagers: jest.fn(async () => [
      { id: 'km', name: 'IS', type: 'WSO2-IS', enabled: true },
    ]),
    findApplicationByName: jest.fn(async () => {
      await lookupAnswered;
      return found;
    }),
    listOAuthKeys: jest.fn(async (applicationId: string) => {
      listed.push(applicationId);
      if (applicationId === 'gone') {
        throw new ApimError(
          'http',
          'GET /applications/gone/oauth-keys',
          'Not Found',
          404,
        );
      }
      if (applicationId === 'slow') {
        throw new ApimError(
          'timeout',
          'GET /applications/slow/oauth-keys',
          'timed out',
        );
      }
      return [key(`client-of-${applicationId}`)];
    }),
  };
  const instances = {
    client: () => client as unknown as ApimClient,
  } as unknown as ApimInstances;
  const mappings = {
    getMappingsForEntity: async () => [],
  } as unknown as MappingStore;
  const reader = new CredentialsReader({
    config,
    instances,
    mappings,
    directory: new ApimDirectory(),
  });
  return { reader, client, listed, release };
}

const keysOf = (
  result: Awaited<ReturnType<CredentialsReader['getEntityCredentials']>>,
) => result.environments[0].mappings.map(m => m.consumerKey);

describe('CredentialsReader.getEntityCredentials', () => {
  it('lists the bound application keys while the name is looked up, and uses them', async () => {
    const { reader, client, listed, release } = setup();
    const guard = jest.fn(async () => {});
    const read = reader.getEntityCredentials(
      'component:default/orders',
      'orders',
      guard,
      async () => 'app-1',
    );
    // The lookup has not answered yet, and the keys are already being listed.
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(listed).toEqual(['app-1']);
    expect(guard).not.toHaveBeenCalled();
    release();
    expect(keysOf(await read)).toEqual(['client-of-app-1']);
    expect(guard).toHaveBeenCalledWith('local', APP);
    expect(client.listOAuthKeys).toHaveBeenCalledTimes(1);
  });

  it('lists again for the application the lookup found when it is not the bound one', async () => {
    const { reader, listed, release } = setup({
      applicationId: 'app-2',
      name: 'orders',
    });
    const read = reader.getEntityCredentials(
      'component:default/orders',
      'orders',
      async () => {},
      async () => 'app-1',
    );
    release();
    expect(keysOf(await read)).toEqual(['client-of-app-2']);
    expect(listed).toEqual(['app-1', 'app-2']);
  });

  it('shows no key when the guard refuses, even those listed early', async () => {
    const { reader, release } = setup();
    const read = reader.getEntityCredentials(
      'component:default/orders',
      'orders',
      async () => {
        throw new Error('bound to another entity');
      },
      async () => 'app-1',
    );
    release();
    const result = await read;
    expect(result.environments[0].mappings).toEqual([]);
    expect(result.environments[0].error).toMatch(/bound to another entity/);
  });

  it('reports a fault of the early listing without meeting it a second time', async () => {
    const { reader, listed, release } = setup({
      applicationId: 'slow',
      name: 'orders',
    });
    const read = reader.getEntityCredentials(
      'component:default/orders',
      'orders',
      async () => {},
      async () => 'slow',
    );
    release();
    const result = await read;
    expect(result.environments[0].error).toBeDefined();
    expect(listed).toEqual(['slow']);
  });

  it('looks again when the early listing finds the application deleted (404)', async () => {
    const { reader, listed, release } = setup({
      applicationId: 'app-1',
      name: 'orders',
    });
    const read = reader.getEntityCredentials(
      'component:default/orders',
      'orders',
      async () => {},
      async () => 'gone',
    );
    release();
    expect(keysOf(await read)).toEqual(['client-of-app-1']);
    expect(listed).toEqual(['gone', 'app-1']);
  });

  it('waits for the lookup when nothing is bound', async () => {
    const { reader, listed, release } = setup();
    const read = reader.getEntityCredentials(
      'component:default/orders',
      'orders',
      async () => {},
      async () => undefined,
    );
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(listed).toEqual([]);
    release();
    expect(keysOf(await read)).toEqual(['client-of-app-1']);
  });
});
