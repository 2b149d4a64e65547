import type {
  ApimCredentialsApi,
  ProvisionAnswer,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

/** The step a provide or replace is at, for its progress line. */
export type ProvideStep = 'verifying' | 'removing' | 'mapping';

/** A failed step of a replace, and whether the old mapping was already gone by then. */
export class ProvideStepError extends Error {
  constructor(
    readonly step: ProvideStep,
    readonly oldRemoved: boolean,
    readonly failure: unknown,
  ) {
    super(`The ${step} step failed`);
  }
}

/** A refusal of POST /verify as the error a PUT with `verify: true` would have thrown. */
function refusalError(result: { code?: string; message: string }) {
  return Object.assign(new Error(result.message), {
    code: result.code ?? 'VERIFICATION_FAILED',
    body: {
      error: {
        message: result.message,
        code: result.code ?? 'VERIFICATION_FAILED',
      },
    },
  });
}

/**
 * Provides a client, or replaces the one mapped in the slot (issue 15 item 3): with
 * `replacing`, the new client is verified first (POST /verify), then the old mapping removed
 * (DELETE ?consumerKey=<old>, so a client mapped meanwhile is left alone), then the new one
 * mapped (PUT). Nothing is removed before the new credentials are proven.
 *
 * With `requestOnly` (an environment that requires approval, no approved request for this client:
 * issue 14) it only PUTs, which files the request: the client mapped now stays until the
 * approved client is provided again, which then replaces it as above.
 *
 * @throws ProvideStepError naming the failed step and whether the old mapping was already removed
 */
export async function provideOrReplace(
  api: ApimCredentialsApi,
  input: {
    entityRef: string;
    environment: string;
    keyManager: string;
    consumerKey: string;
    consumerSecret: string;
    verify: boolean;
    /** The consumer key mapped in the slot now, to be replaced. */
    replacing?: string;
    /** File an approval request: nothing is removed or mapped yet. */
    requestOnly?: boolean;
  },
  onStep: (step: ProvideStep) => void,
): Promise<ProvisionAnswer> {
  const cell = {
    entityRef: input.entityRef,
    environment: input.environment,
    keyManager: input.keyManager,
  };
  const replacing =
    input.replacing &&
    input.replacing !== input.consumerKey &&
    !input.requestOnly
      ? input.replacing
      : undefined;
  let oldRemoved = false;
  if (replacing) {
    onStep('verifying');
    try {
      const check = await api.verify({
        entityRef: input.entityRef,
        environment: input.environment,
        keyManager: input.keyManager,
        consumerKey: input.consumerKey,
        consumerSecret: input.consumerSecret,
      });
      if (!check.ok) throw refusalError(check);
    } catch (error) {
      throw new ProvideStepError('verifying', false, error);
    }
    onStep('removing');
    try {
      await api.unprovision({ ...cell, consumerKey: replacing });
      oldRemoved = true;
    } catch (error) {
      throw new ProvideStepError('removing', false, error);
    }
  }
  onStep('mapping');
  try {
    return await api.provision(cell, {
      consumerKey: input.consumerKey,
      consumerSecret: input.consumerSecret,
      verify: input.verify,
    });
  } catch (error) {
    throw new ProvideStepError('mapping', oldRemoved, error);
  }
}
