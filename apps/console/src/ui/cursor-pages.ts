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
