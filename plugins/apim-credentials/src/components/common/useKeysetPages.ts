import { useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { Page } from '@apim-credentials/backstage-plugin-apim-credentials-common';

type PagingState = {
  key: string;
  cursors: (string | undefined)[];
  index: number;
};

/**
 * Keyset paging over a `Page<T>` endpoint: remembers the cursors of the pages seen so far, so the
 * user can go forward with `nextCursor` and back again. Starts over at the first page whenever
 * `resetKey` (e.g. the serialised filters) changes.
 *
 * `lastItems` are the items of the last page that loaded, kept while a later request fails, so a
 * view can say what went wrong next to the results it still shows (issue 15 item 5).
 *
 * `total` is the number of items the filters match, as the backend sends it with the first page
 * (`Page.total`), kept while paging on; undefined until then, or from a backend without it.
 * `totalIsLowerBound` is `true` when the backend stopped counting at `total` (more match, issue 9).
 */
export function useKeysetPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  resetKey: string,
) {
  const [stored, setStored] = useState<PagingState>({
    key: resetKey,
    cursors: [undefined],
    index: 0,
  });
  const paging: PagingState =
    stored.key === resetKey
      ? stored
      : { key: resetKey, cursors: [undefined], index: 0 };
  const cursor = paging.cursors[paging.index];

  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useAsyncRetry(() => fetchPage(cursor), [resetKey, cursor]);
  const nextCursor = state.loading ? undefined : state.value?.nextCursor;
  const lastGood = useRef<T[] | undefined>(undefined);
  if (state.value) lastGood.current = state.value.items;
  const firstTotal = useRef<
    { key: string; total: number; lowerBound: boolean } | undefined
  >();
  if (!state.loading && state.value?.total !== undefined && !cursor) {
    firstTotal.current = {
      key: resetKey,
      total: state.value.total,
      lowerBound: state.value.totalIsLowerBound === true,
    };
  }
  const counted =
    firstTotal.current?.key === resetKey ? firstTotal.current : undefined;

  const next = () => {
    if (!nextCursor) return;
    setStored({
      key: resetKey,
      cursors: [...paging.cursors.slice(0, paging.index + 1), nextCursor],
      index: paging.index + 1,
    });
  };
  const previous = () =>
    setStored({
      ...paging,
      key: resetKey,
      index: Math.max(0, paging.index - 1),
    });

  return {
    items: state.value?.items,
    lastItems: state.value?.items ?? lastGood.current,
    loading: state.loading,
    error: state.error,
    retry: state.retry,
    total: counted?.total,
    totalIsLowerBound: counted?.lowerBound ?? false,
    pageNumber: paging.index + 1,
    hasNext: Boolean(nextCursor),
    hasPrevious: paging.index > 0,
    next,
    previous,
  };
}

/** The paging state `useKeysetPages` returns. */
export type KeysetPages<T> = ReturnType<typeof useKeysetPages<T>>;

/**
 * The count a tab shows for a paged list: the backend's total of the filters in the reader's
 * number format, with a "+" when the backend stopped counting there (e.g. "10,000+"); or, from
 * an older backend without `total`, the first page's own count with a "+" when there are more
 * pages (e.g. "50+"); undefined until a page has loaded.
 */
export function countLabel(
  pages: Pick<
    KeysetPages<unknown>,
    'total' | 'totalIsLowerBound' | 'items' | 'hasNext'
  >,
): string | undefined {
  if (pages.total !== undefined)
    return `${pages.total.toLocaleString()}${
      pages.totalIsLowerBound ? '+' : ''
    }`;
  if (!pages.items) return undefined;
  return `${pages.items.length}${pages.hasNext ? '+' : ''}`;
}
