/**
 * The audit trail on every engine: a mapping change and the audit row that records it are
 * written in one transaction (issue 9), and denials are one gated row.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { sandboxMapping } from '../__testUtils__/mappingRow';
import { describeStoresOnEachEngine } from '../__testUtils__/storesOnEachEngine';
import { AuditCompletion, AuditStore } from '../database/AuditStore';
import { AuditTrail } from './AuditTrail';

jest.setTimeout(60_000);

const cell = {
  entityRef: 'component:default/orders-service',
  environment: 'sandbox',
  keyManager: 'IS',
};
const mapping = sandboxMapping({
  ...cell,
  consumerKey: 'client-1',
  keyMappingId: 'km-1',
  provisionedAt: new Date('2026-01-01T00:00:00.000Z'),
});
const start = {
  actor: 'user:default/guest',
  source: 'ui' as const,
  action: 'provision' as const,
  ...cell,
};
const failingCompletion: AuditCompletion = { outcome: 'succeeded' };

/**
 * A completion the database itself refuses (`outcome` is NOT NULL): on PostgreSQL the mapping
 * and the completion are one statement, which the engine refuses whole.
 */
const unwritableCompletion = {
  outcome: null,
} as unknown as AuditCompletion;

/**
 * The audit row's write fails inside the transaction, after the mapping change was made (the
 * engines where the mapping and the completion are a transaction of two statements).
 */
function failAuditWrites() {
  const error = new Error('audit table unavailable');
  jest
    .spyOn(AuditStore.prototype, 'completeAudit')
    .mockRejectedValueOnce(error);
  jest.spyOn(AuditStore.prototype, 'recordAudit').mockRejectedValueOnce(error);
}

/** What either failure above says. */
const REFUSED = /audit table unavailable|null/i;

