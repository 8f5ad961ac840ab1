// Browser smoke test of the demo: log in as demo/demo, open the TikTok LIVE
// creator's device page, then open every form of the integration in the
// demo's real Home Assistant (user, options, reconfigure, each reauth and each
// repair) and fail on a text Home Assistant could not render: "Translation
// error" (a placeholder the code did not supply, or one in a text the
// frontend shows unformatted), a raw "component.tiktok_live." key, a field
// shown by its internal name, or a dialog title cut off. Screenshots of each.
// Uses Debian's chromium through playwright-core (no browser download).
//
// Usage: node smoke.mjs BASE_URL SCREENSHOT_DIR
// Environment: DEMO_CONTROL_URL (the fake TikTok's fault control, e.g.
// http://127.0.0.1:8766/_control). The reauth and repair forms need it and the
// demo_check_hooks integration that scripts/demo_check.py installs; without
// them only the dashboard, device page, user, options and reconfigure forms
// are checked.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error("usage: node smoke.mjs BASE_URL SCREENSHOT_DIR");
  process.exit(2);
}
const control = process.env.DEMO_CONTROL_URL;
mkdirSync(outDir, { recursive: true });

const DOMAIN = "tiktok_live";
// Field keys of the forms: shown as such only when their label is missing.
const FIELD_KEYS = [
  "sign_api_key",
  "sign_server_url",
  "session_id",
  "tt_target_idc",
  "trust_sign_server",
  "bus_event_types",
  "like_milestone",
  "offline_check_interval",
  "connection_method",
];

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
let page;
const fail = async (message) => {
  console.error(`browser-smoke: ${message}`);
  if (page) {
    await page.screenshot({ path: `${outDir}/failure.png` }).catch(() => {});
    console.error(`browser-smoke: the page as it failed: ${outDir}/failure.png`);
  }
  await browser.close();
  process.exit(1);
};
const say = (message) => console.log(`browser-smoke: ${message}`);

// Every text the page shows, through shadow roots, with the labels, helpers
// and headings Home Assistant's elements hold as properties.
const pageText = (page) =>
  page.evaluate(() => {
    const out = [];
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        out.push(node.textContent);
        return;
      }
      if (node.nodeName === "STYLE" || node.nodeName === "SCRIPT") return;
      if (node.nodeType === Node.ELEMENT_NODE) {
        for (const prop of ["label", "helper", "heading", "header", "placeholder"]) {
          const value = node[prop];
          if (typeof value === "string" && value) out.push(value);
        }
        if (node.shadowRoot) walk(node.shadowRoot);
      }
      for (const child of node.childNodes) walk(child);
    };
    walk(document);
    return out.join("\n");
  });

// Dialog titles (h2 of the flow dialog's steps) wider than the room they have.
const cutTitles = (page) =>
  page.evaluate(() => {
    const cut = [];
    const walk = (root) => {
      for (const element of root.querySelectorAll("*")) {
        if (element.tagName === "H2" && element.scrollWidth > element.clientWidth + 1) {
          cut.push(`${element.textContent.trim()} (${element.scrollWidth} > ${element.clientWidth} px)`);
        }
        if (element.shadowRoot) walk(element.shadowRoot);
      }
    };
    const dialog = (function find(root) {
      for (const element of root.querySelectorAll("*")) {
        if (element.tagName === "DIALOG-DATA-ENTRY-FLOW") return element;
        if (element.shadowRoot) {
          const found = find(element.shadowRoot);
          if (found) return found;
        }
      }
      return null;
    })(document);
    if (dialog?.shadowRoot) walk(dialog.shadowRoot);
    return cut;
  });

let checked = 0;
const check = async (page, name, { expect = [] } = {}) => {
  await page.waitForTimeout(700); // let the dialog finish rendering
  const text = await pageText(page);
  const problems = [];
  for (const line of text.split("\n")) {
    if (/translation error/i.test(line)) problems.push(`"${line.trim()}"`);
    if (line.includes(`component.${DOMAIN}.`)) problems.push(`raw key "${line.trim()}"`);
  }
  for (const key of FIELD_KEYS) {
    if (new RegExp(`(^|\\s)${key}($|\\s)`).test(text)) problems.push(`field shown by its key ${key}`);
  }
  for (const wanted of expect) {
    if (!text.includes(wanted)) problems.push(`"${wanted}" not shown`);
  }
  for (const title of await cutTitles(page)) problems.push(`dialog title cut off: ${title}`);
  await page.screenshot({ path: `${outDir}/${name}.png` });
  if (problems.length) await fail(`${name}: ${[...new Set(problems)].join("; ")}`);
  checked += 1;
  say(`${name}: no translation error, nothing cut off (${outDir}/${name}.png)`);
};

