// Runs the TypeScript sources directly (npm start, the service apps, benches): SWC compiles each file
// on load, with decorator metadata for Nest and the tsconfig path aliases (@sms/*). Type checking is
// a separate step (npm run check), so start-up stays fast.
const path = require('node:path');

process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
