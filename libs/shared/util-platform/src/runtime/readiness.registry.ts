import { Injectable } from '@nestjs/common';

type Check = () => Promise<boolean>;

/** What `/readyz` asks: each module registers the dependencies it cannot work without. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, Check>();

  register(name: string, check: Check): void {
    this.checks.set(name, check);
  }

  async evaluate(timeoutMs = 1500): Promise<Record<string, boolean>> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());

        return [name, await Promise.race([check().catch(() => false), timeout])] as const;
      }),
    );

    return Object.fromEntries(entries);
  }
}
