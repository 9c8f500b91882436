// The dashboard in a real browser: headless Chromium driven over the DevTools protocol (see
// _cdp.ts for why no library), against the handler served in-process on 127.0.0.1, port 0.
import assert from "node:assert/strict";
import { normalizeCityName } from "../../src/city_names.ts";
import { createHandler } from "../../src/handler.ts";
import { Browser, type CdpEvent, CHROMIUM, hasChromium, type Page } from "../_cdp.ts";
import { bundled, datasetOf, ROOT } from "../_helpers.ts";

const OUTPUT = new URL("test-output/", ROOT);
const HOSTILE = "<img src=x onerror=alert(1)>";

const available = hasChromium();

/** Page problems worth failing for: script exceptions, CSP violations, dialogs. */
function watchProblems(browser: Browser, page: Page): { problems: string[]; stop: () => void } {
  const problems: string[] = [];
  const stop = browser.on((event: CdpEvent) => {
    if (event.sessionId !== page.sessionId) return;
    if (event.method === "Runtime.exceptionThrown") {
      problems.push(`exception: ${event.params.exceptionDetails.exception?.description}`);
    } else if (event.method === "Log.entryAdded" && event.params.entry.level === "error") {
      const { source, text, url } = event.params.entry;
      // Chromium asks for /favicon.ico on its own; the API rightly answers 404.
      if (!(source === "network" && String(url).endsWith("/favicon.ico"))) {
        problems.push(`${source}: ${text}`);
      }
    } else if (event.method === "Page.javascriptDialogOpening") {
      problems.push(`dialog: ${event.params.message}`);
      void page.send("Page.handleJavaScriptDialog", { accept: false });
    }
  });
  return { problems, stop };
}

/** A page 1280 px wide and `height` high, with its problems watched and the domains the tests use on. */
async function openPage(browser: Browser, height: number) {
  const page = await browser.newPage();
  const watch = watchProblems(browser, page);
  await page.send("Page.enable");
  await page.send("Runtime.enable");
  await page.send("Log.enable");
  await page.send("Emulation.setDeviceMetricsOverride", {
    width: 1280,
    height,
    deviceScaleFactor: 1,
    mobile: false,
  });
  return { page, watch };
}

const visibleNames = `[...document.querySelectorAll(".city")]
  .filter((card) => card.getClientRects().length > 0)
  .map((card) => card.querySelector("h3").firstChild.textContent.trim())`;

