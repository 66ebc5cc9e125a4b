// Jest reads `testTimeout` from the global config only: set inside a project it is ignored, so each layer
// sets its default here (a setup file runs before every spec of its project; a spec may still set its own).
jest.setTimeout(30_000);
