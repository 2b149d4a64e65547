import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import {
  apimAuditReadPermission,
  apimCredentialsApprovePermission,
  ApprovalRequest,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimCredentialsFrontendApi } from '../../api';
import { approvalRequest, fakeApi } from '../../testing/fixtures';
import { renderWithApi } from '../../testing/__testUtils__/render';
import { ApimCredentialsPlatformContent } from './ApimCredentialsPlatformContent';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 10_000 });

/** The platform page at `?tab=approvals` (the approvers' notifications link there) as `me`. */
function renderApprovals(
  api: ApimCredentialsFrontendApi,
  options: {
    me?: string;
    mayApprove?: boolean;
    mayReadAudit?: boolean;
    url?: string;
  } = {},
) {
  const authorize = (request: EvaluatePermissionRequest) => {
    if (request.permission.name === apimCredentialsApprovePermission.name)
      return options.mayApprove === false
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW;
    if (request.permission.name === apimAuditReadPermission.name)
      return options.mayReadAudit === false
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW;
    return AuthorizeResult.ALLOW;
  };
  return renderWithApi(<ApimCredentialsPlatformContent />, {
    api,
    authorize,
    apis: [
      [catalogApiRef, catalogApiMock({ entities: [] })],
      mockApis.identity({ userEntityRef: options.me ?? 'user:default/pat' }),
    ],
    url: options.url ?? '/?tab=approvals',
    entityLinks: true,
  });
}

const pending = approvalRequest();
const approveButton = () =>
  screen.getByRole('button', {
    name: `Approve the request for ${pending.consumerKey} of ${pending.entityRef}`,
  });
const rejectButton = () =>
  screen.getByRole('button', {
    name: `Reject the request for ${pending.consumerKey} of ${pending.entityRef}`,
  });

describe('ApprovalsTab (issue 14 item 1)', () => {
  it('lists pending requests, counts them on the tab, and approves one with a comment', async () => {
    const decided: ApprovalRequest = {
      ...pending,
      state: 'approved',
      decidedBy: 'user:default/pat',
      comment: 'ok for launch',
    };
    const api = fakeApi({
      listApprovals: jest.fn().mockResolvedValue({ items: [pending] }),
      decideApproval: jest.fn().mockResolvedValue(decided),
    });
    await renderApprovals(api);
    await screen.findByRole('tab', { name: /^Approvals\s*1/, selected: true });
    expect(api.listApprovals).toHaveBeenCalledWith({ state: 'pending' });
    await screen.findByText(pending.consumerKey);
    await waitFor(() =>
      expect(approveButton()).not.toHaveAttribute('aria-disabled'),
    );
    await userEvent.click(approveButton());
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(/verified with the key manager/);
    await userEvent.type(
      within(dialog).getByLabelText('Comment (optional)'),
      'ok for launch',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    await waitFor(() =>
      expect(api.decideApproval).toHaveBeenCalledWith(
        pending.id,
        'approve',
        'ok for launch',
      ),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      /Approved the request for client orders-prod-client/,
    );
  });

  it('opens for an approver without apim.audit.read: the Approvals tab alone, even from the default URL', async () => {
    const api = fakeApi({
      listApprovals: jest.fn().mockResolvedValue({ items: [pending] }),
    });
    await renderApprovals(api, { mayReadAudit: false, url: '/?tab=audit' });
    await screen.findByRole('tab', { name: /^Approvals\s*1/, selected: true });
    expect(screen.getAllByRole('tab')).toHaveLength(1);
    await screen.findByText(pending.consumerKey);
    await waitFor(() =>
      expect(approveButton()).not.toHaveAttribute('aria-disabled'),
    );
    // The tabs the backend refuses it are neither shown nor asked for.
    expect(api.getMappings).not.toHaveBeenCalled();
    expect(api.getAudit).not.toHaveBeenCalled();
    expect(api.getBindings).not.toHaveBeenCalled();
  });

  it('rejects without a comment, and shows a refusal in the dialog', async () => {
    const api = fakeApi({
      listApprovals: jest.fn().mockResolvedValue({ items: [pending] }),
      decideApproval: jest.fn().mockRejectedValue(
        Object.assign(new Error('Approval request is expired'), {
          body: { error: { message: 'Approval request x is expired' } },
        }),
      ),
    });
    await renderApprovals(api);
    await screen.findByText(pending.consumerKey);
    await waitFor(() =>
      expect(rejectButton()).not.toHaveAttribute('aria-disabled'),
    );
    await userEvent.click(rejectButton());
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Reject' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Approval request x is expired',
    );
    expect(api.decideApproval).toHaveBeenCalledWith(
      pending.id,
      'reject',
      undefined,
    );
  });

  it("disables Approve and Reject, with the reason, on the viewer's own request", async () => {
    const api = fakeApi({
      listApprovals: jest.fn().mockResolvedValue({ items: [pending] }),
    });
    await renderApprovals(api, { me: pending.requestedBy });
    await screen.findByText(pending.consumerKey);
    await waitFor(() =>
      expect(approveButton()).toHaveAttribute('aria-disabled', 'true'),
    );
    expect(rejectButton()).toHaveAttribute('aria-disabled', 'true');
    // The reason is the button's tooltip (its title until hovered).
    expect(approveButton()).toHaveAttribute(
      'title',
      'You filed this request: another approver must decide it',
    );
    await userEvent.click(approveButton(), { pointerEventsCheck: 0 });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.decideApproval).not.toHaveBeenCalled();
  });

  it('disables them without apim.credentials.approve, and says so', async () => {
    const api = fakeApi({
      listApprovals: jest.fn().mockResolvedValue({ items: [pending] }),
    });
    await renderApprovals(api, { mayApprove: false });
    await screen.findByText(/You may see the requests but not decide them/);
    expect(approveButton()).toHaveAttribute('aria-disabled', 'true');
    expect(rejectButton()).toHaveAttribute(
      'title',
      'You need the apim.credentials.approve permission to approve or reject requests',
    );
  });

  it('filters by state', async () => {
    const api = fakeApi({
      listApprovals: jest.fn().mockResolvedValue({ items: [] }),
    });
    await renderApprovals(api);
    await screen.findByText('No request waits for a decision.');
    await userEvent.click(screen.getByLabelText('State'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'rejected' }),
    );
    await waitFor(() =>
      expect(api.listApprovals).toHaveBeenLastCalledWith({
        state: 'rejected',
      }),
    );
    await screen.findByText('No approval request matches.');
  });
});
