import { renderMetrics } from './collectors';

const lagMaxSeconds = (body: string): number => {
  const line = body.split('\n').find((l) => l.startsWith('sms_nodejs_eventloop_lag_max_seconds '));

  return Number(line?.split(' ')[1]);
};

describe('renderMetrics', () => {
  it('reports a stall of the event loop in full although the lag is sampled every 100 ms', async () => {
    await renderMetrics(); // the first scrape starts the lag histogram (and resets it on every scrape)
    await new Promise((resolve) => setTimeout(resolve, 250));
    const stallStart = Date.now();
    while (Date.now() - stallStart < 300) {
      // block the loop: the sample due meanwhile fires late by the rest of the stall
    }
    await new Promise((resolve) => setTimeout(resolve, 250));

    const { body } = await renderMetrics();

    expect(lagMaxSeconds(body)).toBeGreaterThanOrEqual(0.2);
  });
});
