/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against an embedded gateway
 * serving its build: what a support engineer and an operator do, end to end through the public API.
 */
import 'reflect-metadata';
import { GatewayClient } from '@sms/testing';
import type { ConsoleMessage, Page } from 'playwright-core';
import { type ConsoleFixture, signIn, startConsoleFixture, TEST_API_KEY } from './console-fixture';

jest.setTimeout(120_000);

let fixture: ConsoleFixture;
let api: GatewayClient;
/** Browser console errors of every page (a CSP violation or an uncaught error shows up here). */
const browserErrors: string[] = [];

beforeAll(async () => {
  fixture = await startConsoleFixture();
  api = new GatewayClient(fixture.gateway.url, { authorization: `Bearer ${TEST_API_KEY}` });
});

afterAll(async () => {
  await fixture?.close();
});

async function openPage(): Promise<Page> {
  const page = await fixture.newPage();
  page.on('console', (message: ConsoleMessage) => {
    // The API's own 4xx answers are logged by Chromium as failed loads: they are expected and shown in the page.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      browserErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => browserErrors.push(error.message));

  return page;
}

/** Reads `read` until `done` holds or `timeoutMs` passes; returns the last value read (the assertion judges it). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }

  return value;
}

const inAnHour = (): string => new Date(Date.now() + 3_600_000).toISOString();

const recipient = (): string => `+4474009${String(Math.floor(Math.random() * 90_000) + 10_000)}`;

describe('the web console', () => {
  it('signs in with a key, shows the account and its scopes, and signs out clearing the key', async () => {
    const page = await openPage();
    await page.goto('/console/');
    await page.getByLabel('API key').fill('smsgw_not_a_key_of_this_gateway_000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The API's own wording: a 401 with its code.
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/401/);

    await page.getByLabel('API key').fill(TEST_API_KEY);
    await page.getByLabel('API key').press('Enter');
    const scopes = page.getByLabel('Scopes of this key');
    await scopes.waitFor();
    expect(await scopes.textContent()).toBe('sendreadadminoperator');
    expect(await page.evaluate('sessionStorage.length')).toBe(1);
    expect(await page.evaluate('localStorage.length')).toBe(0);

    // Still signed in after a reload (sessionStorage), gone after sign-out.
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('shows a message sent from the API reaching delivered, live', async () => {
    const to = recipient();
    const sent = await api.post('/v1/messages', { to, body: 'watch me arrive', clientReference: 'browser-live' });
    expect(sent.status).toBe(202);
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    // A deep link straight to the message: the server answers index.html, the app routes.
    await page.goto(`/console/messages/${sent.body.id}`);
    const summary = page.locator('dl.summary');
    await summary.getByText('delivered', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await summary.textContent()).toContain(to);
    // Each event the API recorded is listed, ending with the receipt's delivered.
    const events = page.getByRole('region', { name: 'Events' }).getByRole('listitem');
    await expect(events.last().textContent()).resolves.toContain('delivered');
  });

  it('searches messages by the API filters and pages through them', async () => {
    const to = recipient();
    for (let i = 0; i < 3; i += 1) {
      expect((await api.post('/v1/messages', { to, body: `search ${i}`, clientReference: `search-${i}` })).status).toBe(
        202,
      );
    }
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    await page.goto('/console/messages');
    const search = page.getByRole('search', { name: 'Search messages' });
    await search.getByLabel('To (E.164)').fill(to);
    await search.getByLabel('Per page').selectOption('25');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/to=/);
    const rows = page.getByRole('table', { name: 'Messages' }).locator('tbody tr');
    expect(
      await eventually(
        () => rows.count(),
        (n) => n === 3,
      ),
    ).toBe(3);

    await search.getByLabel('Client reference').fill('search-1');
    await search.getByRole('button', { name: 'Search' }).click();
    expect(
      await eventually(
        () => rows.count(),
        (n) => n === 1,
      ),
    ).toBe(1);
    expect(await rows.first().textContent()).toContain('search-1');

    // Two per page (a deep link with the limit): Older follows the API's cursor, Newer comes back.
    await page.goto(`/console/messages?to=${encodeURIComponent(to)}&limit=2`);
    expect(
      await eventually(
        () => rows.count(),
        (n) => n === 2,
      ),
    ).toBe(2);
    const firstPage = await rows.allTextContents();
    const pages = page.getByRole('navigation', { name: 'Pages' });
    await pages.getByRole('button', { name: 'Older' }).click();
    expect(
      await eventually(
        () => rows.count(),
        (n) => n === 1,
      ),
    ).toBe(1);
    expect(firstPage).not.toContain(await rows.first().textContent());
    expect(await pages.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    await pages.getByRole('button', { name: 'Newer' }).click();
    expect(
      await eventually(
        () => rows.allTextContents(),
        (texts) => texts.length === 2,
      ),
    ).toEqual(firstPage);

    // A status filter that none of them has finds nothing.
    await search.getByLabel('Client reference').fill('');
    await search.getByRole('checkbox', { name: 'cancelled' }).check();
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No message matches.').waitFor();
  });

  it('lists every event of a message on its page', async () => {
    const sent = await api.post('/v1/messages', { to: recipient(), body: 'events' });
    await api.waitForMessage(sent.body.id, (message) => message.status === 'delivered');
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('link').filter({ hasText: /\d{4}/ }).first().click();
    await page.waitForURL(/\/console\/messages\/[0-9a-f-]+$/);
    const items = page.getByRole('region', { name: 'Events' }).getByRole('listitem');
    expect(
      await eventually(
        () => items.count(),
        (n) => n >= 3,
      ),
    ).toBeGreaterThanOrEqual(3);
  });

  it('opens the timeline: attempts with provider and cost, the route, raw receipts', async () => {
    const sent = await api.post('/v1/messages', { to: recipient(), body: 'timeline' });
    await api.waitForMessage(sent.body.id, (message) => message.status === 'delivered');
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    await page.goto(`/console/messages/${sent.body.id}`);
    const attempts = page.getByRole('region', { name: 'Attempts', exact: true });
    await attempts.locator('tbody tr').first().waitFor();
    expect(await attempts.textContent()).toMatch(/\d+\.\d{2,} [A-Z]{3}/);
    const route = page.getByRole('region', { name: 'Why this route', exact: true });
    await route.getByText('Explain the route this number would take now').waitFor();
    expect(await route.textContent()).toContain('best score');
    await page.getByLabel('Receipt body, as the provider sent it').first().waitFor();
  });

  it('changes a rate on the routing page and the explanation changes with it', async () => {
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    const explainWinner = async (): Promise<string> => {
      await page.goto('/console/explain?to=%2B447400123456&messageClass=transactional');
      const chosen = page.locator('.candidate-chosen strong').first();
      await chosen.waitFor();

      return (await chosen.textContent()) ?? '';
    };
    const before = await explainWinner();
    expect(before).not.toBe('');

    await page.getByRole('link', { name: 'Routing' }).click();
    await page.getByLabel('Show country (ISO code)').fill('GB');
    const price = page.getByLabel(`Price of ${before} to GB`, { exact: true });
    await price.fill('0.9900');
    const row = page.getByRole('row').filter({ has: price });
    await row.getByRole('button', { name: 'Save' }).click();
    expect(await eventually(() => row.getByRole('button', { name: 'Save' }).isDisabled(), Boolean)).toBe(true);

    // The router reads the price book it publishes periodically: the winner changes once it has.
    expect(await eventually(explainWinner, (winner) => winner !== before, 30_000)).not.toBe(before);
  });

  it('shows the API validation error of an edit form as the API words it', async () => {
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    await page.goto('/console/routing');
    await page.getByText('Add a rate').click();
    const form = page.getByRole('form', { name: 'Add a rate' });
    await form.getByLabel('provider').fill('twilio');
    await form.getByLabel('country').fill('GB');
    await form.getByLabel('price').fill('not-a-price');
    await form.getByRole('button', { name: 'Add rate' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^(400|422) [A-Z_]+/);
  });

  it("lists the account's masked sessions, newest first", async () => {
    const partyA = recipient();
    const opened = await api.post('/v1/masks', { partyA, partyB: recipient() });
    expect(opened.status).toBe(201);
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    await page.goto('/console/masks');
    const sessions = page.getByRole('region', { name: 'Sessions', exact: true });
    await sessions.getByText(partyA, { exact: false }).first().waitFor();
    expect(await sessions.locator('tbody tr').first().textContent()).toContain(partyA);
  });

  it('adds an opt-out, shows its history, and removes it', async () => {
    const number = recipient();
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    await page.goto('/console/opt-outs');
    await page.getByLabel('Number to opt out').fill(number);
    await page.getByLabel('Reason (optional)').fill('asked by phone');
    await page.getByRole('button', { name: 'Add opt-out' }).click();
    const table = page.getByRole('table', { name: 'Opt-outs' });
    const row = table.getByRole('row').filter({ hasText: number });
    await row.waitFor();

    await row.getByRole('button', { name: `History of ${number}` }).click();
    await page.getByRole('heading', { name: `History of ${number}` }).waitFor();
    expect(await page.getByRole('region', { name: `History of ${number}` }).textContent()).toContain('opted out');

    await row.getByRole('button', { name: `Remove opt-out of ${number}` }).click();
    await row.waitFor({ state: 'detached' });
    const listed = await api.get(`/v1/opt-outs?number=${encodeURIComponent(number)}`);
    expect(listed.body.data).toEqual([]);
  });

  it('a read-only key sees no edit controls, and the API 403 is shown where it navigates anyway', async () => {
    const page = await openPage();
    await signIn(page, fixture.readOnlyKey);
    const nav = page.getByRole('navigation', { name: 'Console' });
    const links = await nav.getByRole('link').allTextContents();
    expect(links).toEqual(expect.arrayContaining(['Messages', 'Opt-outs', 'Explain a route']));
    for (const hidden of ['Routing', 'API keys', 'Webhooks', 'Simulator']) {
      expect(links).not.toContain(hidden);
    }

    await nav.getByRole('link', { name: 'Opt-outs' }).click();
    await page.getByText('Adding an opt-out needs the').waitFor();
    expect(await page.getByRole('button', { name: 'Add opt-out' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Remove/ }).count()).toBe(0);

    await page.goto('/console/messages');
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    expect(await page.getByText('Send a message').count()).toBe(0);

    // A queued message could be cancelled by a send key: a read key gets neither cancel nor resend.
    const sent = await api.post('/v1/messages', { to: recipient(), body: 'read only', sendAt: inAnHour() });
    await page.goto(`/console/messages/${sent.body.id}`);
    await page.locator('dl.summary').getByText('scheduled', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /Cancel|Send as new/ }).count()).toBe(0);

    await page.goto('/console/routing');
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^403 /);
  });

  it('the simulator sends a STOP and the opt-out appears', async () => {
    const handset = recipient();
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    await page.getByRole('link', { name: 'Simulator' }).click();
    await page.getByLabel('From (the handset)').fill(handset);
    await page.getByLabel('To (one of our numbers)').fill('+447400900998');
    await page.getByRole('button', { name: 'Send STOP' }).click();
    await page.getByText('Sent: the gateway received it').waitFor();

    const optOuts = async (): Promise<number> =>
      (await api.get(`/v1/opt-outs?number=${encodeURIComponent(handset)}`)).body.data.length;
    expect(await eventually(optOuts, (count) => count > 0)).toBeGreaterThan(0);
  });

  it('is usable with the keyboard: skip link, menu links and forms', async () => {
    const page = await openPage();
    await page.goto('/console/');
    await page.getByLabel('API key').focus();
    await page.keyboard.type(TEST_API_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    const link = page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Opt-outs' });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Opt-outs', level: 1 }).waitFor();
    // Focus moves to the new page's content, announced by its heading.
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
  });

  it("shows the overview's live counts and spend", async () => {
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    await page.getByRole('region', { name: 'Totals' }).getByText('spend today').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('shows conversations and provider health', async () => {
    const page = await openPage();
    await signIn(page, TEST_API_KEY);
    await page.goto('/console/inbound');
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.goto('/console/health');
    await page.locator('figure.health').first().waitFor();
  });

  it('raised no browser error (a CSP violation or an uncaught exception) on any page', () => {
    expect(browserErrors).toEqual([]);
  });
});
