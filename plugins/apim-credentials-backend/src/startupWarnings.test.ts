/**
 * Start-up warnings for risky configurations (startupWarnings.ts), read from app-config as the
 * plugin reads it: here, an environment that requires approval but notifies nobody (issue 14).
 */
import { ConfigReader } from '@backstage/config';
import { readApimCredentialsConfig } from './config';
import { warnAboutRiskyConfig } from './startupWarnings';

const instances = [
  {
    id: 'local',
    baseUrl: 'https://apim:9443/',
    auth: { username: 'svc', password: 'pw' },
  },
];

function warnings(environments: object[]): string[] {
  const root = new ConfigReader({
    permission: { enabled: true },
    apimCredentials: { instances, environments },
  });
  const warn = jest.fn();
  warnAboutRiskyConfig(root, readApimCredentialsConfig(root), { warn });
  return warn.mock.calls.map(([message]) => message);
}

describe('warnAboutRiskyConfig', () => {
  it('names an environment that requires approval but notifies nobody, and its key', () => {
    const messages = warnings([
      { id: 'sandbox', instance: 'local', keyType: 'SANDBOX' },
      {
        id: 'production',
        instance: 'local',
        keyType: 'PRODUCTION',
        approval: { required: true },
      },
    ]);
    expect(messages).toEqual([
      expect.stringContaining('Environment "production" requires approval'),
    ]);
    expect(messages[0]).toContain(
      'apimCredentials.environments[1].approval.notify',
    );
  });

  it('is quiet when the approvers are notified, or approval is not required', () => {
    expect(
      warnings([
        {
          id: 'production',
          instance: 'local',
          keyType: 'PRODUCTION',
          approval: {
            required: true,
            notify: ['group:default/platform-team'],
          },
        },
        {
          id: 'sandbox',
          instance: 'local',
          keyType: 'SANDBOX',
          approval: { required: false },
        },
      ]),
    ).toEqual([]);
  });
});
