/**
 * What wakes a process, by source (bench/idle-census.bench.ts). Loaded with `-r` into a service, it counts:
 *
 *  - every timer callback that runs, keyed by where the timer was armed (the first stack frame outside Node
 *    and this file: a package in node_modules, or our file and line);
 *  - every kafkajs request sent, keyed by client id and API (Fetch, Heartbeat, OffsetCommit, Metadata...);
 *  - every socket `data` event, keyed by the remote port (9092 Kafka, 3306 MariaDB, 6379 Redis, HTTP).
 *
 * SIGUSR2 writes the counts since the previous signal to `$WAKEUP_CENSUS_DIR/<name>.json` and starts over,
 * so the bench brackets a window with two signals. Measurement only: the stack captured per timer costs
 * CPU, so the process's CPU is read in a window of its own without this preload.
 */
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const dir = process.env.WAKEUP_CENSUS_DIR;
const name = process.env.WAKEUP_CENSUS_NAME || String(process.pid);
let counts = new Map();
const bump = (key) => counts.set(key, (counts.get(key) || 0) + 1);

/** The first frame that is neither Node's nor this file's, shortened to a package or a repo path. */
function armedAt() {
  const frames = (new Error().stack || '').split('\n').slice(2);
  for (const frame of frames) {
    if (frame.includes('node:') || frame.includes(__filename) || !frame.includes('/')) continue;
    const location = frame.replace(/^\s*at\s+/, '');
    const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*?):(\d+):\d+\)?$/.exec(location);
    if (inPackage) return `${inPackage[1]}/${inPackage[2]}:${inPackage[3]}`;
    const ours = /\/((?:libs|apps|scripts|bench|test)\/.*?):(\d+):\d+\)?$/.exec(location);
    if (ours) return `${ours[1]}:${ours[2]}`;
  }
  return 'unknown';
}

function wrapTimer(original, kind) {
  return function censusTimer(callback, ...rest) {
    if (typeof callback !== 'function') return original.call(this, callback, ...rest);
    const key = `${kind} ${armedAt()}`;
    return original.call(
      this,
      function countedCallback(...args) {
        bump(key);
        return callback.apply(this, args);
      },
      ...rest,
    );
  };
}

globalThis.setTimeout = wrapTimer(globalThis.setTimeout, 'timeout');
globalThis.setInterval = wrapTimer(globalThis.setInterval, 'interval');

const emit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function censusEmit(event, ...args) {
  if (event === 'data') bump(`data from port ${this.remotePort}`);
  return emit.call(this, event, ...args);
};

try {
  const Connection = require(require.resolve('kafkajs/src/network/connection', { paths: [process.cwd()] }));
  const send = Connection.prototype.send;
  Connection.prototype.send = function censusSend(protocolRequest) {
    bump(`kafka ${this.clientId} ${protocolRequest.request.apiName}`);
    return send.call(this, protocolRequest);
  };
} catch {
  // A process without kafkajs (the simulator) has no requests to count.
}

process.on('SIGUSR2', () => {
  if (!dir) return;
  const snapshot = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
  counts = new Map();
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(snapshot, null, 1));
  fs.renameSync(`${file}.tmp`, file);
});
