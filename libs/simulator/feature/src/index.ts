export {
  DEFAULT_KNOBS,
  type DlrOutcomeWeights,
  type ErrorRates,
  SIMULATED_PROVIDERS,
  type SimulatedProvider,
  type SimulatorKnobs,
} from './simulator.knobs';
export { simulatorPlugin, type SimulatorOptions } from './simulator.plugin';
export {
  generateSimulatorAccounts,
  httpApiAccounts,
  isSimulatorAccounts,
  type SimulatorAccounts,
} from './simulator.accounts';
export {
  generateSimulatorToken,
  presentedCredential,
  type SimulatorControlAuth,
  type SimulatorControlVerdict,
  tokenControlAuth,
  webhookTargetPolicy,
} from './sim-access';
export { TARGET_REFUSED } from './simulator.callbacks';
export type { TwilioSimMessage, TwilioSimRejection } from './twilio-sim.store';
export type { SimRejection } from './sim-message.log';
export type { SinchSimCredentials, SinchSimMessage } from './sinch-sim.routes';
export type { VonageSimCredentials, VonageSimMessage, VonageWebhookFormat } from './vonage-sim.routes';
export { type AwsSimSettings } from './aws-sim.routes';
export type { AwsSimMessage, AwsSimRejection } from './aws-sim.store';
export { SmppSimServer, type SmppSimMessage, type SmppSimOptions } from './smpp-sim.server';
export { SimulatorState } from './simulator.state';
