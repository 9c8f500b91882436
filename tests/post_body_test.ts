import assert from "node:assert/strict";
import { bodySearch } from "../src/post_body.ts";
import { MAX_BODY_BYTES } from "../src/problem.ts";

const post = (body: BodyInit | null, type?: string) =>
  new Request("http://localhost/v1/forecast", {
    method: "POST",
    body,
    headers: type === undefined ? {} : { "content-type": type },
  });

Deno.test("bodySearch() takes a form as the query, with or without its content type", async () => {
  assert.equal(
    await bodySearch(post("latitude=1&longitude=2", "application/x-www-form-urlencoded")),
    "?latitude=1&longitude=2",
  );
  assert.equal(
    await bodySearch(new Request("http://x/", { method: "POST", body: new Blob(["a=1"]) })),
    "?a=1",
  );
  assert.equal(await bodySearch(post(null)), "");
});

Deno.test("bodySearch() turns a JSON object's members into parameters, arrays comma-joined", async () => {
  const search = await bodySearch(
    post(
      '{"latitude":[52.5,48.9],"hourly":"temperature_2m","past_days":1}',
      "application/json; charset=utf-8",
    ),
  );
  assert.equal(search, "?latitude=52.5%2C48.9&hourly=temperature_2m&past_days=1");
});

Deno.test("bodySearch() refuses other types and JSON that is not an object of values", async () => {
  await assert.rejects(bodySearch(post("<x/>", "text/xml")), {
    name: "SyntaxError",
    message: /not text\/xml/,
  });
  await assert.rejects(bodySearch(post("[1]", "application/json")), {
    message: "expected a JSON object of parameters",
  });
  await assert.rejects(bodySearch(post('{"a":[{"b":1}]}', "application/json")), { message: /for "a"/ });
  await assert.rejects(bodySearch(post("{", "application/json")), SyntaxError);
});

Deno.test("bodySearch() gives undefined for a body over the limit, declared or streamed", async () => {
  const big = "a=" + "x".repeat(MAX_BODY_BYTES);
  assert.equal(await bodySearch(post(big)), undefined);
  const stream = new ReadableStream({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode("x".repeat(4096)));
    },
  });
  assert.equal(await bodySearch(post(stream)), undefined);
});
