import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  apimApplicationsBindPermission,
  ApplicationBinding,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fakeApi } from '../../testing/fixtures';
import { renderPage } from './__testUtils__/testPage';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 10_000 });

const binding: ApplicationBinding = {
  instance: 'local',
  applicationId: 'app-9',
  applicationName: 'billing-app',
  entityRef: 'component:default/billing-service',
  origin: 'bound',
  boundBy: 'user:default/guest',
  boundAt: '2026-11-27T10:00:00Z',
};

const candidates = [
  {
    instance: 'local',
    applicationId: 'app-1',
    applicationName: 'orders-app',
    entityRefs: ['component:default/orders-service', 'api:default/orders-api'],
  },
];

describe('BindingsTab (issue 10 item 1)', () => {
  it('binds an application named by an annotation to one of the entities naming it, after confirming', async () => {
    const api = fakeApi({
      getBindingCandidates: jest.fn().mockResolvedValue(candidates),
      getBindings: jest.fn().mockResolvedValue([]),
      bindApplication: jest
        .fn()
        .mockResolvedValue({ ...binding, auditId: 'x' }),
    });
    await renderPage(api, { url: '/?tab=bindings' });
    await screen.findByRole('tab', { name: /^Bindings 1/, selected: true });
    const bind = () =>
      screen.getByRole('button', {
        name: 'Bind orders-app to component:default/orders-service',
      });
    // Enabled once the permission answer is in.
    await waitFor(() => expect(bind()).toBeEnabled());
    await userEvent.click(bind());
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(
      /The other 1 entities naming it will be refused/,
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Bind' }));
    await waitFor(() =>
      expect(api.bindApplication).toHaveBeenCalledWith({
        instance: 'local',
        applicationName: 'orders-app',
        entityRef: 'component:default/orders-service',
      }),
    );
    await screen.findByText(
      'Bound orders-app (local) to component:default/orders-service.',
    );
    // Both lists are read again after the change.
    expect(api.getBindingCandidates).toHaveBeenCalledTimes(2);
  });

  it('unbinds only after confirmation, and shows a refusal in the dialog', async () => {
    const refusal = Object.assign(new Error('Application app-9 is not bound'), {
      name: 'NotFoundError',
    });
    const api = fakeApi({
      getBindings: jest.fn().mockResolvedValue([binding]),
      unbindApplication: jest.fn().mockRejectedValue(refusal),
    });
    await renderPage(api, { url: '/?tab=bindings' });
    // Once the count is in, the rows stop re-rendering under the pointer.
    await screen.findByRole('tab', { name: /^Bindings 0/ });
    const unbind = () =>
      screen.getByRole('button', {
        name: 'Unbind billing-app from component:default/billing-service',
      });
    await waitFor(() => expect(unbind()).toBeEnabled());
    await userEvent.click(unbind());
    const dialog = await screen.findByRole('dialog');
    expect(api.unbindApplication).not.toHaveBeenCalled();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Unbind' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Application app-9 is not bound',
    );
    expect(api.unbindApplication).toHaveBeenCalledWith({
      instance: 'local',
      applicationId: 'app-9',
    });
  });

  it('disables Bind and Unbind without apim.applications.bind, saying why', async () => {
    const api = fakeApi({
      getBindingCandidates: jest.fn().mockResolvedValue(candidates),
      getBindings: jest.fn().mockResolvedValue([binding]),
    });
    await renderPage(api, {
      url: '/?tab=bindings',
      authorize: request =>
        request.permission.name === apimApplicationsBindPermission.name
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    });
    await screen.findByText(
      'You need the apim.applications.bind permission to bind or unbind applications.',
    );
    expect(
      await screen.findByRole('button', {
        name: 'Bind orders-app to component:default/orders-service',
      }),
    ).toBeDisabled();
    expect(
      screen.getByRole('button', {
        name: 'Unbind billing-app from component:default/billing-service',
      }),
    ).toBeDisabled();
  });
});
