import * as smpp from 'smpp';
import { SMPP_STATUS, statusName } from './smpp.codes';

export interface BindSettings {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  /** Outstanding submit_sm allowed on this bind before callers wait. */
  readonly window: number;
  readonly enquireLinkMs: number;
  /** No enquire_link_resp within this: the link is dead, drop it and reconnect. */
  readonly enquireLinkTimeoutMs: number;
  /** No submit_sm_resp within this: the submit is ambiguous. */
  readonly responseTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly throttleBackoffMs: number;
}

/**
 * transceiver: sends and receives (receipts, MO). transmitter: sends only, so the SMSC never hands this bind a
 * receipt, used where no receiver is attached (the send-worker running alone: receipts go to dlr-ingest's binds).
 */
export type BindType = 'transceiver' | 'transmitter';

export interface BindEvents {
  /** Answer with the command_status for deliver_sm_resp (ESME_ROK once stored, ESME_RX_T_APPN to ask again). */
  onDeliver(pdu: smpp.Pdu, bind: SmppBind): Promise<number>;
  onStateChange(bind: SmppBind): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Why a submit got no usable answer; the pool turns these into classified ProviderErrors. */
export class BindFailure extends Error {
  override readonly name = 'BindFailure';
  constructor(
    readonly code: 'SMPP_TIMEOUT' | 'SMPP_CONNECTION_LOST' | 'SMPP_NOT_BOUND',
    /** True when the PDU was handed to the socket: the SMSC may have accepted it. */
    readonly written: boolean,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  readonly resolve: (pdu: smpp.Pdu) => void;
  readonly reject: (error: BindFailure) => void;
  readonly timer: NodeJS.Timeout;
}

export type BindState = 'idle' | 'connecting' | 'bound' | 'closed';

/**
 * One bind (transceiver or transmitter) to the SMSC: connects, binds, keeps the link alive with enquire_link, reconnects with
 * exponential backoff, and matches submit_sm_resp to submits by sequence number (node-smpp frames the PDUs and
 * numbers them). The window is enforced by the pool, which only hands a bind work while `hasCapacity`.
 */
export class SmppBind {
  state: BindState = 'idle';
  /** Set when the SMSC refused the bind itself (wrong password, unknown system_id): a configuration error. */
  lastBindStatus: number | null = null;
  private session: smpp.Session | null = null;
  private readonly pending = new Map<number, Pending>();
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private enquireTimer: NodeJS.Timeout | null = null;
  private throttledUntil = 0;
  private throttleStreak = 0;
  /** Slots promised to callers by the pool but not yet used by their submit. */
  private reserved = 0;
  /** Why the current socket is ending (its 'error', or the SMSC's unbind), told once in the loss line. */
  private closeReason: string | null = null;
  /** True from a lost or failed link until the next successful bind: one outage is logged once, not per try. */
  private outage = false;

  constructor(
    readonly index: number,
    private readonly settings: BindSettings,
    private readonly events: BindEvents,
    private readonly bindType: () => BindType = () => 'transceiver',
    private readonly now: () => number = Date.now,
  ) {}

  get inFlight(): number {
    return this.pending.size + this.reserved;
  }

  get isThrottled(): boolean {
    return this.now() < this.throttledUntil;
  }

  get hasCapacity(): boolean {
    return this.state === 'bound' && !this.isThrottled && this.inFlight < this.settings.window;
  }

  /** Milliseconds until a throttled bind may take work again (0 when it is not throttled). */
  get throttleRemainingMs(): number {
    return Math.max(0, this.throttledUntil - this.now());
  }

  reserve(): void {
    this.reserved += 1;
  }

  start(): void {
    if (this.state === 'idle') {
      this.connect();
    }
  }

  /** Sends one submit_sm; resolves with its submit_sm_resp (or generic_nack), whatever its command_status. */
  submit(fields: Record<string, unknown>): Promise<smpp.Pdu> {
    return this.exchange('submit_sm', fields);
  }

  /** Sends one query_sm (reconciliation); resolves with its query_sm_resp (or generic_nack). */
  query(fields: Record<string, unknown>): Promise<smpp.Pdu> {
    return this.exchange('query_sm', fields);
  }

