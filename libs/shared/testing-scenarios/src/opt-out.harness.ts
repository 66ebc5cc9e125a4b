import type { GatewayClient } from '@sms/testing';

/** Shared steps of the opt-out and masking end-to-end suites (both run modes use a GatewayClient). */
export interface SimMessage {
  readonly sid: string;
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly createdAt: string;
}

export async function simMessages(sim: GatewayClient): Promise<SimMessage[]> {
  const answer = await sim.rawGet<{ messages: SimMessage[] }>('/sim/twilio/messages');

  return answer.body.messages;
}

/** Has the simulator post a signed inbound (MO) webhook to the gateway, as Twilio would. */
export async function inbound(sim: GatewayClient, webhookBase: string, from: string, to: string, body: string) {
  const answer = await sim.rawPost('/sim/twilio/inbound', {
    from,
    to,
    body,
    url: `${webhookBase}/webhooks/twilio/inbound`,
  });
  if (answer.status !== 200) {
    throw new Error(`simulator inbound failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
