/**
 * The entity tab in an environment that requires approval (issue 14 item 1): the card files a
 * request ("Request production keys"), shows the entity's requests with their state, and
 * completes an approved one through the same dialog, the secret asked again.
 */
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  EntityCredentials,
  ProvisionResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import {
  approvalRequest,
  entityRef,
  environments,
  fakeApi,
  provisionResult,
  unmappedCredentials,
} from '../../testing/fixtures';
import { renderEntityTab } from '../../testing/__testUtils__/render';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 10_000 });

const SECRET = 'prod-S3cret-value';
const withApproval = environments.map(e =>
  e.id === 'production' ? { ...e, approvalRequired: true } : e,
);

const productionCard = () => screen.findByTestId('environment-card-production');

async function fillAndSubmit(button: string) {
  const dialog = await screen.findByRole('dialog');
  const key = within(dialog).getByLabelText(/Consumer key/);
  if (!(key as HTMLInputElement).value) {
    await userEvent.type(key, 'orders-prod-client');
  }
  await userEvent.type(
    within(dialog).getByLabelText(/Consumer secret/),
    SECRET,
  );
  await userEvent.click(within(dialog).getByRole('button', { name: button }));
  return dialog;
}

const mapped: ProvisionResult = provisionResult({
  environment: 'production',
  keyType: 'PRODUCTION',
  consumerKey: 'orders-prod-client',
  keyMappingId: 'km-9',
  auditId: 'a-9',
});

