import type { ApprovalRequest } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import {
  APPROVALS_LINK,
  ApprovalNotices,
  notificationForOutcome,
  notificationForRequest,
} from './approvalNotifications';

const request: ApprovalRequest = {
  id: 'r-1',
  state: 'pending',
  entityRef: 'component:default/orders-service',
  environment: 'production',
  keyType: 'PRODUCTION',
  keyManager: 'IS',
  applicationName: 'orders-service',
  consumerKey: 'client-1',
  requestedBy: 'user:default/olivia',
  requestedAt: '2026-11-30T10:00:00.000Z',
  expiresAt: '2026-12-07T10:00:00.000Z',
};

describe('approval notifications', () => {
  it('a new request goes to the approvers (not the requester), linking to the Approvals tab', () => {
    const sent = notificationForRequest(request, [
      'group:default/platform-team',
    ])!;
    expect(sent.recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/platform-team'],
      excludeEntityRef: 'user:default/olivia',
    });
    expect(sent.payload.link).toBe(APPROVALS_LINK);
    expect(sent.payload.description).toContain('client-1');
    expect(notificationForRequest(request, [])).toBeUndefined();
  });

  it.each([
    [
      'approved',
      { decidedBy: 'user:default/pat' },
      /provide the client again/,
      'normal',
    ],
    [
      'rejected',
      { decidedBy: 'user:default/pat', comment: 'wrong client' },
      /wrong client/,
      'high',
    ],
    ['expired', {}, /file a new request/, 'high'],
  ] as const)(
    'an %s request tells the owners what to do next',
    (state, extra, text, severity) => {
      const sent = notificationForOutcome({ ...request, state, ...extra });
      expect(sent.recipients).toMatchObject({
        type: 'entity',
        entityRef: 'component:default/orders-service',
      });
      expect(sent.payload.description).toMatch(text);
      expect(sent.payload.severity).toBe(severity);
      expect(sent.payload.link).toBe(
        '/catalog/default/component/orders-service/apim-credentials',
      );
    },
  );

  it('sending never throws', async () => {
    const warn = jest.fn();
    const notices = new ApprovalNotices({
      notifications: { send: jest.fn().mockRejectedValue(new Error('down')) },
      logger: { warn } as any,
    });
    await expect(
      notices.decided({ ...request, state: 'approved' }),
    ).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalled();
  });
});