Deno.test({
  name: available
    ? "dashboard in headless Chromium: every city, search as you type, units toggle, no-JS, reload"
    : `dashboard in headless Chromium (ignored: ${CHROMIUM} is missing; .ci/run installs it with apt-get)`,
  ignore: !available,
  async fn(t) {
    const source = { current: bundled };
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      createHandler(source),
    );
    const home = `http://127.0.0.1:${server.addr.port}/`;
    await using browser = await Browser.launch();
    const { page, watch } = await openPage(browser, 900);
    await Deno.mkdir(OUTPUT, { recursive: true });
    const names = bundled.cities.map((city) => city.name);

    await t.step("renders every city from the data file", async () => {
      await page.load(home);
      assert.equal(await page.evaluate("document.contentType"), "text/html");
      assert.deepEqual(await page.evaluate(visibleNames), names);
      assert.equal(await page.evaluate(`document.querySelector(".temp").textContent`), "14.2 °C");
      // The script showed the search box and started the local clocks.
      assert.equal(await page.evaluate(`document.getElementById("q").getClientRects().length`), 1);
      // Local time carries its date, as the observation time does, and each observation its age.
      await page.waitFor(`[...document.querySelectorAll("time[data-tz]")]
        .every((clock) => /^[A-Z][a-z]{2} \\d{1,2} [A-Z][a-z]{2}, \\d\\d:\\d\\d$/.test(clock.textContent))`);
      assert.equal(
        await page.evaluate(`[...document.querySelectorAll(".ago")]
          .filter((age) => / \\((just now|\\d+ (min|h|days) ago)\\)$/.test(age.textContent)).length`),
        names.length,
      );
      await page.screenshot(new URL("dashboard.png", OUTPUT));
    });

    await t.step("filters the list as you type in the search box", async () => {
      await page.press("/", "Slash", 191, "/"); // the keyboard shortcut focuses the search box
      assert.equal(await page.evaluate("document.activeElement.id"), "q");
      await page.type("sao");
      const expected = names.filter((name) => normalizeCityName(name).includes("sao"));
      assert.ok(expected.length > 0 && expected.length < names.length);
      assert.deepEqual(
        await page.waitFor(`(() => { const shown = ${visibleNames};
        return shown.length === ${expected.length} ? shown : null; })()`),
        expected,
      );
      assert.equal(
        await page.evaluate(`document.getElementById("status").textContent`),
        `${expected.length} of ${names.length} match`,
      );
      await page.screenshot(new URL("dashboard-search.png", OUTPUT));
      await page.type("xyz");
      await page.waitFor(`${visibleNames}.length === 0`);
      assert.equal(await page.evaluate(`document.getElementById("none").hidden`), false);
      await page.press("Escape", "Escape", 27);
      await page.waitFor(`${visibleNames}.length === ${names.length}`);
    });

    await t.step("switches to imperial units in place, and the URL follows", async () => {
      await page.evaluate("window.sameDocument = true");
      await page.click('a[data-units="imperial"]');
      await page.waitFor(`document.querySelector(".temp").textContent === "57.6 °F"`);
      assert.equal(await page.evaluate("window.sameDocument"), true); // no navigation
      assert.equal(await page.evaluate("location.search"), "?units=imperial");
      assert.equal(
        await page.evaluate(`document.querySelector("a[aria-current]").dataset.units`),
        "imperial",
      );
      assert.ok(
        await page.evaluate(`[...document.querySelectorAll(".temp")]
        .every((element) => element.textContent.endsWith(" °F"))`),
      );
      await page.load(); // a reload keeps imperial, now rendered by the server
      assert.equal(await page.evaluate(`document.querySelector(".temp").textContent`), "57.6 °F");
      await page.click('a[data-units="metric"]');
      await page.waitFor(`document.querySelector(".temp").textContent === "14.2 °C"`);
    });

    await t.step("works without JavaScript: the list and links are plain HTML", async () => {
      await page.send("Emulation.setScriptExecutionDisabled", { value: true });
      await page.load(`${home}?units=imperial`);
      assert.deepEqual(await page.evaluate(visibleNames), names);
      assert.equal(await page.evaluate(`document.querySelector(".temp").textContent`), "57.6 °F");
      assert.equal(await page.evaluate(`document.getElementById("q").getClientRects().length`), 0);
      assert.equal(
        await page.evaluate(`document.querySelector(".city a.json").getAttribute("href")`),
        "/weather/Tokyo",
      );
      await page.send("Emulation.setScriptExecutionDisabled", { value: false });
    });

    await t.step("looks right at phone width and in dark mode", async () => {
      await page.send("Emulation.setDeviceMetricsOverride", {
        width: 390,
        height: 844,
        deviceScaleFactor: 2,
        mobile: true,
      });
      await page.load(home);
      const overflow = await page.evaluate("document.documentElement.scrollWidth - innerWidth");
      assert.equal(overflow, 0, "no horizontal scrolling at 390 px");
      await page.screenshot(new URL("dashboard-phone.png", OUTPUT));
      await page.send("Emulation.setEmulatedMedia", {
        features: [{ name: "prefers-color-scheme", value: "dark" }],
      });
      await page.screenshot(new URL("dashboard-phone-dark.png", OUTPUT));
      await page.send("Emulation.setEmulatedMedia", { features: [] });
    });

    await t.step("shows the new data after a reload, hostile names as text", async () => {
      const [first, second] = bundled.cities;
      source.current = await datasetOf({
        cities: [
          { ...first!, name: HOSTILE, current: { ...first!.current, condition: "<b>bold</b>" } },
          { ...second!, name: "</script><script>alert(2)</script>" },
        ],
      });
      await page.load();
      assert.deepEqual(await page.evaluate(visibleNames), [HOSTILE, "</script><script>alert(2)</script>"]);
      assert.equal(
        await page.evaluate(`document.querySelectorAll("main img, main b, main script").length`),
        0,
      );
      assert.equal(await page.evaluate(`document.querySelector(".cond").textContent`), "<b>bold</b>");
    });

    watch.stop();
    assert.deepEqual(watch.problems, [], "no script errors, CSP violations or dialogs");
  },
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

Deno.test({
  name: available
    ? "city page in headless Chromium: chart drawn, no CSP violations, screenshot, no-JS"
    : `city page in headless Chromium (ignored: ${CHROMIUM} is missing; .ci/run installs it with apt-get)`,
  ignore: !available,
  async fn(t) {
    const source = { current: bundled };
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      createHandler(source, { frozenClock: Date.parse("2026-11-23T12:00:00Z") }),
    );
    const origin = `http://127.0.0.1:${server.addr.port}`;
    await using browser = await Browser.launch();
    const { page, watch } = await openPage(browser, 1100);
    await Deno.mkdir(OUTPUT, { recursive: true });
    const chartBox = `(() => { const box = document.querySelector("svg.chart").getBoundingClientRect();
      return { width: box.width, height: box.height }; })()`;

    await t.step("is reached from the dashboard card's name", async () => {
      await page.load(`${origin}/`);
      await page.click(".city h3 a");
      await page.waitFor(`location.pathname === "/city/Tokyo"`);
      await page.waitFor(`document.readyState === "complete"`);
    });

    await t.step("draws the chart with its labels and the tables", async () => {
      await page.load(`${origin}/city/Tokyo`);
      assert.equal(
        await page.evaluate("document.querySelector('h1').firstChild.textContent.trim()"),
        "Tokyo",
      );
      const box = await page.evaluate<{ width: number; height: number }>(chartBox);
      assert.ok(box.width > 300 && box.height > 100, JSON.stringify(box));
      const line = await page.evaluate<{ width: number; height: number }>(`(() => {
        const box = document.querySelector("svg.chart .line").getBBox();
        return { width: box.width, height: box.height }; })()`);
      assert.ok(line.width > 0 && line.height > 0, JSON.stringify(line));
      assert.equal(await page.evaluate(`document.querySelectorAll("table.days tbody tr").length`), 7);
      const file = new URL("city-page.png", OUTPUT);
      await page.screenshot(file);
      const png = await Deno.readFile(file);
      assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
      assert.ok(png.length > 20_000 && png.length < 5_000_000, `${png.length} bytes`);
    });

    await t.step("shows a hostile city name as text", async () => {
      source.current = await datasetOf({ cities: [{ ...bundled.cities[0]!, name: HOSTILE }] });
      await page.load(`${origin}/city/${encodeURIComponent(HOSTILE)}`);
      assert.equal(
        await page.evaluate("document.querySelector('h1').firstChild.textContent.trim()"),
        HOSTILE,
      );
      assert.equal(await page.evaluate(`document.querySelectorAll("img, script").length`), 0);
      assert.ok((await page.evaluate<string>(`document.querySelector("svg.chart title").textContent`))
        .includes(HOSTILE));
      source.current = bundled;
    });

    await t.step("renders the same without JavaScript", async () => {
      await page.send("Emulation.setScriptExecutionDisabled", { value: true });
      await page.load(`${origin}/city/Tokyo?units=imperial`);
      const box = await page.evaluate<{ width: number; height: number }>(chartBox);
      assert.ok(box.width > 300 && box.height > 100, JSON.stringify(box));
      assert.match(await page.evaluate(`document.querySelector(".temp").textContent`), / °F$/);
      await page.screenshot(new URL("city-page-imperial-nojs.png", OUTPUT));
      await page.send("Emulation.setScriptExecutionDisabled", { value: false });
    });

    watch.stop();
    assert.deepEqual(watch.problems, [], "no script errors, CSP violations or dialogs");
  },
});
