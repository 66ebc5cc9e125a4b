import { metrics } from '@sms/metrics';
import { ProviderError } from '@sms/provider-port';
import { inSpan, SpanKind } from '@sms/tracing';

/**
 * The provider call as an SRE sees it: a CLIENT span (the last hop of the message's trace) and the
 * latency histogram and outcome counter the provider error-rate alert is built on. Outcome is `sent`
 * or the error class (`transient`, `permanent`, `opted_out`, `configuration`; `unknown` for a bug).
 */
export async function observeProviderCall<T>(provider: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome = 'sent';
  try {
    return await inSpan(
      `provider ${provider} send`,
      { kind: SpanKind.CLIENT, attributes: { 'sms.provider': provider } },
      call,
    );
  } catch (error) {
    outcome = error instanceof ProviderError ? error.errorClass : 'unknown';
    throw error;
  } finally {
    const labels = { provider, outcome };
    metrics.providerSends.inc(labels);
    metrics.providerSendDuration.observe(labels, (performance.now() - started) / 1000);
  }
}
