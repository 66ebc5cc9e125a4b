export * from './receipts-pipeline';
export { type SimulatorServer, startSimulatorServer } from './simulator-server';
