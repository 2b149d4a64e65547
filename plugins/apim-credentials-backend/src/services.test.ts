import knexFactory from 'knex';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { createApimCredentialsServices } from './services';

const apimCredentials = {
  instances: [
    {
      id: 'eu',
      baseUrl: 'https://eu:9443',
      auth: { username: 'u', password: 'p' },
    },
    {
      id: 'us',
      baseUrl: 'https://us:9443',
      auth: { username: 'u', password: 'p' },
    },
  ],
  environments: [
    { id: 'sandbox', instance: 'eu', keyType: 'SANDBOX' },
    { id: 'production', instance: 'us', keyType: 'PRODUCTION' },
  ],
};

describe('createApimCredentialsServices', () => {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  afterAll(() => knex.destroy());

  it('builds one graph over the migrated database and closes every HTTP pool once', async () => {
    const services = await createApimCredentialsServices({
      config: new ConfigReader({ apimCredentials }),
      database: { getClient: async () => knex },
      logger: mockServices.logger.mock(),
    });
    // Migrated: the audit table answers.
    await expect(
      services.stores.audit.getAudit('none'),
    ).resolves.toBeUndefined();
    expect(services.service.environment('production').instance).toBe('us');
    expect(services.instances.clientFor({ instance: 'eu' }).instanceId).toBe(
      'eu',
    );

    const closes = services.instances
      .entries()
      .map(([, client]) => jest.spyOn(client.http, 'close'));
    await services.close();
    expect(closes).toHaveLength(2);
    for (const close of closes) expect(close).toHaveBeenCalledTimes(1);
  });

  it("warms each instance's token and key managers up; a failing instance is logged, not thrown", async () => {
    const logger = mockServices.logger.mock();
    const services = await createApimCredentialsServices({
      config: new ConfigReader({ apimCredentials }),
      database: { getClient: async () => knex },
      logger,
    });
    // The listing is what needs the REST token: one call per instance warms both caches.
    const listed = jest
      .spyOn(services.directory, 'listKeyManagers')
      .mockImplementation(async client => {
        if (client.instanceId === 'us') throw new Error('connect ECONNREFUSED');
        return [];
      });
    await expect(services.warmUp()).resolves.toBeUndefined();
    expect(listed.mock.calls.map(([c]) => c.instanceId).sort()).toEqual([
      'eu',
      'us',
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('Could not warm up API-M instance "us"'),
    );
    await services.close();
  });

  it('refuses an invalid configuration before touching the database', async () => {
    const getClient = jest.fn(async () => knex);
    await expect(
      createApimCredentialsServices({
        config: new ConfigReader({
          apimCredentials: { ...apimCredentials, instances: [] },
        }),
        database: { getClient },
        logger: mockServices.logger.mock(),
      }),
    ).rejects.toThrow(/instances/);
    expect(getClient).not.toHaveBeenCalled();
  });
});
