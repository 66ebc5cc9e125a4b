export {
  DEFAULT_KNOBS,
  type DlrOutcomeWeights,
  type ErrorRates,
  SIMULATED_PROVIDERS,
  type SimulatedProvider,
  type SimulatorKnobs,
} from './simulator.knobs';
export { simulatorPlugin, type SimulatorOptions } from './simulator.plugin';
export type { TwilioSimMessage, TwilioSimRejection } from './twilio-sim.store';
export { SmppSimServer, type SmppSimMessage, type SmppSimOptions } from './smpp-sim.server';
export { SimulatorState } from './simulator.state';
