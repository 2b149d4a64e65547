import { ComponentType, ReactNode, useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import { Table, type TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { DisplayNames } from './useDisplayNames';

/**
 * The options of every table of the plugin: no client-side paging, search, sorting or column
 * dragging (the backend pages and filters), dense rows.
 */
export const DENSE_TABLE_OPTIONS = {
  paging: false,
  search: false,
  padding: 'dense' as const,
  sorting: false,
  draggable: false,
};

/** What a table shows in place of rows when it has none. */
export function EmptyTableMessage(props: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary" style={{ padding: 16 }}>
      {props.children}
    </Typography>
  );
}

/**
 * A table of rows loaded in one go, with {@link DENSE_TABLE_OPTIONS} and an
 * {@link EmptyTableMessage} of `empty` when there are none.
 *
 * @param props.empty - what the table says in place of rows
 */
export function DenseTable<T extends object>(props: {
  title: string;
  isLoading: boolean;
  data: T[];
  columns: TableColumn<T>[];
  empty: ReactNode;
}) {
  return (
    <Table<T>
      title={props.title}
      isLoading={props.isLoading}
      data={props.data}
      options={DENSE_TABLE_OPTIONS}
      columns={props.columns}
      emptyContent={<EmptyTableMessage>{props.empty}</EmptyTableMessage>}
    />
  );
}

/**
 * A table's `detailPanel`: one expand button per row that shows `Details` of the row, kept
 * stable while `names` is, because material-table rebuilds every row (and closes every open
 * panel) when its panels change identity.
 *
 * @param tooltip - the expand button's tooltip
 * @param Details - renders the full row, with the display names of environments and key managers
 * @param names - the display names, from `useDisplayNames`
 */
export function useDetailPanel<T extends object>(
  tooltip: string,
  Details: ComponentType<{ record: T; names: DisplayNames }>,
  names: DisplayNames,
) {
  return useMemo(
    () => [
      {
        tooltip,
        render: ({ rowData }: { rowData: T }) => (
          <Details record={rowData} names={names} />
        ),
      },
    ],
    [tooltip, Details, names],
  );
}

/**
 * A table cell of who did something and when: the person as a link to their catalog entity, the
 * time (and any note) in a caption below.
 *
 * @param props.who - a user entity ref; with `plainUnlessRef`, text that is not a ref (e.g. a
 *   service's name) is shown as it is
 * @param props.children - the caption, usually a formatted time
 */
export function ActorCell(props: {
  who: string;
  plainUnlessRef?: boolean;
  children: ReactNode;
}) {
  const { who } = props;
  return (
    <>
      {props.plainUnlessRef && !who.includes(':') ? (
        who
      ) : (
        <EntityRefLink entityRef={who} defaultKind="user" />
      )}
      <Typography variant="caption" color="textSecondary" display="block">
        {props.children}
      </Typography>
    </>
  );
}

/** The "Entity" column of a table of rows about an entity: a link to it (blank without one). */
export function entityColumn<
  T extends { entityRef?: string },
>(): TableColumn<T> {
  return {
    title: 'Entity',
    field: 'entityRef',
    render: r => (r.entityRef ? <EntityRefLink entityRef={r.entityRef} /> : ''),
  };
}
