import { mockServices } from '@backstage/backend-test-utils';
import {
  AuditedChange,
  OwnerNotifier,
  entityTabLink,
  notificationForChange,
  notificationForDrift,
} from './ownerNotifications';

const base: AuditedChange = {
  action: 'unprovision',
  outcome: 'succeeded',
  actor: 'user:default/sam',
  entityRef: 'component:default/orders-service',
  environment: 'prod',
  keyManager: 'IS',
  consumerKey: 'client-1',
  applicationName: 'orders-app',
};

describe('notificationForChange', () => {
  it.each([
    ['provision', 'changed', 'normal'],
    ['unprovision', 'removed', 'high'],
    ['bind', 'bound', 'normal'],
    ['unbind', 'unbound', 'normal'],
  ] as const)(
    '%s: tells the owners, not the actor',
    (action, word, severity) => {
      const sent = notificationForChange({ ...base, action })!;
      expect(sent.recipients).toEqual({
        type: 'entity',
        entityRef: 'component:default/orders-service',
        excludeEntityRef: 'user:default/sam',
      });
      expect(sent.payload.title).toContain(word);
      expect(sent.payload.description).toContain('user:default/sam');
      expect(sent.payload.severity).toBe(severity);
      expect(sent.payload.link).toBe(
        '/catalog/default/component/orders-service/apim-credentials',
      );
      expect(sent.payload.topic).toBe('apim-credentials');
    },
  );

  it.each([
    ['a verification', { action: 'verify' }],
    ['a failure', { outcome: 'failed' }],
    ['a denial', { outcome: 'denied' }],
    ['an unchanged answer', { outcome: 'unchanged' }],
    ['a pending row', { outcome: 'pending' }],
    ['a dry run', { dryRun: true }],
    ['a row without entity', { entityRef: undefined }],
    ['a subscription', { action: 'subscribe' }],
  ] as const)('%s notifies nobody', (_n, change) => {
    expect(notificationForChange({ ...base, ...change })).toBeUndefined();
  });
});

describe('notificationForDrift', () => {
  it('names the client and what was observed, links to the tab', () => {
    const sent = notificationForDrift({
      entityRef: 'component:default/orders-service',
      environment: 'prod',
      keyManager: 'IS',
      consumerKey: 'client-1',
      reason: 'API-M holds client-2 in the slot',
    });
    expect(sent.recipients).toEqual({
      type: 'entity',
      entityRef: 'component:default/orders-service',
    });
    expect(sent.payload.description).toContain('client-1');
    expect(sent.payload.description).toContain('API-M holds client-2');
    expect(sent.payload.link).toBe(
      entityTabLink('component:default/orders-service'),
    );
  });
});

describe('OwnerNotifier', () => {
  it('a failing notification service does not fail the change', async () => {
    const logger = mockServices.logger.mock();
    const notifier = new OwnerNotifier({
      notifications: { send: jest.fn().mockRejectedValue(new Error('down')) },
      logger,
    });
    await expect(notifier.changed(base)).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('down'));
  });

  it('sends nothing for a change nobody must hear about', async () => {
    const send = jest.fn();
    const notifier = new OwnerNotifier({
      notifications: { send },
      logger: mockServices.logger.mock(),
    });
    await notifier.changed({ ...base, outcome: 'failed' });
    expect(send).not.toHaveBeenCalled();
  });
});
