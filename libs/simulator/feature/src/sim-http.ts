import type { FastifyReply } from 'fastify';

/**
 * How long a "timeout after accept" withholds its answer. Far beyond any sane client timeout; the hold ends
 * as soon as the client hangs up, or when the simulator closes.
 */
export const WITHHOLD_MS = 300_000;

/**
 * Sends unless the client already hung up (then there is nobody to answer). A response released by the
 * simulator closing also closes its connection, so a kept-alive socket cannot hold the close open.
 */
export function answerJson(
  reply: FastifyReply,
  clientGone: AbortSignal,
  closing: boolean,
  status: number,
  body: unknown,
): FastifyReply {
  if (clientGone.aborted) {
    return reply.hijack();
  }
  if (closing) {
    void reply.header('connection', 'close');
  }

  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

/**
 * Whether the client hung up, and a signal that aborts when it does, for waits that should stop waiting for
 * nobody. The signal is made on first use: with no latency knob set an answer goes out at once, and an
 * AbortController with a 'close' listener per request, aborted as every response closed, was a visible
 * part of the simulator's CPU per provider call in the embedded gateway. Before the signal exists, a hang-up
 * shows as the response destroyed (Node marks it so when its socket closes).
 */
export class ClientGone {
  private controller: AbortController | undefined;

  constructor(private readonly reply: FastifyReply) {}

  get aborted(): boolean {
    return this.controller ? this.controller.signal.aborted : this.reply.raw.destroyed;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      if (this.reply.raw.destroyed) {
        controller.abort();
      } else {
        this.reply.raw.once('close', () => controller.abort());
      }
      this.controller = controller;
    }

    return this.controller.signal;
  }
}

/** Aborts when the client closes the connection: a withheld answer stops waiting for nobody. */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => controller.abort());

  return controller.signal;
}

/** GSM-7 160/153 per part for plain printable ASCII, otherwise UCS-2 70/67 UTF-16 units. Looks realistic. */
export function countParts(body: string, unicode: boolean): number {
  const [single, multi] = unicode || !/^[\x20-\x7e\r\n]*$/.test(body) ? [70, 67] : [160, 153];

  return body.length <= single ? 1 : Math.ceil(body.length / multi);
}
