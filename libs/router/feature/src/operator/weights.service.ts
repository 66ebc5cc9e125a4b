import { DEFAULT_SCOPE, parseScope, parseWeights, type WeightStore } from '../routing/quality/score-weights';
import type { ScoreWeightsView, WeightsListView } from './weights.views';

/**
 * The score weights through the operator API: checked (score-weights.ts: one code per broken rule),
 * stored in the router's slice, then `changed` drops every replica's snapshots so the next decision
 * uses them (no restart).
 */
export class WeightsService {
  constructor(
    private readonly store: WeightStore,
    private readonly changed: () => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<WeightsListView> {
    const listing = await this.store.list();

    return {
      default: { scope: DEFAULT_SCOPE, ...listing.default, builtIn: !listing.defaultSet },
      countries: Object.entries(listing.countries).map(([scope, weights]) => ({ scope, ...weights, builtIn: false })),
    };
  }

  async put(scopeParam: string, body: unknown): Promise<ScoreWeightsView> {
    const scope = parseScope(scopeParam);
    const weights = parseWeights(body);
    await this.store.put(scope, weights, this.now());
    await this.changed();

    return { scope, ...weights, builtIn: false };
  }

  async remove(scopeParam: string): Promise<void> {
    await this.store.delete(parseScope(scopeParam));
    await this.changed();
  }
}
