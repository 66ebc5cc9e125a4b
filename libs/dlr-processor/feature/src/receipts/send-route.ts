/**
 * What the router's route quality needs of a receipt's send: copied onto the receipt's status event, so the
 * router replica that counts the receipt need not have seen the send (docs/routing.md).
 */
export interface SendRoute {
  /** When the provider accepted the send, epoch ms. */
  readonly sentAt: number;
  readonly country: string | null;
  readonly network: string | null;
}
