import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import Typography from '@material-ui/core/Typography';
import type { FailureDescription } from './failures';

/**
 * A failure as an Alert: the short headline first, the backend's details below, and for a
 * multi-step action a line saying exactly what was done before the failure.
 */
export function FailureAlert(props: {
  failure: FailureDescription;
  /** What had already happened (e.g. "The old mapping was removed"). */
  outcome?: string;
}) {
  const { failure, outcome } = props;
  return (
    <Alert severity="error" role="alert" style={{ marginTop: 8 }}>
      <AlertTitle>{failure.title}</AlertTitle>
      {outcome && (
        <Typography variant="body2" paragraph style={{ fontWeight: 500 }}>
          {outcome}
        </Typography>
      )}
      <Typography variant="body2">{failure.detail}</Typography>
    </Alert>
  );
}
