export * from './receipts-pipeline';
export { type SimulatorServer, type SimulatorServerOptions, startSimulatorServer } from './simulator-server';
