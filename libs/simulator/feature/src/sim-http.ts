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
