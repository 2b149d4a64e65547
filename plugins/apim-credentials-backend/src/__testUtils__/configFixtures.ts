/**
 * The smallest valid `apimCredentials` configuration: one instance (apim:9443, basic auth) and
 * one sandbox environment on it; config tests spread it and change what they test.
 */
export const MINIMAL_APIM_CONFIG = {
  instances: [
    {
      id: 'local',
      baseUrl: 'https://apim:9443/',
      auth: { username: 'svc', password: 'pw' },
    },
  ],
  environments: [{ id: 'sandbox', instance: 'local', keyType: 'SANDBOX' }],
};