describe('Entity tab: approval before provisioning', () => {
  it('requests production keys: files the request, says so, and shows it pending', async () => {
    const pending = approvalRequest();
    const api = fakeApi({
      getEnvironments: jest.fn().mockResolvedValue(withApproval),
      listApprovals: jest
        .fn()
        .mockResolvedValueOnce({ items: [] })
        .mockResolvedValue({ items: [pending] }),
      provision: jest
        .fn()
        .mockResolvedValue({ status: 'approval-pending', request: pending }),
    });
    await renderEntityTab(api);
    const card = await productionCard();
    // The sandbox card provides as before.
    expect(
      await screen.findByRole('button', {
        name: 'Provide existing OAuth keys for Sandbox',
      }),
    ).toBeInTheDocument();
    // The card's action sits in its header, beside the region.
    const request = await screen.findByRole('button', {
      name: 'Request production keys for Production',
    });
    await waitFor(() => expect(request).not.toHaveAttribute('aria-disabled'));
    expect(api.listApprovals).toHaveBeenCalledWith({ entityRef });
    await userEvent.click(request);

    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Request production keys: Production');
    expect(within(dialog).getByTestId('approval-notice')).toHaveTextContent(
      /requires approval.*nothing is mapped yet/,
    );
    await fillAndSubmit('Request approval');

    await waitFor(() =>
      expect(api.provision).toHaveBeenCalledWith(
        { entityRef, environment: 'production', keyManager: 'IS' },
        {
          consumerKey: 'orders-prod-client',
          consumerSecret: SECRET,
          verify: true,
        },
      ),
    );
    expect(await within(card).findByRole('status')).toHaveTextContent(
      /Approval request filed for client orders-prod-client in Production \(IS\)/,
    );
    const item = await within(card).findByTestId('approval-request-pending');
    expect(item).toHaveTextContent(/Requested by user:default\/jane/);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('completes an approved request in the same dialog, pre-filled, with the secret asked again', async () => {
    const approved = approvalRequest({
      state: 'approved',
      decidedBy: 'user:default/pat',
      comment: 'go',
    });
    const api = fakeApi({
      getEnvironments: jest.fn().mockResolvedValue(withApproval),
      listApprovals: jest.fn().mockResolvedValue({ items: [approved] }),
      provision: jest.fn().mockResolvedValue(mapped),
    });
    await renderEntityTab(api);
    const card = await productionCard();
    const item = await within(card).findByTestId('approval-request-approved');
    expect(item).toHaveTextContent(/Approved by user:default\/pat: "go"/);
    const complete = within(item).getByRole('button', {
      name: 'Complete the approved request for orders-prod-client in Production',
    });
    await waitFor(() => expect(complete).not.toHaveAttribute('aria-disabled'));
    await userEvent.click(complete);

    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Provide existing OAuth keys: Production');
    expect(within(dialog).getByLabelText(/Consumer key/)).toHaveValue(
      'orders-prod-client',
    );
    expect(within(dialog).getByLabelText(/Consumer secret/)).toHaveValue('');
    expect(within(dialog).getByTestId('approval-notice')).toHaveTextContent(
      /user:default\/pat approved client orders-prod-client \("go"\)\. Enter its secret again/,
    );
    await fillAndSubmit('Provide keys');
    expect(await within(card).findByRole('status')).toHaveTextContent(
      'Client orders-prod-client is now mapped in Production (IS).',
    );
    expect(api.provision).toHaveBeenCalledTimes(1);
  });

  it('shows rejected and expired requests, newest per client, and hides used ones', async () => {
    const api = fakeApi({
      getEnvironments: jest.fn().mockResolvedValue(withApproval),
      listApprovals: jest.fn().mockResolvedValue({
        items: [
          approvalRequest({
            id: 'r3',
            state: 'rejected',
            decidedBy: 'user:default/pat',
            comment: 'unknown client',
          }),
          approvalRequest({ id: 'r2', state: 'expired' }), // older, same client
          approvalRequest({
            id: 'r1',
            state: 'expired',
            consumerKey: 'older-client',
          }),
          approvalRequest({ id: 'r0', state: 'used', consumerKey: 'in-use' }),
        ],
      }),
    });
    await renderEntityTab(api);
    const card = await productionCard();
    const rejected = await within(card).findByTestId(
      'approval-request-rejected',
    );
    expect(rejected).toHaveTextContent(
      /Rejected by user:default\/pat: "unknown client"\. Providing this client again files a new request/,
    );
    expect(
      within(card).getAllByTestId('approval-request-expired'),
    ).toHaveLength(1);
    expect(
      within(card).getByTestId('approval-request-expired'),
    ).toHaveTextContent(/older-client/);
    expect(card).not.toHaveTextContent('in-use');
    expect(
      within(card).queryByRole('button', { name: /^Complete/ }),
    ).toBeNull();
  });

  it('files a request for another client without removing the one mapped now', async () => {
    const credentials: EntityCredentials = {
      ...unmappedCredentials,
      environments: [
        unmappedCredentials.environments[0],
        {
          ...unmappedCredentials.environments[1],
          mappings: [
            {
              environment: 'production',
              keyManager: 'IS',
              keyType: 'PRODUCTION',
              state: 'mapped',
              consumerKey: 'old-prod-client',
              keyMappingId: 'km-1',
            },
          ],
        },
      ],
    };
    const api = fakeApi({
      getEnvironments: jest.fn().mockResolvedValue(withApproval),
      getEntityCredentials: jest.fn().mockResolvedValue(credentials),
      provision: jest.fn().mockResolvedValue({
        status: 'approval-pending',
        request: approvalRequest(),
      }),
    });
    await renderEntityTab(api);
    const card = await productionCard();
    const replace = await within(card).findByRole('button', {
      name: /^Replace client old-prod-client/,
    });
    await waitFor(() => expect(replace).not.toHaveAttribute('aria-disabled'));
    await userEvent.click(replace);
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).queryByTestId('replace-notice')).toBeNull();
    await userEvent.type(
      within(dialog).getByLabelText(/Consumer key/),
      'orders-prod-client',
    );
    await fillAndSubmit('Request approval');
    await within(card).findByRole('status');
    expect(api.verify).not.toHaveBeenCalled();
    expect(api.unprovision).not.toHaveBeenCalled();
    expect(api.provision).toHaveBeenCalledTimes(1);
  });
});
