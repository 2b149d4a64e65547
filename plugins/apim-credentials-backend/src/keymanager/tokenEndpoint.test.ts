import { isLoopbackUrl, resolveTokenEndpoint } from './tokenEndpoint';

const remote = {
  baseUrl: 'https://apim.example.com:9443',
  configKey: 'apimCredentials.instances[0].keyManagers',
};

describe('resolveTokenEndpoint (CONTRACT.md 14.2 item 1)', () => {
  it("derives the resident key manager's endpoint from the instance's baseUrl, never API-M's localhost", () => {
    expect(
      resolveTokenEndpoint(remote, {
        name: 'Resident Key Manager',
        type: 'default',
        tokenEndpoint: 'https://localhost:9443/oauth2/token',
      }),
    ).toEqual({ tokenEndpoint: 'https://apim.example.com:9443/oauth2/token' });
  });

  it("takes the operator's per key manager override first", () => {
    expect(
      resolveTokenEndpoint(
        {
          ...remote,
          keyManagers: [
            {
              name: 'Resident Key Manager',
              tokenEndpoint: 'https://gw.example.com/oauth2/token',
            },
          ],
        },
        {
          name: 'Resident Key Manager',
          type: 'default',
          tokenEndpoint: 'https://localhost:9443/oauth2/token',
        },
      ),
    ).toEqual({ tokenEndpoint: 'https://gw.example.com/oauth2/token' });
  });

  it.each([
    'https://localhost:9444/oauth2/token',
    'https://127.0.0.1/oauth2/token',
    'https://[::1]:8443/token',
    'http://api.localhost/token',
  ])(
    'refuses a reported loopback endpoint %s of a remote instance, naming the config key',
    reported => {
      const decision = resolveTokenEndpoint(remote, {
        name: 'IS',
        type: 'WSO2-IS',
        tokenEndpoint: reported,
      });
      expect(decision.tokenEndpoint).toBeUndefined();
      expect(decision.refused).toContain(
        'apimCredentials.instances[0].keyManagers',
      );
      expect(decision.refused).toContain("backend's own host");
    },
  );

  it("keeps an external key manager's endpoint, and loopback ones of a local instance", () => {
    expect(
      resolveTokenEndpoint(remote, {
        name: 'IS',
        type: 'WSO2-IS',
        tokenEndpoint: 'https://is.example.com/oauth2/token',
      }),
    ).toEqual({ tokenEndpoint: 'https://is.example.com/oauth2/token' });
    expect(
      resolveTokenEndpoint(
        { ...remote, baseUrl: 'https://localhost:9443' },
        {
          name: 'IS',
          type: 'WSO2-IS',
          tokenEndpoint: 'https://localhost:9444/oauth2/token',
        },
      ),
    ).toEqual({ tokenEndpoint: 'https://localhost:9444/oauth2/token' });
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackUrl('https://localhost.example.com/')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
    expect(isLoopbackUrl('https://127.8.9.1/')).toBe(true);
  });
});
