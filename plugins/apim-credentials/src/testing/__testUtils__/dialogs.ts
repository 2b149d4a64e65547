import { within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

/** Types a client's consumer key and secret into the provide (or replace) dialog. */
export async function typeClient(
  dialog: HTMLElement,
  consumerKey: string,
  secret: string,
) {
  await userEvent.type(
    within(dialog).getByLabelText(/consumer key/i),
    consumerKey,
  );
  await userEvent.type(
    within(dialog).getByLabelText(/consumer secret/i),
    secret,
  );
}
