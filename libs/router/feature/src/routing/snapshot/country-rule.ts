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
