/**
 * "Remove stale record" of a drifted mapping, against the local stack (issue 10 item 2): the
 * removal drops Backstage's record and leaves API-M's live mapping alone unless API-M still holds
 * exactly the recorded mapping (keyMappingId and consumer key). The audit row names the recorded
 * client and mapping and carries the drift reason.
 */
import type { ApimClient } from './apim/ApimClient';
import { apimClientOf, remapInApim } from './__testUtils__/apimBehindBackstage';
import { createTestDatabases } from './__testUtils__/databases';
import { apimConfig, useStackBackend } from './__testUtils__/harness';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/svc-3';
const CELL = '/entities/component/default/svc-3/credentials/sandbox/IS';
const DRIFT = 'API-M no longer holds this mapping (two consecutive checks)';

describe('removing a stale (drifted) record', () => {
  const suite = useStackBackend({ databases });
  let apim: ApimClient;
  let n = 0;

  const newClient = () =>
    suite.stack.keyManager.createClient({
      name: `stale-${(n += 1)}`,
      grantTypes: ['client_credentials'],
    });
  const held = async () =>
    (await suite.stack.emulator.control.state()).keyMappings.map(
      m => m.consumerKey,
    );
  const record = () =>
    suite
      .knex('apim_credentials_mappings')
      .where({ entity_ref: ENTITY, environment: 'sandbox', key_manager: 'IS' })
      .first();

  beforeAll(async () => {
    apim = apimClientOf(apimConfig(suite.stack));
  });

  /** Provisions a client, then lets `change` act in API-M and flags the row as the job would. */
  async function drifted(
    change: (
      row: any,
      client: { clientId: string; clientSecret: string },
    ) => Promise<void>,
  ) {
    const client = await newClient();
    const put = await suite.backend.call('put', CELL, {
      consumerKey: client.clientId,
      consumerSecret: client.clientSecret,
    });
    expect(put.status).toBe(201);
    const row = await record();
    await change(row, client);
    await suite
      .knex('apim_credentials_mappings')
      .where({ id: row.id })
      .update({ state: 'drifted', drift_reason: DRIFT });
    return { client, row };
  }

  const remove = (consumerKey: string) =>
    suite.backend.call(
      'delete',
      `${CELL}?consumerKey=${encodeURIComponent(consumerKey)}`,
    );

  it("another client mapped in API-M since the drift stays; only Backstage's record goes", async () => {
    const other = await newClient();
    const { client, row } = await drifted(r => remapInApim(apim, r, other));
    const res = await remove(client.clientId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'removed',
      consumerKey: client.clientId,
      keyMappingId: row.key_mapping_id,
      warning: expect.stringContaining(
        `holds client "${other.clientId}" in this slot, which stays`,
      ),
    });
    expect(await held()).toContain(other.clientId);
    expect(await record()).toBeUndefined();
    const audit = await suite
      .knex('apim_credentials_audit')
      .where({ id: res.body.auditId })
      .first();
    expect(audit).toMatchObject({
      action: 'unprovision',
      outcome: 'succeeded',
      consumer_key: client.clientId,
      key_mapping_id: row.key_mapping_id,
    });
    // The drift reason rides on the row (as its note, or its message before notes existed).
    expect(JSON.stringify(audit)).toContain(DRIFT);
    expect(JSON.stringify(audit)).toContain('STALE_RECORD_REMOVED');
    // Clean up the other client's mapping for the next case.
    const keys = await apim.listOAuthKeys(row.application_id);
    for (const k of keys)
      await apim.removeMapping(row.application_id, k.keyMappingId);
  });

  it('the same client mapped again under another mapping id stays mapped in API-M', async () => {
    const { client, row } = await drifted((r, c) => remapInApim(apim, r, c));
    const res = await remove(client.clientId);
    expect(res.status).toBe(200);
    expect(res.body.warning).toMatch(/under another mapping .*which stays/);
    expect(await held()).toContain(client.clientId);
    expect(await record()).toBeUndefined();
    const keys = await apim.listOAuthKeys(row.application_id);
    for (const k of keys)
      await apim.removeMapping(row.application_id, k.keyMappingId);
  });

  it('API-M still holds exactly the recorded mapping: it is removed there too', async () => {
    const { client } = await drifted(async () => undefined);
    const res = await remove(client.clientId);
    expect(res.status).toBe(200);
    expect(res.body.warning ?? '').not.toMatch(/stale record/);
    expect(await held()).not.toContain(client.clientId);
    expect(await record()).toBeUndefined();
  });
});
