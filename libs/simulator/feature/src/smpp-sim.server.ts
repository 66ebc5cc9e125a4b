import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildSubmitParts, corkForThisTick, formatReceiptDate, SMPP_STATUS } from '@sms/provider-smpp';
import type { FastifyBaseLogger } from 'fastify';
import * as smpp from 'smpp';
import type { ErrorRates, SimulatorKnobs } from './simulator.knobs';
import { pickOne, pickWeighted } from './simulator.rng';
import type { SimulatorState } from './simulator.state';

export interface SmppSimOptions {
  readonly state: SimulatorState;
  readonly log: FastifyBaseLogger;
  readonly systemId: string;
  readonly password: string;
}

type Outcome = 'delivered' | 'undelivered' | 'failed';

/** One accepted submit_sm (one part), as the inspection endpoint shows it. */
export interface SmppSimMessage {
  readonly messageId: string;
  readonly to: string;
  readonly from: string;
  readonly dataCoding: number;
  /** `ref/total/seq` of the concatenation UDH, when present. */
  readonly concat: string | null;
  readonly outcome: Outcome;
  /** The final receipt (stat, message_state, err), picked at submit so receipts and query_sm agree. */
  readonly final: { readonly stat: string; readonly state: number; readonly err: string };
  /** When the final receipt is due: query_sm answers ENROUTE before it and the final state after. */
  readonly finalAt: string;
  readonly responseWithheld: boolean;
  readonly createdAt: string;
  readonly receipts: string[];
}

const MAX_MESSAGES = 10_000;

/** ESME_RQUERYFAIL: the answer to a query_sm for a message this SMSC does not have. */
const SMPP_STATUS_QUERY_FAIL = 0x67;

/** Receipt `stat`, `message_state` and a network-style `err` per outcome (providers.md §5 mapping). */
const RECEIPT_OF: Record<Outcome, readonly { stat: string; state: number; err: string }[]> = {
  delivered: [{ stat: 'DELIVRD', state: 2, err: '000' }],
  undelivered: [
    { stat: 'UNDELIV', state: 5, err: '001' },
    { stat: 'EXPIRED', state: 3, err: '027' },
  ],
  failed: [{ stat: 'REJECTD', state: 8, err: '034' }],
};

/** command_status for each injected error class (the providers.md §5 table read backwards). */
const STATUS_OF_CLASS: Record<keyof ErrorRates, readonly number[]> = {
  transient: [SMPP_STATUS.ESME_RMSGQFUL, SMPP_STATUS.ESME_RSYSERR],
  permanent: [SMPP_STATUS.ESME_RINVDSTADR],
  // SMPP has no opt-out status; SMSCs refuse a blocked destination with an application-level permanent error.
  optedOut: [SMPP_STATUS.ESME_RX_P_APPN],
  configuration: [SMPP_STATUS.ESME_RINVSRCADR],
};

/**
 * An SMPP 3.4 SMSC over node-smpp's server: checks system_id/password on bind, answers submit_sm with hex
 * message ids, pushes one delivery receipt per part after the DLR delay (standard text plus the TLVs; the text
 * prints the id in decimal, as several real SMSCs do), answers enquire_link, and injects the generic knobs of
 * the `smpp` provider. MO is pushed on demand with {@link deliverMo}.
 */
export class SmppSimServer {
  readonly server: smpp.Server;
  private readonly sessions = new Set<smpp.Session>();
  private readonly messages = new Map<string, SmppSimMessage>();
  private nextId = randomInt(0x10000000, 0x7fffffff);
  private bucket = { tokens: Number.NaN, refilledAt: 0 };
  private rr = 0;
  /** Test hook: stop answering anything (enquire_link included) on bound sessions, as a hung SMSC does. */
  silent = false;
  submits = 0;

