import { writeFileSync } from 'node:fs';
import { startDistributed } from '../../scripts/distributed';
import { prepareDatabase } from './infra';
async function main() {
  const mysqlUrl = 'mysql://root@127.0.0.1:3306/sms_bench_x';
  const key = await prepareDatabase(mysqlUrl);
  const t = await startDistributed({ mysqlUrl, redisUrl: 'redis://127.0.0.1:6379', kafkaBrokers: '127.0.0.1:9092', portOffset: 450, logLevel: 'warn',
    onOutput: (n, l) => process.stdout.write(`[${n}] ${l}\n`) });
  writeFileSync('/tmp/benchx/info.json', JSON.stringify({ key, url: t.intakeUrl, pids: Object.fromEntries(t.processes.map((p) => [p.name, p.child.pid])) }));
  console.log('UP');
  process.once('SIGTERM', () => void t.stop().then(() => process.exit(0)));
}
main();
