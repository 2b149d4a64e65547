import { ReactNode } from 'react';
import Button, { ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';

/**
 * A button that is disabled with a reason (shown as its tooltip and its accessible description)
 * when the user may not use it.
 */
export function PermissionGatedButton(
  props: ButtonProps & { disabledReason?: string; children: ReactNode },
) {
  const { disabledReason, disabled, children, ...rest } = props;
  const isDisabled = Boolean(disabled || disabledReason);
  const button = (
    <Button
      {...rest}
      disabled={isDisabled}
      title={disabledReason}
      aria-disabled={isDisabled}
    >
      {children}
    </Button>
  );
  if (!disabledReason) return button;
  // A disabled button fires no mouse events; the span carries the tooltip.
  return (
    <Tooltip title={disabledReason}>
      <span>{button}</span>
    </Tooltip>
  );
}
