import { createHandler } from "./src/handler.ts";
import { loadDataset } from "./src/dataset.ts";
const h = createHandler({ current: await loadDataset("data/weather.json") }, { frozenClock: Date.parse("2026-11-23T12:00:00Z") });
for (const p of Deno.args) { const r = await h(new Request("http://127.0.0.1:5000" + p)); const t = await r.text(); console.log(r.status, t.slice(0, 900)); }
