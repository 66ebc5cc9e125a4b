/**
 * Scenarios both modes run through the same API (the embedded gateway's specs in apps/gateway/test and the
 * distributed ones in test/e2e): each takes a client and the mode's own knobs, so a behaviour is specified
 * once and checked twice.
 */
export * from './erasure.scenario';
export * from './opt-out.harness';
export * from './route-quality.scenario';
export * from './webhooks.scenario';
