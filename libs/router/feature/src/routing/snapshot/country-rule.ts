import type { MobileNetwork } from '@sms/provider-port';

/** A country's sending rules as the decision reads them (the operator's country rule, or the default). */
export interface CountryRule {
  readonly allowedSenderTypes: readonly string[];
  readonly senderIdPolicy: 'allowed' | 'registration' | 'forbidden';
  readonly localNumberRequired: boolean;
  readonly blocked: boolean;
}

export const DEFAULT_COUNTRY_RULE: CountryRule = {
  allowedSenderTypes: [],
  senderIdPolicy: 'allowed',
  localNumberRequired: false,
  blocked: false,
};

/** Which rule a decision applied: the network's, the country's, or the defaults (no rule set). */
export interface AppliedRule {
  readonly rule: CountryRule;
  readonly level: 'network' | 'country' | 'default';
  /** The network the rule is for (`234-30`) when `level` is `network`; else null. */
  readonly network: string | null;
}

/** What ruleFor reads of a snapshot (kept structural so route-snapshot.ts can import this file). */
interface RuleSource {
  readonly rules: ReadonlyMap<string, CountryRule>;
  /** country → network (`234-30`) → rule. */
  readonly networkRules: ReadonlyMap<string, ReadonlyMap<string, CountryRule>>;
}

/** A network as network rules are keyed: `234-30`. */
export const networkRuleKey = (mcc: string, mnc: string): string => `${mcc}-${mnc}`;

/**
 * The rule in force for a destination: a rule for the network a lookup (or its cache) placed the number
 * on replaces the country's rule whole, since a ported number keeps the prefix of the network it left and
 * the operator set that network's rule for the network it is on now. With the network unknown, or no rule
 * for it, the country's rule (or the defaults) applies.
 */
export function ruleFor(source: RuleSource, country: string, network: MobileNetwork | null | undefined): AppliedRule {
  if (network) {
    const key = networkRuleKey(network.mcc, network.mnc);
    const rule = source.networkRules.get(country)?.get(key);
    if (rule) {
      return { rule, level: 'network', network: key };
    }
  }
  const rule = source.rules.get(country);

  return rule
    ? { rule, level: 'country', network: null }
    : { rule: DEFAULT_COUNTRY_RULE, level: 'default', network: null };
}
