import { ReactNode } from 'react';
import Button, { ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';

/**
 * A button the user may not use right now, explained: with a `disabledReason` it stays
 * focusable (keyboard and screen-reader users reach it and hear why) with `aria-disabled`, does
 * nothing when pressed, shows the reason as its tooltip, and is described by the element
 * `describedBy` names (the tab's read-only notice), or by its title (issue 15 item 9).
 */
export function PermissionGatedButton(
  props: ButtonProps & {
    disabledReason?: string;
    /** Id of the element that explains why the button cannot be used. */
    describedBy?: string;
    children: ReactNode;
  },
) {
  const { disabledReason, describedBy, disabled, children, onClick, ...rest } =
    props;
  const gated = Boolean(disabledReason) && !disabled;
  // One element tree whether gated or not: when the permission check answers, the button keeps
  // its identity (and keyboard focus) instead of being replaced.
  return (
    <Tooltip title={gated ? disabledReason ?? '' : ''}>
      <Button
        {...rest}
        disabled={disabled}
        aria-disabled={gated || undefined}
        aria-describedby={gated ? describedBy : undefined}
        className={
          gated ? `${rest.className ?? ''} Mui-disabled`.trim() : rest.className
        }
        onClick={gated ? event => event.preventDefault() : onClick}
      >
        {children}
      </Button>
    </Tooltip>
  );
}
