import { useState } from 'react';

/**
 * The state of a dialog's one action: `run(action)` is busy from its start until the action fails
 * (a dialog closes when it succeeds, so it stays busy then) and keeps the failure, as `describe`
 * puts it, until the next run.
 *
 * @param describe - turns what the action threw into what the dialog shows
 */
export function useDialogAction<F>(describe: (error: unknown) => F) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<F>();
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await action();
    } catch (error) {
      setFailure(describe(error));
      setBusy(false);
    }
  };
  return { busy, failure, run };
}