  constructor(private readonly options: SmppSimOptions) {
    this.server = smpp.createServer({}, (session) => this.onSession(session));
    options.state.onReset(() => {
      this.messages.clear();
      this.bucket = { tokens: Number.NaN, refilledAt: 0 };
      this.silent = false;
      this.submits = 0;
    });
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  get boundSessions(): number {
    return [...this.sessions].filter((session) => bound.has(session)).length;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) {
      session.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets every bind but keeps the connections (an SMSC failover): submits get ESME_RINVBNDSTS. */
  forgetBinds(): void {
    for (const session of this.sessions) {
      bound.delete(session);
    }
  }

  /** Drops every connection (the SMSC restarting): the ESME must reconnect and rebind. */
  dropConnections(): void {
    for (const session of this.sessions) {
      session.destroy();
    }
  }

  snapshot(): { binds: string[]; submits: number; messages: SmppSimMessage[] } {
    const binds = [...this.sessions].flatMap((session) => bound.get(session) ?? []);

    return { binds, submits: this.submits, messages: [...this.messages.values()] };
  }

  /** Sends an MO as deliver_sm (UDH-concatenated when long) on one bound session; false when none is bound. */
  deliverMo(from: string, to: string, body: string): boolean {
    if (!this.pickBound()) {
      return false;
    }
    for (const part of buildSubmitParts(body, randomInt(0, 256))) {
      this.pushDeliver({
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: from.replace(/^\+/, ''),
        dest_addr_ton: /^\+?\d{6,}$/.test(to) ? 1 : 3,
        dest_addr_npi: 1,
        destination_addr: to.replace(/^\+/, ''),
        esm_class: part.esmClass,
        data_coding: part.dataCoding,
        short_message: part.shortMessage,
      });
    }

    return true;
  }

  private knobs(): SimulatorKnobs {
    return this.options.state.knobs('smpp');
  }

  private onSession(session: smpp.Session): void {
    this.sessions.add(session);
    session.socket.setNoDelay(true);
    session.on('close', () => {
      this.sessions.delete(session);
      bound.delete(session);
    });
    session.on('error', () => session.destroy());
    for (const type of ['transceiver', 'transmitter', 'receiver'] as const) {
      session.on(`bind_${type}`, (pdu: smpp.Pdu) => this.onBind(session, pdu, type));
    }
    session.on('enquire_link', (pdu: smpp.Pdu) => {
      if (!this.silent) {
        session.send(pdu.response());
      }
    });
    session.on('unbind', (pdu: smpp.Pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: smpp.Pdu) => this.onSubmit(session, pdu));
    session.on('query_sm', (pdu: smpp.Pdu) => this.onQuery(session, pdu));
  }

  /**
   * query_sm (SMPP 3.4 §4.8): the message's state by message_id and source address; ESME_RQUERYFAIL when this
   * SMSC never issued the id. Ids compare as hex numbers, whatever their case or zero padding.
   */
  private onQuery(session: smpp.Session, pdu: smpp.Pdu): void {
    if (this.silent) {
      return;
    }
    const asked = textField(pdu['message_id']);
    const value = /^[0-9a-f]{1,20}$/i.test(asked) ? BigInt(`0x${asked}`) : null;
    const message = [...this.messages.values()].find(
      (candidate) =>
        value !== null &&
        BigInt(`0x${candidate.messageId}`) === value &&
        candidate.from === textField(pdu['source_addr']),
    );
    if (!bound.has(session) || message === undefined) {
      session.send(
        pdu.response({
          command_status: bound.has(session) ? SMPP_STATUS_QUERY_FAIL : SMPP_STATUS.ESME_RINVBNDSTS,
          message_id: asked,
        }),
      );

      return;
    }
    const final = Date.now() >= Date.parse(message.finalAt);
    session.send(
      pdu.response({
        message_id: message.messageId,
        final_date: final ? new Date(message.finalAt) : '',
        message_state: final ? message.final.state : 1,
        error_code: final ? Number(message.final.err) : 0,
      }),
    );
  }

  private onBind(session: smpp.Session, pdu: smpp.Pdu, type: BindType): void {
    const ok = pdu['system_id'] === this.options.systemId && pdu['password'] === this.options.password;
    if (!ok) {
      const status =
        pdu['system_id'] === this.options.systemId ? SMPP_STATUS.ESME_RINVPASWD : SMPP_STATUS.ESME_RINVSYSID;
      session.send(pdu.response({ command_status: status }));
      this.options.log.warn({ systemId: pdu['system_id'] }, 'smpp sim: bind refused');
      session.close();

      return;
    }
    bound.set(session, type);
    session.send(pdu.response({ system_id: 'SMSCSIM' }));
  }

  private onSubmit(session: smpp.Session, pdu: smpp.Pdu): void {
    this.submits += 1;
    if (this.silent) {
      return;
    }
    const knobs = this.knobs();
    const answer = (response: smpp.Pdu): void => {
      const send = (): void => {
        corkForThisTick(session);
        session.send(response);
      };
      if (knobs.latencyMs > 0) {
        this.options.state.scheduler.after(knobs.latencyMs, send);
      } else {
        send();
      }
    };
    if (!bound.has(session) || bound.get(session) === 'receiver') {
      answer(pdu.response({ command_status: SMPP_STATUS.ESME_RINVBNDSTS }));

      return;
    }
    if (!this.takeThrottleToken(knobs.throttleRatePerSecond, Date.now())) {
      answer(pdu.response({ command_status: SMPP_STATUS.ESME_RTHROTTLED }));

      return;
    }
    const injected = this.injectedStatus(knobs.errorRate);
    if (injected !== null) {
      answer(pdu.response({ command_status: injected }));

      return;
    }
    const idNumber = this.nextId++;
    const messageId = idNumber.toString(16).toUpperCase().padStart(10, '0');
    const withhold = this.options.state.rng() < knobs.timeoutAfterAcceptRate;
    const outcome = pickWeighted(this.options.state.rng, knobs.dlrOutcomes);
    const now = new Date();
    const message: SmppSimMessage = {
      messageId,
      to: textField(pdu['destination_addr']),
      from: textField(pdu['source_addr']),
      dataCoding: Number(pdu['data_coding'] ?? 0),
      concat: concatOf(pdu['short_message']),
      outcome,
      final: pickOne(this.options.state.rng, RECEIPT_OF[outcome] as [(typeof RECEIPT_OF)['delivered'][number]]),
      finalAt: new Date(now.getTime() + knobs.dlrDelayMs).toISOString(),
      responseWithheld: withhold,
      createdAt: now.toISOString(),
      receipts: [],
    };
    this.messages.set(messageId, message);
    while (this.messages.size > MAX_MESSAGES) {
      this.messages.delete(this.messages.keys().next().value as string);
    }
    if (Number(pdu['registered_delivery'] ?? 0) & 0x03) {
      this.scheduleReceipts(message, idNumber, knobs);
    }
    if (!withhold) {
      answer(pdu.response({ message_id: messageId }));
    }
  }

  private scheduleReceipts(message: SmppSimMessage, idNumber: number, knobs: SimulatorKnobs): void {
    const final = message.final;
    const steps = [final];
    // Out of order: an intermediate ENROUTE that arrives after the final receipt.
    if (message.outcome !== 'failed' && this.options.state.rng() < knobs.outOfOrderDlrRate) {
      steps.push({ stat: 'ENROUTE', state: 1, err: '000' });
    }
    if (this.options.state.rng() < knobs.duplicateDlrRate) {
      steps.push(final);
    }
    const submitDate = formatReceiptDate(new Date()).slice(0, 10);
    steps.forEach((step, index) => {
      this.options.state.scheduler.after(knobs.dlrDelayMs * (index + 1), () => {
        const done = formatReceiptDate(new Date()).slice(0, 10);
        const delivered = step.stat === 'DELIVRD' ? '001' : '000';
        const text =
          `id:${String(idNumber).padStart(10, '0')} sub:001 dlvrd:${delivered} submit date:${submitDate} ` +
          `done date:${done} stat:${step.stat} err:${step.err} text:`;
        message.receipts.push(step.stat);
        this.pushDeliver({
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: message.to,
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          destination_addr: message.from,
          esm_class: 0x04,
          data_coding: 0,
          short_message: Buffer.from(text, 'ascii'),
          receipted_message_id: message.messageId,
          message_state: step.state,
          network_error_code: Buffer.from([3, 0, Number(step.err)]),
        });
      });
    });
  }

  /**
   * Sends a deliver_sm on a receiving bind. Like a real SMSC it keeps the PDU when no receiver is bound or the
   * ESME refuses it (ESME_RX_T_APPN or any other error status), and tries again later, maybe on another bind.
   */
  private pushDeliver(fields: Record<string, unknown>, attempt = 1): void {
    const retry = (): void => {
      if (attempt < DELIVER_ATTEMPTS) {
        this.options.state.scheduler.after(REDELIVER_AFTER_MS, () => this.pushDeliver(fields, attempt + 1));
      }
    };
    const session = this.pickBound();
    if (!session) {
      retry();

      return;
    }
    corkForThisTick(session);
    const sent = session.deliver_sm({ ...fields }, (response: smpp.Pdu) => {
      if (response.command_status !== SMPP_STATUS.ESME_ROK) {
        this.options.log.debug({ status: response.command_status }, 'smpp sim: deliver_sm refused, will retry');
        retry();
      }
    });
    if (!sent) {
      retry();
    }
  }

  private pickBound(): smpp.Session | null {
    const candidates = [...this.sessions].filter((session) => {
      const type = bound.get(session);

      return type === 'transceiver' || type === 'receiver';
    });
    if (candidates.length === 0) {
      return null;
    }
    this.rr = (this.rr + 1) % candidates.length;

    return candidates[this.rr] ?? null;
  }

  private injectedStatus(rates: ErrorRates): number | null {
    let roll = this.options.state.rng();
    for (const key of ['transient', 'permanent', 'optedOut', 'configuration'] as const) {
      roll -= rates[key];
      if (roll < 0) {
        return pickOne(this.options.state.rng, STATUS_OF_CLASS[key] as [number]);
      }
    }

    return null;
  }

  /** Token bucket holding one second of submits, like the Twilio sim's. */
  private takeThrottleToken(ratePerSecond: number | null, nowMs: number): boolean {
    if (ratePerSecond === null) {
      return true;
    }
    const capacity = Math.max(1, ratePerSecond);
    const elapsed = Math.max(0, nowMs - this.bucket.refilledAt) / 1000;
    const tokens = Number.isNaN(this.bucket.tokens) ? capacity : this.bucket.tokens;
    const available = Math.min(capacity, tokens + elapsed * ratePerSecond);
    const allowed = available >= 1;
    this.bucket = { tokens: allowed ? available - 1 : available, refilledAt: nowMs };

    return allowed;
  }
}

type BindType = 'transceiver' | 'transmitter' | 'receiver';

/** Sessions that completed a bind, with its type; weak so a closed session is forgotten with it. */
const bound = new WeakMap<smpp.Session, BindType>();

/** A receipt or MO refused (or with no receiver bound) is offered again this often, this many times. */
const REDELIVER_AFTER_MS = 1_000;
const DELIVER_ATTEMPTS = 30;

function concatOf(shortMessage: unknown): string | null {
  const udh = (shortMessage as { udh?: Buffer[] } | null)?.udh;
  const concat = udh?.find((element) => element[0] === 0x00 && element.length === 5);

  return concat ? `${concat[2]}/${concat[3]}/${concat[4]}` : null;
}

function textField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