describeStoresOnEachEngine(
  'AuditTrail on %p',
  db => {
    let trail: AuditTrail;

    beforeAll(() => {
      trail = new AuditTrail({
        stores: db.stores,
        logger: mockServices.logger.mock(),
      });
    });

    afterEach(() => jest.restoreAllMocks());

    beforeEach(async () => {
      await db.knex('apim_credentials_mappings').delete();
      await db.knex('apim_credentials_audit').delete();
    });

    const mappings = () =>
      db.stores.mappings.getMappingsForEntity(cell.entityRef);

    it('records the mapping and completes the row together', async () => {
      const id = await trail.begin(start);
      await trail.completeWithMapping(
        id,
        { outcome: 'succeeded', keyMappingId: 'km-1' },
        { record: mapping },
      );
      expect(await mappings()).toEqual([
        expect.objectContaining({ consumerKey: 'client-1' }),
      ]);
      expect(await db.stores.audit.getAudit(id)).toMatchObject({
        outcome: 'succeeded',
        keyMappingId: 'km-1',
      });
    });

    it('keeps neither when the row cannot be completed: no mapping without its audit row', async () => {
      const id = await trail.begin(start);
      failAuditWrites();
      await expect(
        trail.completeWithMapping(id, unwritableCompletion, {
          record: mapping,
        }),
      ).rejects.toThrow(REFUSED);
      expect(await mappings()).toEqual([]);
      // Left pending for the reconcile job, which asks API-M what happened.
      expect((await db.stores.audit.getAudit(id))?.outcome).toBe('pending');
    });

    it('removes the mapping and completes the row together, or neither', async () => {
      await db.stores.mappings.upsertMapping(mapping);
      const failed = await trail.begin({ ...start, action: 'unprovision' });
      failAuditWrites();
      await expect(
        trail.completeWithMapping(failed, unwritableCompletion, {
          remove: cell,
        }),
      ).rejects.toThrow(REFUSED);
      expect(await mappings()).toHaveLength(1);

      const id = await trail.begin({ ...start, action: 'unprovision' });
      await trail.completeWithMapping(
        id,
        {
          outcome: 'succeeded',
          resolution: 'GATEWAYS_NOT_NOTIFIED',
          note: 'n',
        },
        { remove: cell },
      );
      expect(await mappings()).toEqual([]);
      expect(await db.stores.audit.getAudit(id)).toMatchObject({
        outcome: 'succeeded',
        resolution: 'GATEWAYS_NOT_NOTIFIED',
      });
    });

    it('writes an adopted mapping with its finished row, or neither', async () => {
      failAuditWrites();
      await expect(
        trail.recordWithMapping(start, failingCompletion, { record: mapping }),
      ).rejects.toThrow('audit table unavailable');
      expect(await mappings()).toEqual([]);
      expect(
        Number(
          (await db.knex('apim_credentials_audit').count({ n: '*' }))[0].n,
        ),
      ).toBe(0);

      const id = await trail.recordWithMapping(
        start,
        { outcome: 'succeeded', resolution: 'ADOPTED_BY_JOB' },
        { record: mapping },
      );
      expect(await mappings()).toHaveLength(1);
      expect((await db.stores.audit.getAudit(id!))?.resolution).toBe(
        'ADOPTED_BY_JOB',
      );
    });

    it('tells the owners what the completed row says, without reading back a row it began', async () => {
      const changed = jest.fn(async (_change: object) => undefined);
      const noticing = new AuditTrail({
        stores: db.stores,
        logger: mockServices.logger.mock(),
        notifier: { changed },
      });
      // Refs as a person typed them: the notice names them as the row stores them.
      const id = await noticing.begin({
        ...start,
        actor: 'User:Default/Guest',
        entityRef: 'Component:Default/Orders-Service',
        consumerKey: 'client-1',
        applicationName: 'orders',
      });
      const reads = jest.spyOn(AuditStore.prototype, 'getAudit');
      await noticing.completeWithMapping(
        id,
        // An empty name is not written: the row keeps the start's, and so does the notice.
        {
          outcome: 'succeeded',
          keyMappingId: 'km-1',
          applicationId: 'a-1',
          applicationName: '',
        },
        { record: mapping },
      );
      // Not in the turn that completed the row: the caller's answer leaves first.
      await Promise.resolve();
      expect(changed).not.toHaveBeenCalled();
      await new Promise(r => setImmediate(r));
      expect(reads).not.toHaveBeenCalled();
      reads.mockRestore();
      const row = await db.stores.audit.getAudit(id);
      const fields = [
        'action',
        'outcome',
        'actor',
        'entityRef',
        'environment',
        'keyManager',
        'consumerKey',
        'applicationName',
      ] as const;
      expect(changed).toHaveBeenCalledTimes(1);
      const notice = changed.mock.calls[0][0] as Record<string, unknown>;
      for (const field of fields) expect(notice[field]).toEqual(row![field]);

      // A row begun elsewhere (another replica, the reconcile job) is read for its notice.
      const elsewhere = await trail.begin(start);
      await noticing.completeWithMapping(
        elsewhere,
        { outcome: 'succeeded', keyMappingId: 'km-2' },
        { remove: cell },
      );
      for (let i = 0; i < 200 && changed.mock.calls.length < 2; i++)
        await new Promise(r => setTimeout(r, 10));
      expect(changed).toHaveBeenLastCalledWith(
        expect.objectContaining({ keyMappingId: 'km-2', outcome: 'succeeded' }),
      );
    });

    it('records a denial with its code as one gated row', async () => {
      const id = await trail.deny(start, {
        code: 'RATE_LIMITED',
        message: 'slow down',
      });
      expect(await db.stores.audit.getAudit(id!)).toMatchObject({
        outcome: 'denied',
        errorCode: 'RATE_LIMITED',
        errorMessage: 'slow down',
      });
      const plain = await trail.deny(start, new Error('You may not'));
      expect((await db.stores.audit.getAudit(plain!))?.errorCode).toBe(
        'PERMISSION_DENIED',
      );
      expect(
        await trail.deny({ ...start, consumerKey: 'quiet' }, { message: 'x' }),
      ).toBeUndefined();
    });
  },
  { deniedRows: async s => ({ write: s.consumerKey !== 'quiet' }) },
);
