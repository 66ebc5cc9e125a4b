import { DEFAULT_KNOBS, type SimulatedProvider, type SimulatorKnobs } from './simulator.knobs';
import { createRng, type Rng } from './simulator.rng';
import { SimScheduler } from './simulator.scheduler';

/** Everything one simulator instance remembers; two plugin registrations never share state. */
export class SimulatorState {
  readonly scheduler = new SimScheduler();
  private random: Rng;
  private readonly knobsByProvider = new Map<SimulatedProvider, SimulatorKnobs>();
  private readonly resetListeners: (() => void)[] = [];

  constructor(seed?: number) {
    this.random = createRng(seed);
  }

  /** Stable function reference that follows re-seeding on reset. */
  readonly rng: Rng = () => this.random();

  knobs(provider: SimulatedProvider): SimulatorKnobs {
    return this.knobsByProvider.get(provider) ?? DEFAULT_KNOBS;
  }

  setKnobs(provider: SimulatedProvider, knobs: SimulatorKnobs): void {
    this.knobsByProvider.set(provider, knobs);
  }

  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
  }

  /** Back to a fresh start: default knobs, no pending callbacks, empty logs, optionally a new seed. */
  reset(seed?: number): void {
    this.scheduler.cancelJobs();
    this.knobsByProvider.clear();
    if (seed !== undefined) {
      this.random = createRng(seed);
    }
    for (const listener of this.resetListeners) {
      listener();
    }
  }
}
