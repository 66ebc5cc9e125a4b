/**
 * Screenshots of every console page for docs/console.md: `npm run console:screenshots`. Starts its own
 * embedded gateway (throw-away data), sends a few messages and sets up an opt-out, a mask and a webhook so
 * the pages have something to show, then writes docs/console/<page>.png (light theme, and one dark and one
 * phone-sized view).
 */
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { GatewayClient } from '@sms/testing';
import { signIn, startConsoleFixture, TEST_API_KEY } from './console-fixture';

const OUT = path.resolve(__dirname, '../../docs/console');

async function seed(api: GatewayClient): Promise<string> {
  let last = '';
  for (const [to, body] of [
    ['+447400123456', 'Your code is 123456'],
    ['+14155550100', 'Your order has shipped'],
    ['+33612345678', 'Rendez-vous demain à 10h'],
  ] as const) {
    const sent = await api.post('/v1/messages', { to, body, clientReference: 'docs' });
    last = sent.body.id;
  }
  await api.post('/v1/opt-outs', { number: '+447400999888', reason: 'asked by phone' });
  await api.post('/v1/masks', { partyA: '+447400111222', partyB: '+447400333444', contextId: 'order-42' });
  await api.post('/v1/webhooks', { url: 'https://hooks.example.invalid/sms', events: ['message.status'] });

  return last;
}

async function shoot(
  page: Page,
  route: string,
  name: string,
  waitFor?: (page: Page) => Promise<unknown>,
): Promise<void> {
  await page.goto(`/console${route}`);
  await page.locator('h1').first().waitFor();
  await (waitFor ? waitFor(page) : page.waitForLoadState('networkidle'));
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  process.stdout.write(`docs/console/${name}.png\n`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const fixture = await startConsoleFixture();
  try {
    const api = new GatewayClient(fixture.gateway.url, { authorization: `Bearer ${TEST_API_KEY}` });
    const messageId = await seed(api);
    const page = await fixture.newPage();
    await page.goto('/console/');
    await page.screenshot({ path: path.join(OUT, 'sign-in.png') });
    await signIn(page, TEST_API_KEY);
    await page.waitForTimeout(1_500);
    const pages: [string, string][] = [
      ['/', 'overview'],
      ['/messages', 'messages'],
      [`/messages/${messageId}`, 'message-timeline'],
      ['/inbound', 'inbound'],
      ['/routing', 'routing'],
      ['/explain?to=%2B447400123456&messageClass=transactional', 'explain'],
      ['/health', 'provider-health'],
      ['/opt-outs', 'opt-outs'],
      ['/masks', 'masks'],
      ['/api-keys', 'api-keys'],
      ['/webhooks', 'webhooks'],
      ['/limits', 'limits'],
      ['/simulator', 'simulator'],
    ];
    for (const [route, name] of pages) {
      await shoot(page, route, name);
    }
    const dark = await fixture.newPage({ colorScheme: 'dark' });
    await signIn(dark, TEST_API_KEY);
    await shoot(dark, '/messages', 'messages-dark');
    const phone = await fixture.newPage({ width: 390, height: 844 });
    await signIn(phone, TEST_API_KEY);
    await shoot(phone, `/messages/${messageId}`, 'message-phone');
  } finally {
    await fixture.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `screenshots failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
