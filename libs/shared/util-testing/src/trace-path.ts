/** A finished span reduced to what a propagation test asserts on (from the SDK or from OTLP JSON). */
export interface SpanRecord {
  readonly name: string;
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  readonly attributes: Readonly<Record<string, unknown>>;
}

/**
 * Follows a chain of span names down one trace: each step must be a descendant of the previous one
 * (through any spans in between). Returns the matched spans, or throws naming the first missing hop and
 * what the trace does hold, so a broken propagation says where it broke.
 */
export function followTrace(
  spans: readonly SpanRecord[],
  root: SpanRecord,
  steps: readonly ((span: SpanRecord) => boolean)[],
  describeStep: (index: number) => string = (index) => `step ${index}`,
): SpanRecord[] {
  const inTrace = spans.filter((span) => span.traceId === root.traceId);
  const byId = new Map(inTrace.map((span) => [span.spanId, span]));
  const descends = (span: SpanRecord, ancestor: SpanRecord): boolean => {
    for (let at = span.parentSpanId; at !== undefined; at = byId.get(at)?.parentSpanId) {
      if (at === ancestor.spanId) {
        return true;
      }
    }

    return false;
  };
  // A step may match several spans (two consumer groups read one topic): try each, so the chain is found
  // through whichever of them it runs.
  const from = (previous: SpanRecord, index: number): SpanRecord[] | number => {
    const matches = steps[index];
    if (matches === undefined) {
      return [];
    }
    let deepest = index;
    for (const span of inTrace) {
      if (matches(span) && descends(span, previous)) {
        const rest = from(span, index + 1);
        if (typeof rest !== 'number') {
          return [span, ...rest];
        }
        deepest = Math.max(deepest, rest);
      }
    }

    return deepest;
  };
  const found = from(root, 0);
  if (typeof found === 'number') {
    const held = inTrace.map((span) => `${span.service}:${span.name}`).join(', ');
    throw new Error(`trace ${root.traceId}: no ${describeStep(found)} below step ${found - 1}; it holds: ${held}`);
  }

  return [root, ...found];
}