// Home Assistant's own connection in the page (the frontend's hass object).
const connected = (page) =>
  page.waitForFunction(() => document.querySelector("home-assistant")?.hass?.connected, null, {
    timeout: 60000,
  });
const ws = async (page, message) => {
  await connected(page);
  return page.evaluate((m) => document.querySelector("home-assistant").hass.callWS(m), message);
};
const api = async (page, method, path, body) => {
  await connected(page);
  return page.evaluate(
    ([m, p, b]) => document.querySelector("home-assistant").hass.callApi(m, p, b),
    [method, path, body],
  );
};

const dialog = (page) => page.locator("dialog-data-entry-flow");
const openDialog = async (page) => {
  await dialog(page).locator("step-flow-form, step-flow-menu, step-flow-abort, step-flow-create-entry")
    .first()
    .waitFor({ timeout: 30000 });
};
// Close the dialog and end its flow if it is still open: a flow left in
// progress (a reconfigure) would keep Home Assistant from starting a reauth.
const closeDialog = async (page) => {
  await page.evaluate(async () => {
    const find = (root) => {
      for (const element of root.querySelectorAll("*")) {
        if (element.tagName === "DIALOG-DATA-ENTRY-FLOW") return element;
        const found = element.shadowRoot && find(element.shadowRoot);
        if (found) return found;
      }
      return null;
    };
    const flowDialog = find(document);
    const step = flowDialog?._step;
    if (step?.flow_id && !["abort", "create_entry"].includes(step.type)) {
      await flowDialog._params.flowConfig.deleteFlow(flowDialog.hass, step.flow_id).catch(() => {});
    }
  });
  await page.keyboard.press("Escape");
  await dialog(page).waitFor({ state: "detached", timeout: 15000 }).catch(() => {});
  await page.waitForTimeout(300);
};
const submit = async (page) => {
  await dialog(page).getByRole("button", { name: /submit|next/i }).click();
  await page.waitForTimeout(1000);
};
const fillField = (page, label, value) =>
  dialog(page).getByLabel(label, { exact: false }).first().fill(value);

const endReauths = async (page) => {
  for (const flow of await ws(page, { type: "config_entries/flow/progress" })) {
    if (flow.handler === DOMAIN && flow.context.source === "reauth") {
      await api(page, "DELETE", `config/config_entries/flow/${flow.flow_id}`);
    }
  }
};

const integrationPage = async (page) => {
  await page.goto(`${base}/config/integrations/integration/${DOMAIN}`, {
    waitUntil: "domcontentloaded",
  });
  await page.locator("text=@demo_streamer").first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(500);
};

const waitFor = async (what, test, seconds = 60) => {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await test();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await fail(`${what}: not within ${seconds} s`);
};

