/**
 * `ApimClientsPicker` inside the scaffolder's own form (issue 15 item 2), with the
 * "Provide an existing OAuth2 client" template's own field declarations: one client per ticked
 * environment, what the component already has shown, each secret in the task's secrets (never in
 * the values), and the form refusing an incomplete or impossible set before the task starts.
 */
import path from 'node:path';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  SecretsContextProvider,
  useTemplateSecrets,
} from '@backstage/plugin-scaffolder-react';
import { entityRef, mappedCredentials } from '../testing/fixtures';
import {
  apimFieldExtensions,
  renderStepper,
  stubWindowScrolling,
  templateManifest,
} from '../testing/__testUtils__/scaffolderForm';

jest.setTimeout(30_000);

stubWindowScrolling();

const TEMPLATE = path.resolve(
  __dirname,
  '../../../../examples/templates/provide-existing-client/template.yaml',
);

/** The template's pages without the catalog's EntityPicker (the component comes pre-filled). */
const manifestOfTemplate = () =>
  templateManifest(TEMPLATE, name => name !== 'component');

const extensions = Object.values(apimFieldExtensions);

let secretsSeen: Record<string, string> = {};
function SecretsProbe() {
  secretsSeen = useTemplateSecrets().secrets;
  return null;
}

function renderForm() {
  secretsSeen = {};
  return renderStepper({
    manifest: manifestOfTemplate(),
    extensions,
    initialState: { component: entityRef },
    api: {
      getEntityCredentials: jest.fn().mockResolvedValue(mappedCredentials),
    },
    wrap: stepper => (
      <SecretsContextProvider>
        <SecretsProbe />
        {stepper}
      </SecretsContextProvider>
    ),
  });
}

async function pickSandboxAndProduction() {
  await userEvent.click(
    await screen.findByRole('checkbox', { name: /Sandbox/ }),
  );
  await userEvent.click(screen.getByRole('checkbox', { name: /Production/ }));
  await userEvent.click(
    await screen.findByRole('radio', { name: /WSO2 Identity Server/ }),
  );
  await userEvent.click(screen.getByRole('button', { name: 'Next' }));
}

async function fillClient(title: string, key: string, secret: string) {
  await userEvent.type(
    await screen.findByLabelText(new RegExp(`^Consumer key for ${title}`)),
    key,
  );
  await userEvent.type(
    screen.getByLabelText(new RegExp(`^Consumer secret for ${title}`)),
    secret,
  );
}

describe('ApimClientsPicker in the scaffolder form', () => {
  it('asks for one client per ticked environment and keeps the secrets out of the values', async () => {
    const { onCreate, api } = renderForm();
    await pickSandboxAndProduction();

    // What the component already has, per environment, and what providing into IS will do.
    expect(
      await screen.findByText(
        /Already mapped: WSO2 Identity Server: client orders-sandbox-client, mapped/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /WSO2 Identity Server already holds client orders-sandbox-client here/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Nothing is mapped here yet.')).toBeInTheDocument();
    expect(api.getEntityCredentials).toHaveBeenCalledWith(entityRef);

    // A pasted key keeps no blanks around it.
    await fillClient('Sandbox', ' sandbox-client ', 'sandbox-secret');
    await fillClient('Production', 'prod-client', 'prod-secret');
    expect(
      screen.getByLabelText(/^Consumer secret for Sandbox/),
    ).toHaveAttribute('type', 'password');
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Create' }),
    );

    expect(onCreate).toHaveBeenCalledTimes(1);
    const values = onCreate.mock.calls[0][0];
    expect(values.clients).toEqual([
      {
        environment: 'sandbox',
        consumerKey: 'sandbox-client',
        secretName: 'apimConsumerSecret_sandbox',
      },
      {
        environment: 'production',
        consumerKey: 'prod-client',
        secretName: 'apimConsumerSecret_production',
      },
    ]);
    expect(JSON.stringify(values)).not.toMatch(/sandbox-secret|prod-secret/);
    expect(secretsSeen).toMatchObject({
      apimConsumerSecret_sandbox: 'sandbox-secret',
      apimConsumerSecret_production: 'prod-secret',
    });
  });

  it('refuses a missing secret, and one client for both key types of one application', async () => {
    const { onCreate } = renderForm();
    await pickSandboxAndProduction();
    await fillClient('Sandbox', 'same-client', 'sandbox-secret');
    await userEvent.type(
      screen.getByLabelText(/^Consumer key for Production/),
      'same-client',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      (await screen.findAllByText(/Enter the consumer secret for Production/))
        .length,
    ).toBeGreaterThan(0);
    expect(
      screen.getAllByText(
        /Production and Sandbox share one API-M application, so one client cannot be the key of both/,
      ).length,
    ).toBeGreaterThan(0);
    expect(onCreate).not.toHaveBeenCalled();
  });

  it('warns about a secret that starts or ends with a space', async () => {
    renderForm();
    await pickSandboxAndProduction();
    await fillClient('Sandbox', 'sandbox-client', 'sandbox-secret ');
    expect(
      screen.getByText(
        /The secret starts or ends with a space: check that it was copied without one/,
      ),
    ).toBeInTheDocument();
  });

  it('drops an environment unticked after its client was entered, and blanks its secret', async () => {
    const { onCreate } = renderForm();
    await pickSandboxAndProduction();
    await fillClient('Sandbox', 'sandbox-client', 'sandbox-secret');
    await fillClient('Production', 'prod-client', 'prod-secret');
    await userEvent.click(screen.getByRole('button', { name: 'Back' }));
    await userEvent.click(
      await screen.findByRole('checkbox', { name: /Production/ }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    // Back on the clients page: Sandbox's entries are still there, from the form and the secrets.
    expect(
      await screen.findByLabelText(/^Consumer key for Sandbox/),
    ).toHaveValue('sandbox-client');
    expect(screen.getByLabelText(/^Consumer secret for Sandbox/)).toHaveValue(
      'sandbox-secret',
    );
    expect(
      screen.queryByLabelText(/^Consumer key for Production/),
    ).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Create' }),
    );
    expect(onCreate.mock.calls[0][0].clients).toEqual([
      {
        environment: 'sandbox',
        consumerKey: 'sandbox-client',
        secretName: 'apimConsumerSecret_sandbox',
      },
    ]);
    expect(secretsSeen.apimConsumerSecret_production).toBe('');
  });
});
