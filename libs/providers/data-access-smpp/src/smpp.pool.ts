import { ErrorClass, ProviderError } from '@sms/provider-port';
import { type BindEvents, SmppBind, type BindSettings, type BindType } from './smpp.bind';
import { statusCode, statusName } from './smpp.codes';

interface Waiter {
  readonly resolve: (bind: SmppBind) => void;
  readonly reject: (error: ProviderError) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * N binds and the queue of sends waiting for a window slot. A send takes the least-loaded bound bind that is
 * not resting after ESME_RTHROTTLED; when every window is full it waits (bounded), and the slot freed by each
 * submit_sm_resp goes to the longest waiter.
 */
export class SmppPool {
  readonly binds: SmppBind[];
  private readonly waiters: Waiter[] = [];
  private started = false;
  private closed = false;

  constructor(
    size: number,
    settings: BindSettings,
    private readonly acquireTimeoutMs: number,
    events: Omit<BindEvents, 'onStateChange'>,
    bindType: () => BindType = () => 'transceiver',
  ) {
    this.binds = Array.from(
      { length: size },
      (_, index) => new SmppBind(index, settings, { ...events, onStateChange: () => this.dispatch() }, bindType),
    );
  }

  /** Opens every bind (idempotent). Called on the first send, never at boot: only senders bind. */
  start(): void {
    if (this.started || this.closed) {
      return;
    }
    this.started = true;
    for (const bind of this.binds) {
      bind.start();
    }
  }

  get boundCount(): number {
    return this.binds.filter((bind) => bind.state === 'bound').length;
  }

  acquire(): Promise<SmppBind> {
    if (this.closed) {
      return Promise.reject(new ProviderError(ErrorClass.Transient, 'SMPP_CLOSED', 'SMPP binds are closing'));
    }
    this.start();
    const free = this.freeBind();
    if (free && this.waiters.length === 0) {
      free.reserve();

      return Promise.resolve(free);
    }

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) {
          this.waiters.splice(index, 1);
        }
        reject(this.unavailableError());
      }, this.acquireTimeoutMs);
      const waiter: Waiter = { resolve, reject, timer };
      this.waiters.push(waiter);
    });
  }

  /** Hands freed slots to waiters, oldest first. */
  dispatch(): void {
    while (this.waiters.length > 0) {
      const bind = this.freeBind();
      if (!bind) {
        return;
      }
      const waiter = this.waiters.shift() as Waiter;
      clearTimeout(waiter.timer);
      bind.reserve();
      waiter.resolve(bind);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new ProviderError(ErrorClass.Transient, 'SMPP_CLOSED', 'SMPP binds are closing'));
    }
    await Promise.all(this.binds.map((bind) => bind.close()));
  }

  /**
   * Least outstanding submits wins. The slot is reserved before the caller resumes, so two waiters served in the
   * same turn never get the same last slot.
   */
  private freeBind(): SmppBind | null {
    let best: SmppBind | null = null;
    for (const bind of this.binds) {
      if (bind.hasCapacity && (best === null || bind.inFlight < best.inFlight)) {
        best = bind;
      }
    }

    return best;
  }

  /** No slot in time: a refused bind is a configuration problem; anything else is worth retrying later. */
  private unavailableError(): ProviderError {
    const refused = this.binds.find((bind) => bind.lastBindStatus !== null);
    if (refused && this.boundCount === 0 && refused.lastBindStatus !== null) {
      return new ProviderError(
        ErrorClass.Configuration,
        statusCode(refused.lastBindStatus),
        `SMSC refused the bind: ${statusName(refused.lastBindStatus)}`,
      );
    }
    if (this.boundCount > 0 && this.binds.every((bind) => bind.state !== 'bound' || bind.isThrottled)) {
      return new ProviderError(ErrorClass.Transient, statusCode(0x58), 'every SMPP bind is throttled');
    }

    return new ProviderError(
      ErrorClass.Transient,
      this.boundCount === 0 ? 'SMPP_NOT_BOUND' : 'SMPP_WINDOW_FULL',
      this.boundCount === 0 ? 'no SMPP bind is up' : 'every SMPP window is full',
    );
  }
}