const fault = async (path) => {
  const response = await fetch(`${control}${path}`, {
    method: "POST",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) await fail(`fault control ${path}: ${response.status}`);
};

// The integration's texts, as the frontend loads them, for picking out rows.
const issueTitle = async (page, issue) => {
  const { resources } = await ws(page, {
    type: "frontend/get_translations",
    language: "en",
    category: "issues",
    integration: [DOMAIN],
  });
  let title = resources[`component.${DOMAIN}.issues.${issue.translation_key}.title`];
  for (const [key, value] of Object.entries(issue.translation_placeholders || {})) {
    title = title.replaceAll(`{${key}}`, value);
  }
  return title;
};
const ourIssue = async (page, key) =>
  (await ws(page, { type: "repairs/list_issues" })).issues.find(
    (i) => i.domain === DOMAIN && i.issue_id.startsWith(`${key}_`) && !i.ignored,
  );

const openRepair = async (page, key) => {
  const issue = await waitFor(`the ${key} repair`, () => ourIssue(page, key));
  const title = await issueTitle(page, issue);
  await page.goto(`${base}/config/repairs`, { waitUntil: "domcontentloaded" });
  await page.getByText(title, { exact: true }).first().click({ timeout: 60000 });
  await openDialog(page);
  return title;
};

try {
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/`, { waitUntil: "domcontentloaded" });

  // The login page: Home Assistant's own form, inside shadow DOM (Playwright pierces it).
  await page.locator('input[name="username"]').fill("demo", { timeout: 60000 });
  await page.locator('input[name="password"]').fill("demo");
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => !url.pathname.startsWith("/auth/"), { timeout: 60000 });
  say("logged in");

  // The dashboard the demo ships.
  await page.waitForSelector("text=@demo_streamer", { timeout: 60000 });
  await page.screenshot({ path: `${outDir}/dashboard.png` });
  say(`saved ${outDir}/dashboard.png`);

  // The integration's device page.
  await page.goto(`${base}/config/integrations/integration/${DOMAIN}`, { waitUntil: "domcontentloaded" });
  await page.locator("text=@demo_streamer").first().waitFor({ timeout: 60000 });
  await page.goto(`${base}/config/devices/dashboard`, { waitUntil: "domcontentloaded" });
  await page.locator("text=@demo_streamer").first().click({ timeout: 60000 });
  await page.waitForURL(/\/config\/devices\/device\//, { timeout: 60000 });
  await page.locator("text=Live").first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(1500); // let the cards finish rendering for the picture
  await page.screenshot({ path: `${outDir}/device.png`, fullPage: true });
  say(`saved ${outDir}/device.png (${page.url()})`);

  // The logbook tells the stream in words (the integration's logbook platform).
  await page.goto(`${base}/logbook`, { waitUntil: "domcontentloaded" });
  await page.locator("text=Stream started").first().waitFor({ timeout: 60000 });
  await page.locator("text=/sent \\d+ × /").first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(1000); // let the list finish rendering for the picture
  await page.screenshot({ path: `${outDir}/logbook.png` });
  say(`saved ${outDir}/logbook.png`);

  const [entry] = await ws(page, { type: "config_entries/get", domain: DOMAIN });
  if (!entry) await fail("no tiktok_live entry");

  // No flow of an earlier run left in progress (a reauth would make "Add
  // integration" offer it first).
  await endReauths(page);

  // ------------------------------------------------------------ user flow
  // What "Add integration" does (the page asks first whether to set it up).
  await page.goto(`${base}/config/integrations/dashboard/add?domain=${DOMAIN}`, {
    waitUntil: "domcontentloaded",
  });
  await page.locator("dialog-box").getByRole("button", { name: "OK" }).click({ timeout: 60000 });
  await openDialog(page);
  await dialog(page).getByText("Advanced", { exact: true }).click();
  await check(page, "flow-user", { expect: ["Follow a TikTok LIVE creator"] });
  await fillField(page, "Creator", "https://www.youtube.com/@demo_streamer");
  await fillField(page, "Sign server URL", "not a url");
  await submit(page);
  await check(page, "flow-user-errors", {
    expect: ["That is a link to another site.", "Enter the sign server as http://"],
  });
  await closeDialog(page);

  // ------------------------------------------------------- options flow
  await integrationPage(page);
  await page.getByRole("button", { name: "Configure" }).first().click();
  await openDialog(page);
  await check(page, "flow-options");
  await closeDialog(page);

  // --------------------------------------------------- reconfigure flow
  await integrationPage(page);
  await page.getByRole("button", { name: "Menu" }).first().click();
  await page.getByRole("menuitem", { name: "Reconfigure" }).first().click();
  await openDialog(page);
  await check(page, "flow-reconfigure", { expect: ["Change @demo_streamer"] });
  await fillField(page, "Creator", "https://vm.tiktok.com/ZMabc123/");
  await submit(page);
  await check(page, "flow-reconfigure-errors", { expect: ["TikTok short links cannot be followed here."] });
  await closeDialog(page);

  if (!control) {
    say("DEMO_CONTROL_URL not set: reauth and repair forms not checked");
  } else {
    // The hooks (installed by demo_check.py) raise what takes minutes of
    // evidence otherwise; "user not found" keeps the stream from connecting
    // meanwhile (a connection would dismiss every reauth and repair).
    if (!(await ws(page, { type: "config_entries/get", domain: "demo_check_hooks" })).length) {
      const hooks = await api(page, "POST", "config/config_entries/flow", {
        handler: "demo_check_hooks",
      });
      if (hooks.type !== "create_entry") await fail(`hooks entry: ${JSON.stringify(hooks)}`);
    }
    await fault("/fault/user_not_found");
    await ws(page, { type: "demo_check_hooks/fail", entry_id: entry.entry_id, cause: "user_not_found" });

    // -------------------------------------------- repair: user not found
    await openRepair(page, "user_not_found");
    await check(page, "repair-user_not_found", { expect: ["New handle"] });
    await fillField(page, "New handle", "https://vm.tiktok.com/ZMabc123/");
    await submit(page);
    await check(page, "repair-user_not_found-errors", {
      expect: ["TikTok short links cannot be followed here."],
    });
    await closeDialog(page);

    // ---------------------------------------------------- the reauths
    // What each reason's flow is named and shows, from the integration's
    // texts as the frontend loads them (the wording is the pytest suite's).
    const { resources: config } = await ws(page, {
      type: "frontend/get_translations",
      language: "en",
      category: "config",
      integration: [DOMAIN],
    });
    const text = (key) => config[`component.${DOMAIN}.config.${key}`];
    const reauths = [
      ["age_restricted", "reauth_session"],
      ["session_rejected", "reauth_session_rejected"],
      ["api_key_invalid", "reauth_api_key"],
    ];
    for (const [cause, step] of reauths) {
      const title = text(`step.${step}.title`);
      const flowTitle = text("flow_title")
        .replace("{name}", entry.title)
        .replace("{problem}", title);
      const raised = await ws(page, { type: "demo_check_hooks/fail", entry_id: entry.entry_id, cause });
      say(`raised ${cause}: ${JSON.stringify(raised)}`);
      await integrationPage(page);
      await page.getByText(flowTitle).first().waitFor({ timeout: 30000 });
      await check(page, `reauth-${cause}-listed`, { expect: [flowTitle, "Attention required"] });
      await page.getByRole("button", { name: "Reconfigure" }).first().click();
      await openDialog(page);
      await check(page, `reauth-${cause}`, { expect: [title] });
      if (cause !== "api_key_invalid") {
        // A malformed session: a clear error, and the toggle stays on.
        await fillField(page, "TikTok sessionid cookie", "not;a cookie");
        await dialog(page).getByRole("switch").first().click();
        await submit(page);
        await check(page, `reauth-${cause}-errors`, { expect: ["That is not a cookie value."] });
        const on = await dialog(page).getByRole("switch").first().isChecked();
        if (!on) await fail(`reauth-${cause}: the toggle was cleared by a failed submit`);
      }
      await closeDialog(page);
      await endReauths(page);
    }
    await page.goto(`${base}/config/repairs`, { waitUntil: "domcontentloaded" });
    await page.waitForTimeout(1500);
    await check(page, "repairs-list");

    // ------------------------------------------ repair: premium required
    await ws(page, { type: "demo_check_hooks/fail", entry_id: entry.entry_id, cause: "premium_required" });
    await openRepair(page, "premium_required");
    await check(page, "repair-premium_required", { expect: ["Enter a sign server API key"] });
    await closeDialog(page);

    // --------------------- repair: session not trusted, both ways out
    for (const [option, name] of [
      [/^Allow .* to receive the session$/, "trust"],
      ["Remove the session", "remove"],
    ]) {
      await ws(page, { type: "demo_check_hooks/fail", entry_id: entry.entry_id, cause: "session_not_trusted" });
      await openRepair(page, "session_not_trusted");
      await check(page, `repair-session_not_trusted-${name}-menu`);
      await dialog(page).getByText(option).first().click();
      await page.waitForTimeout(1000);
      if (name === "trust") {
        await check(page, "repair-session_not_trusted-trust-form", { expect: ["Allow "] });
        await submit(page);
      }
      await check(page, `repair-session_not_trusted-${name}-done`);
      await closeDialog(page);
    }

    // Back to normal: the fault cleared, the entry reloaded, the hooks gone.
    await fault("/clear");
    await api(page, "POST", `config/config_entries/entry/${entry.entry_id}/reload`);
    for (const hooks of await ws(page, { type: "config_entries/get", domain: "demo_check_hooks" })) {
      await api(page, "DELETE", `config/config_entries/entry/${hooks.entry_id}`);
    }
  }
  say(`${checked} views of the integration's forms checked`);
} catch (err) {
  await fail(String(err));
}
await browser.close();
