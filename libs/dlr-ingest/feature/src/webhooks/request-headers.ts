import type { IncomingHttpHeaders } from 'node:http';

/**
 * A request's headers as one string each (repeated ones joined with commas, as HTTP allows), the shape
 * adapters verify and the raw store keeps. A plain loop: the entries/flatMap/fromEntries chain it
 * replaces allocated arrays per header on every request of a receipt storm (bench/dlr.bench.ts).
 */
export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'string') {
      flat[name] = value;
    } else if (Array.isArray(value)) {
      flat[name] = value.join(',');
    }
  }

  return flat;
}
