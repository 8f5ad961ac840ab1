// Browser smoke test of the demo: log in as demo/demo, open the TikTok LIVE
// creator's device page, and save a screenshot. Uses Debian's chromium through
// playwright-core (no browser download).
//
// Usage: node smoke.mjs BASE_URL SCREENSHOT_DIR
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error("usage: node smoke.mjs BASE_URL SCREENSHOT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const fail = async (message) => {
  console.error(`browser-smoke: ${message}`);
  await browser.close();
  process.exit(1);
};

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/`, { waitUntil: "domcontentloaded" });

  // The login page: Home Assistant's own form, inside shadow DOM (Playwright pierces it).
  await page.locator('input[name="username"]').fill("demo", { timeout: 60000 });
  await page.locator('input[name="password"]').fill("demo");
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => !url.pathname.startsWith("/auth/"), { timeout: 60000 });
  console.log("browser-smoke: logged in");

  // The dashboard the demo ships.
  await page.waitForSelector("text=@demo_streamer", { timeout: 60000 });
  await page.screenshot({ path: `${outDir}/dashboard.png` });
  console.log(`browser-smoke: saved ${outDir}/dashboard.png`);

  // The integration's device page.
  await page.goto(`${base}/config/integrations/integration/tiktok_live`, { waitUntil: "domcontentloaded" });
  await page.locator("text=@demo_streamer").first().waitFor({ timeout: 60000 });
  await page.goto(`${base}/config/devices/dashboard`, { waitUntil: "domcontentloaded" });
  await page.locator("text=@demo_streamer").first().click({ timeout: 60000 });
  await page.waitForURL(/\/config\/devices\/device\//, { timeout: 60000 });
  await page.locator("text=Live").first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(1500); // let the cards finish rendering for the picture
  await page.screenshot({ path: `${outDir}/device.png`, fullPage: true });
  console.log(`browser-smoke: saved ${outDir}/device.png (${page.url()})`);
} catch (err) {
  await fail(String(err));
}
await browser.close();
