// Drives the Microsoft 365 Agents Playground's web page in headless Debian Chromium:
// say a promise, see the offer card, click Track, click Kept, ask for habits, see the streak.
// Usage: node e2e.js <playground url> <screenshot path>
// Prints one line per step; exits non-zero (with a screenshot) on any failure.
const { chromium } = require('playwright-core');

const [url, screenshot] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = 15000;

async function say(page, text) {
  const box = page.locator('[data-lexical-editor="true"]').first();
  await box.click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  console.log(`said: ${text}`);
}

async function see(page, text) {
  await page.getByText(text, { exact: false }).last().waitFor({ timeout: WAIT });
  console.log(`saw: ${text}`);
}

(async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    await page.goto(url);
    await see(page, "Hi, I'm Rapport.");                      // the welcome card on install
    await say(page, "I'll send the deck by Friday");
    await see(page, 'That sounds like a promise');
    await page.getByRole('button', { name: 'Track', exact: true }).last().click();
    console.log('clicked: Track');
    await see(page, 'Tracking your promise');
    await page.getByRole('button', { name: 'Kept', exact: true }).last().click();
    console.log('clicked: Kept');
    await see(page, 'Kept on time');
    await say(page, 'habits');
    await see(page, 'Keep your promises — streak 1');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`screenshot: ${screenshot}`);
  } catch (error) {
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
    console.error(`FAILED: ${error.message}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