  private exchange(command: 'submit_sm' | 'query_sm', fields: Record<string, unknown>): Promise<smpp.Pdu> {
    this.reserved = Math.max(0, this.reserved - 1);
    const session = this.session;
    if (this.state !== 'bound' || session === null) {
      return Promise.reject(new BindFailure('SMPP_NOT_BOUND', false, `bind ${this.index} is not bound`));
    }

    return new Promise((resolve, reject) => {
      const pdu = new smpp.PDU(command, fields);
      corkForThisTick(session);
      const written = session.send(pdu, (response) => this.settle(pdu.sequence_number, response));
      if (!written) {
        reject(new BindFailure('SMPP_NOT_BOUND', false, `bind ${this.index} socket is not writable`));

        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(pdu.sequence_number);
        reject(
          new BindFailure('SMPP_TIMEOUT', true, `no ${command}_resp within ${this.settings.responseTimeoutMs} ms`),
        );
        this.events.onStateChange(this);
      }, this.settings.responseTimeoutMs);
      this.pending.set(pdu.sequence_number, { resolve, reject, timer });
    });
  }

  /** ESME_RTHROTTLED: this bind rests, doubling the pause while the SMSC keeps saying so. */
  throttle(): void {
    this.throttleStreak = Math.min(this.throttleStreak + 1, 6);
    this.throttledUntil = this.now() + this.settings.throttleBackoffMs * 2 ** (this.throttleStreak - 1);
    setTimeout(() => this.events.onStateChange(this), this.throttleRemainingMs + 1).unref();
  }

  accepted(): void {
    this.throttleStreak = 0;
  }

  /** ESME_RINVBNDSTS: the SMSC no longer sees us bound; drop the link so the reconnect loop binds again. */
  rebind(): void {
    this.closeReason = 'the SMSC reports the bind state invalid';
    this.session?.destroy();
  }

  /** Waits (bounded) for answers still owed, unbinds politely, closes the socket; no reconnect afterwards. */
  async close(drainMs = 2_000): Promise<void> {
    const wasBound = this.state === 'bound';
    if (this.state !== 'closed') {
      this.events.log('info', `smpp bind ${this.index} closing its link to ${this.peer()}`);
    }
    this.state = 'closed';
    this.clearTimers();
    const deadline = this.now() + drainMs;
    while (this.pending.size > 0 && this.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const session = this.session;
    this.session = null;
    if (session === null) {
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(guard);
        session.destroy();
        resolve();
      };
      const guard = setTimeout(done, 1_000);
      if (!wasBound || !session.unbind({}, done)) {
        done();
      }
    });
    this.failPending('SMPP_CONNECTION_LOST', 'bind closed');
  }

  /** The SMSC's address as configured (host:port): what an operator matches against the SMSC's own logs. */
  private peer(): string {
    return `${this.settings.host}:${this.settings.port}`;
  }

  private connect(): void {
    this.state = 'connecting';
    this.closeReason = null;
    const session = smpp.connect({ host: this.settings.host, port: this.settings.port });
    this.session = session;
    // Small PDUs, request/response: Nagle plus delayed ACKs would add ~40 ms to an answer.
    session.socket.setNoDelay(true);
    session.on('connect', () => {
      const bind = new smpp.PDU(`bind_${this.bindType()}`, {
        system_id: this.settings.systemId,
        password: this.settings.password,
        system_type: this.settings.systemType,
        interface_version: 0x34,
      });
      session.send(bind, (response) => this.onBindResponse(session, response));
    });
    session.on('deliver_sm', (pdu: smpp.Pdu) => void this.answerDeliver(session, pdu));
    session.on('enquire_link', (pdu: smpp.Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.Pdu) => {
      this.closeReason = 'the SMSC unbound';
      session.send(pdu.response());
      session.close();
    });
    // Errors always end in 'close' for a net socket: the reason is kept here and logged there, once per loss.
    session.on('error', (error: Error) => {
      this.closeReason ??= error.message;
      session.destroy();
    });
    session.on('close', () => this.onClosed(session));
  }

  private onBindResponse(session: smpp.Session, response: smpp.Pdu): void {
    if (session !== this.session || this.state === 'closed') {
      session.destroy();

      return;
    }
    if (response.command_status !== SMPP_STATUS.ESME_ROK) {
      this.lastBindStatus = response.command_status;
      this.events.log('error', `smpp bind ${this.index} refused: ${statusName(response.command_status)}`);
      session.destroy();

      return;
    }
    this.lastBindStatus = null;
    const attempts = this.reconnectAttempt;
    this.reconnectAttempt = 0;
    this.state = 'bound';
    this.startEnquireLink(session);
    if (this.outage) {
      this.outage = false;
      this.events.log('info', `smpp bind ${this.index} reconnected to ${this.peer()} after ${attempts} attempt(s)`);
    } else {
      this.events.log('info', `smpp bind ${this.index} bound to ${this.peer()}`);
    }
    this.events.onStateChange(this);
  }

