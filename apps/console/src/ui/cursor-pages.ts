import { useState } from 'react';

/** The cursors of the pages seen so far: page n is fetched with cursors[n] (undefined for the first). */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;

  return {
    page,
    cursor: cursors[page],
    first: () => setCursors([undefined]),
    previous: () => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)),
    next: (cursor: string) => setCursors((list) => [...list, cursor]),
  };
}

/** Pages of a list the API returns whole (rates, numbers, opt-outs): `size` rows at a time. */
export function useClientPages<T>(rows: readonly T[] | undefined, size = 20) {
  const [page, setPage] = useState(0);
  const all = rows ?? [];
  const last = Math.max(0, Math.ceil(all.length / size) - 1);
  const current = Math.min(page, last);

  return {
    rows: all.slice(current * size, current * size + size),
    pager: {
      page: current,
      nextCursor: current < last ? String(current + 1) : null,
      onFirst: () => setPage(0),
      onPrevious: () => setPage(Math.max(0, current - 1)),
      onNext: (cursor: string) => setPage(Number(cursor)),
    },
  };
}
