import { ReactNode, useEffect } from 'react';
import Typography from '@material-ui/core/Typography';
import { backendMessage } from './errors';

/**
 * A one-line failure (`role="alert"`): what could not be done and the backend's message, never a
 * stack. `paragraph` leaves a margin below when more follows.
 */
export function ErrorNote(props: { children: ReactNode; paragraph?: boolean }) {
  return (
    <Typography
      variant="body2"
      color="error"
      role="alert"
      paragraph={props.paragraph}
    >
      {props.children}
    </Typography>
  );
}

/**
 * "The <what> could not be loaded: <the backend's message>", as an {@link ErrorNote}.
 *
 * @param props.what - what failed to load ("the approval requests" without "the")
 */
export function LoadFailure(props: {
  what: string;
  error: unknown;
  paragraph?: boolean;
}) {
  return (
    <ErrorNote paragraph={props.paragraph}>
      The {props.what} could not be loaded: {backendMessage(props.error)}
    </ErrorNote>
  );
}

/** A one-line outcome of what the person just did (`role="status"`, read out by screen readers). */
export function StatusNote(props: { children: ReactNode }) {
  return (
    <Typography variant="body2" role="status" paragraph>
      {props.children}
    </Typography>
  );
}

/**
 * Tells a tab's owner the count its label shows, whenever it is known and changes.
 *
 * @param count - the count as shown (e.g. "12" or "50+") or as a number; undefined while unknown
 * @param onCount - the owner's callback, if any
 */
export function useReportCount(
  count: string | number | undefined,
  onCount?: (count: string) => void,
) {
  const shown = count === undefined ? undefined : String(count);
  useEffect(() => {
    if (shown !== undefined) onCount?.(shown);
  }, [shown, onCount]);
}