  private startEnquireLink(session: smpp.Session): void {
    this.enquireTimer = setInterval(() => {
      let answered = false;
      const timeout = setTimeout(() => {
        if (!answered && session === this.session) {
          this.closeReason = 'enquire_link unanswered';
          session.destroy();
        }
      }, this.settings.enquireLinkTimeoutMs);
      session.enquire_link({}, () => {
        answered = true;
        clearTimeout(timeout);
      });
    }, this.settings.enquireLinkMs);
  }

  private async answerDeliver(session: smpp.Session, pdu: smpp.Pdu): Promise<void> {
    let status: number = SMPP_STATUS.ESME_RX_T_APPN;
    try {
      status = await this.events.onDeliver(pdu, this);
    } catch (error) {
      this.events.log('error', `smpp bind ${this.index}: deliver_sm not stored (${String(error)}), asking again`);
    }
    corkForThisTick(session);
    session.send(pdu.response({ command_status: status }));
  }

  private settle(sequence: number, response: smpp.Pdu): void {
    const pending = this.pending.get(sequence);
    if (!pending) {
      return; // answered after we gave up on it: already reported ambiguous
    }
    this.pending.delete(sequence);
    clearTimeout(pending.timer);
    pending.resolve(response);
    this.events.onStateChange(this);
  }

  private onClosed(session: smpp.Session): void {
    if (session !== this.session) {
      return;
    }
    this.session = null;
    this.clearTimers();
    this.failPending('SMPP_CONNECTION_LOST', 'connection lost before submit_sm_resp');
    if (this.state === 'closed') {
      return;
    }
    this.logLoss();
    this.state = 'connecting';
    this.events.onStateChange(this);
    // A refused bind will be refused again: wait the longest pause instead of hammering the SMSC.
    const delay =
      this.lastBindStatus !== null
        ? this.settings.reconnectMaxMs
        : Math.min(this.settings.reconnectMaxMs, this.settings.reconnectBaseMs * 2 ** this.reconnectAttempt);
    this.reconnectAttempt += 1;
    const jitter = Math.floor(Math.random() * Math.min(250, delay / 4 + 1));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state !== 'closed') {
        this.connect();
      }
    }, delay + jitter);
  }

  /**
   * One line per outage, with the SMSC's address: a bound link that drops, or the first failed attempt to
   * connect. Further failed attempts of the same outage stay quiet (the SMSC down would otherwise log every
   * backoff step); the next successful bind logs the reconnect. A refused bind logs its own error line.
   */
  private logLoss(): void {
    const reason = this.closeReason ?? 'closed by the peer';
    this.closeReason = null;
    if (this.state === 'bound') {
      this.outage = true;
      this.events.log('warn', `smpp bind ${this.index} lost its link to ${this.peer()} (${reason}), reconnecting`);
    } else if (!this.outage && this.lastBindStatus === null) {
      this.outage = true;
      this.events.log('warn', `smpp bind ${this.index} cannot connect to ${this.peer()} (${reason}), retrying`);
    }
  }

  private failPending(code: 'SMPP_CONNECTION_LOST', message: string): void {
    for (const [sequence, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(sequence);
      pending.reject(new BindFailure(code, true, message));
    }
  }

  private clearTimers(): void {
    if (this.enquireTimer) {
      clearInterval(this.enquireTimer);
      this.enquireTimer = null;
    }
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
  }
}

const corked = new WeakSet<smpp.Session>();

/**
 * Coalesces the PDUs written in one event-loop turn into one socket write: with a window of submits (and the
 * receipts answered in a burst) this saves a syscall and a TCP segment per PDU. Nagle is off, so without this
 * every PDU would be its own packet.
 */
export function corkForThisTick(session: smpp.Session): void {
  if (corked.has(session)) {
    return;
  }
  corked.add(session);
  session.socket.cork();
  process.nextTick(() => {
    corked.delete(session);
    session.socket.uncork();
  });
}
