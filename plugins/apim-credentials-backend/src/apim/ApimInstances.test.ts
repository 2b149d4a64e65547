import type { InstanceConfig } from '../config';
import { errorCodeOf } from '../errors';
import { ApimInstances, InstanceNotConfiguredError } from './ApimInstances';

const instance = (id: string): InstanceConfig => ({
  id,
  baseUrl: `https://${id}.example:9443`,
  auth: { username: 'admin', password: 'admin', clientName: 'backstage' },
  tls: { rejectUnauthorized: true },
  allowInsecureHttp: false,
  timeoutMs: 1000,
  keyManagers: [],
});

describe('ApimInstances', () => {
  it("answers the client of an environment's instance", async () => {
    const instances = ApimInstances.create([instance('eu'), instance('us')]);
    expect(instances.clientFor({ instance: 'us' }).instanceId).toBe('us');
    expect(instances.ids()).toEqual(['eu', 'us']);
    await instances.close();
  });

  it('fails with a typed, coded error for an instance without a client', async () => {
    const instances = ApimInstances.create([instance('eu')]);
    const attempt = () => instances.clientFor({ instance: 'asia' });
    expect(attempt).toThrow(InstanceNotConfiguredError);
    expect(attempt).toThrow(
      'API-M instance "asia" is not configured; apimCredentials.instances has eu',
    );
    let thrown: unknown;
    try {
      attempt();
    } catch (error) {
      thrown = error;
    }
    expect(errorCodeOf(thrown)).toBe('INTERNAL');
    await instances.close();
  });

  it("closes every client's connection pool", async () => {
    const instances = ApimInstances.create([instance('eu'), instance('us')]);
    const closes = instances
      .entries()
      .map(([, client]) => jest.spyOn(client.http, 'close'));
    await instances.close();
    for (const close of closes) expect(close).toHaveBeenCalledTimes(1);
  });
});
