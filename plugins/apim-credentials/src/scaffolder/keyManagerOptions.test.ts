import { environmentsWithRestriction } from '../testing/fieldProps';
import { asStringArray, keyManagerOptions } from './keyManagerOptions';

describe('keyManagerOptions', () => {
  it('offers a key manager only when every selected environment allows mapping', () => {
    expect(
      keyManagerOptions(environmentsWithRestriction, ['sandbox', 'staging']),
    ).toEqual([
      {
        name: 'Resident Key Manager',
        displayName: 'Resident Key Manager',
        offered: false,
        reason: 'Staging: not on the allow-list of this environment',
      },
      { name: 'IS', displayName: 'WSO2 Identity Server', offered: true },
    ]);
  });

  it('names every environment that blocks a key manager', () => {
    const [resident] = keyManagerOptions(environmentsWithRestriction, [
      'sandbox',
      'production',
      'staging',
    ]);
    expect(resident.reason).toBe(
      'Production: not available in this environment; Staging: not on the allow-list of this environment',
    );
  });

  it('names environments that block a key manager for the same reason together', () => {
    const off = 'API-M does not allow mapping existing clients in it';
    const restricted = environmentsWithRestriction.map(env => ({
      ...env,
      keyManagers: env.keyManagers.map(km =>
        km.name === 'IS' ? { ...km, mappingAllowed: false, reason: off } : km,
      ),
    }));
    const is = keyManagerOptions(restricted, ['sandbox', 'production']).find(
      o => o.name === 'IS',
    );
    expect(is).toMatchObject({
      offered: false,
      reason: `Sandbox, Production: ${off}`,
    });
  });

  it('blocks everything in an environment whose key managers could not be listed', () => {
    const options = keyManagerOptions(
      [
        ...environmentsWithRestriction,
        {
          id: 'dr',
          title: 'DR',
          instance: 'dr',
          keyType: 'PRODUCTION',
          approvalRequired: false,
          keyManagers: [],
          error: 'connect ECONNREFUSED',
        },
      ],
      ['production', 'dr'],
    );
    expect(options).toEqual([
      {
        name: 'IS',
        displayName: 'WSO2 Identity Server',
        offered: false,
        reason:
          'DR: its key managers could not be listed (connect ECONNREFUSED)',
      },
    ]);
  });

  it('ignores unknown environment ids and returns nothing without a selection', () => {
    expect(keyManagerOptions(environmentsWithRestriction, [])).toEqual([]);
    expect(
      keyManagerOptions(environmentsWithRestriction, ['production', 'gone']),
    ).toEqual([
      { name: 'IS', displayName: 'WSO2 Identity Server', offered: true },
    ]);
  });

  it('asStringArray keeps strings of arrays only', () => {
    expect(asStringArray(['a', 1, 'b'])).toEqual(['a', 'b']);
    expect(asStringArray('a')).toEqual([]);
    expect(asStringArray(undefined)).toEqual([]);
  });
});
