import { ApiKeyService, ApiScope } from '@sms/auth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildConsole } from '../../scripts/console-build';
import {
  type EmbeddedGateway,
  startEmbeddedGateway,
  TEST_API_KEY,
} from '../../apps/gateway/test/embedded-gateway.harness';
import { launchChromium } from './chromium';

export { TEST_API_KEY };

/** A fresh console build (when stale), an embedded gateway serving it, and a headless Chromium. */
export interface ConsoleFixture {
  readonly gateway: EmbeddedGateway;
  readonly browser: Browser;
  /** A key of the default account with `read` only. */
  readonly readOnlyKey: string;
  newPage(options?: { colorScheme?: 'light' | 'dark'; width?: number; height?: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const build = buildConsole();
  if (build.outcome === 'failed' || build.outcome === 'no-vite') {
    throw new Error(`the console could not be built: ${build.detail}`);
  }
  const gateway = await startEmbeddedGateway();
  const { key: readOnlyKey } = await gateway.app.get(ApiKeyService).create('console read-only', [ApiScope.Read]);
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];

  return {
    gateway,
    browser,
    readOnlyKey,
    newPage: async (options = {}) => {
      const context = await browser.newContext({
        baseURL: gateway.url,
        colorScheme: options.colorScheme ?? 'light',
        viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
        timezoneId: 'Europe/London',
        locale: 'en-GB',
      });
      contexts.push(context);

      return context.newPage();
    },
    close: async () => {
      for (const context of contexts) {
        await context.close().catch(() => undefined);
      }
      await browser.close();
      await gateway.close();
    },
  };
}

/** Signs in through the form, as a user does. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.goto('/console/');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
