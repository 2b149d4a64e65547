import { EmptyState } from '@backstage/core-components';

/** What a user sees instead of data they may not read. */
export function PermissionDeniedState(props: {
  title: string;
  permission: string;
}) {
  return (
    <EmptyState
      missing="info"
      title={props.title}
      description={`The permission policy does not grant you "${props.permission}". Ask your Backstage administrators if you need it.`}
    />
  );
}
