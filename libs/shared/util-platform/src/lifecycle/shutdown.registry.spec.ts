import { ShutdownRegistry } from './shutdown.registry';

describe('ShutdownRegistry', () => {
  it('runs the phases in order: intake, consumers, flush, storage, whatever the order of registration', async () => {
    const registry = new ShutdownRegistry();
    const ran: string[] = [];
    const hook = (name: string) => async () => {
      await new Promise((resolve) => setTimeout(resolve, name === 'bucket-flush' ? 20 : 1));
      ran.push(name);
    };
    registry.register('storage', 'db-close', hook('db-close'));
    registry.register('flush', 'bucket-flush', hook('bucket-flush'));
    registry.register('consumers', 'bus-stop', hook('bus-stop'));
    registry.register('intake', 'scheduler-stop', hook('scheduler-stop'));

    await registry.runAll();

    expect(ran).toEqual(['scheduler-stop', 'bus-stop', 'bucket-flush', 'db-close']);
  });

  it('runs every hook once, goes on past a failed one, and reports shutting down', async () => {
    const registry = new ShutdownRegistry();
    const closed = jest.fn(async () => undefined);
    registry.register('flush', 'fails', async () => {
      throw new Error('store away');
    });
    registry.register('storage', 'close', closed);

    await Promise.all([registry.runAll(), registry.runAll()]);

    expect(closed).toHaveBeenCalledTimes(1);
    expect(registry.isShuttingDown).toBe(true);
  });
});
