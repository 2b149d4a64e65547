import {
  consumerKeySchema,
  consumerSecretSchema,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

export type ProvideKeysField = 'keyManager' | 'consumerKey' | 'consumerSecret';
export type ProvideKeysErrors = Partial<Record<ProvideKeysField, string>>;

const LABELS: Record<string, string> = {
  consumerKey: 'Consumer key',
  consumerSecret: 'Consumer secret',
};

function humanise(message: string): string {
  return message.replace(
    /^(consumerKey|consumerSecret)/,
    field => LABELS[field] ?? field,
  );
}

/** Checks the dialog's fields with the same schemas the backend enforces. */
export function validateProvideKeys(values: {
  keyManager: string;
  consumerKey: string;
  consumerSecret: string;
}): ProvideKeysErrors {
  const errors: ProvideKeysErrors = {};
  if (!values.keyManager) errors.keyManager = 'Choose a key manager';
  const key = consumerKeySchema.safeParse(values.consumerKey);
  if (!key.success) errors.consumerKey = humanise(key.error.issues[0].message);
  const secret = consumerSecretSchema.safeParse(values.consumerSecret);
  if (!secret.success)
    errors.consumerSecret = humanise(secret.error.issues[0].message);
  return errors;
}
