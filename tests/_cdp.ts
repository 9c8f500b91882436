// A minimal Chrome DevTools Protocol client over Deno's built-in WebSocket, for the browser test.
//
// Why not a library: puppeteer-core runs under Deno but leaves a timer behind when the browser
// closes (FrameManager's disconnect Deferred), which fails the op sanitizer, and it pulls in ~80
// npm packages; playwright-core needs --allow-sys and then --allow-all (it reads
// /proc/sys/fs/binfmt_misc). The dozen CDP commands the test needs are simpler to own, and every
// timer, socket and process here is closed before the test ends.

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags that keep Chromium off the network and out of the user's profile. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Containers often give /dev/shm only 64 MB, which crashes renderers.
  "--disable-dev-shm-usage",
  "--hide-scrollbars",
  "--mute-audio",
];

/** True when the Chromium binary exists. */
export function hasChromium(path = CHROMIUM): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Resolves `promise`, or rejects with `message` after `ms`; the timer never outlives the call. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${message} (after ${ms} ms)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A CDP event as the browser sends it. */
export interface CdpEvent {
  method: string;
  // deno-lint-ignore no-explicit-any
  params: any;
  sessionId?: string;
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const COMMAND_TIMEOUT = 15_000;

/** A headless Chromium with one DevTools connection. Disposing closes it and removes its profile. */
export class Browser implements AsyncDisposable {
  #ws: WebSocket;
  #child: Deno.ChildProcess;
  #stderr: () => string;
  #drained: Promise<void>;
  #profile: string;
  #closed: Promise<void>;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Set<(event: CdpEvent) => void>();

  private constructor(
    ws: WebSocket,
    child: Deno.ChildProcess,
    stderr: () => string,
    drained: Promise<void>,
    profile: string,
  ) {
    this.#ws = ws;
    this.#child = child;
    this.#stderr = stderr;
    this.#drained = drained;
    this.#profile = profile;
    this.#closed = new Promise((resolve) => ws.addEventListener("close", () => resolve(), { once: true }));
    ws.addEventListener("message", (message) => this.#receive(JSON.parse(message.data)));
    ws.addEventListener("close", () => {
      for (const [id, pending] of this.#pending) {
        this.#pending.delete(id);
        pending.reject(new Error(`CDP ${pending.method}: connection closed`));
      }
    });
  }

  /** Starts Chromium with a fresh profile and connects to it; `--remote-debugging-port=0` picks a free port. */
  static async launch(path = CHROMIUM): Promise<Browser> {
    const profile = await Deno.makeTempDir({ prefix: "weather-chromium-" });
    const child = new Deno.Command(path, {
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let log = "";
    let announce!: (url: string) => void;
    const announced = new Promise<string>((resolve) => announce = resolve);
    // Keep draining stderr for the browser's whole life, so it never blocks on a full pipe.
    const drained = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({
        write(chunk) {
          log = (log + chunk).slice(-65_536);
          const match = /DevTools listening on (ws:\/\/\S+)/.exec(log);
          if (match) announce(match[1]!);
        },
      }),
    );
    const kill = async () => {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      await drained.catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    };
    try {
      const first = await withDeadline(
        Promise.race([announced, child.status]),
        30_000,
        "Chromium did not print its DevTools URL",
      );
      if (typeof first !== "string") throw new Error(`Chromium exited with code ${first.code}: ${log}`);
      const ws = new WebSocket(first);
      await withDeadline(
        new Promise<void>((resolve, reject) => {
          ws.addEventListener("open", () => resolve(), { once: true });
          ws.addEventListener("error", () => reject(new Error("Cannot connect to Chromium")), { once: true });
        }),
        10_000,
        "Chromium's DevTools socket did not open",
      );
      return new Browser(ws, child, () => log, drained, profile);
    } catch (error) {
      await kill();
      throw error;
    }
  }

  /** Everything Chromium wrote to stderr (the last 64 KiB), for failure messages. */
  get stderr(): string {
    return this.#stderr();
  }

  #receive(message: { id?: number; result?: unknown; error?: { message: string } } & CdpEvent) {
    if (message.id === undefined) {
      for (const listener of this.#listeners) listener(message);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (message.error) pending.reject(new Error(`CDP ${pending.method}: ${message.error.message}`));
    else pending.resolve(message.result);
  }

  /** Sends a CDP command (to a page when `sessionId` is given) and returns its result. */
  // deno-lint-ignore no-explicit-any
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> {
    const id = this.#nextId++;
    const reply = new Promise((resolve, reject) => this.#pending.set(id, { method, resolve, reject }));
    this.#ws.send(JSON.stringify({ id, method, params, sessionId }));
    return withDeadline(reply, COMMAND_TIMEOUT, `CDP ${method} got no answer`);
  }

  /** Calls `listener` with every event until the returned function is called. */
  on(listener: (event: CdpEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Opens a new tab and attaches to it. */
  async newPage(): Promise<Page> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    return new Page(this, sessionId);
  }

  /** Closes the browser, waits for it to exit and removes its profile directory. */
  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.OPEN) {
      await this.send("Browser.close").catch(() => {}); // the socket may close before the answer
    }
    if (this.#ws.readyState !== WebSocket.CLOSED) this.#ws.close();
    await withDeadline(this.#closed, 10_000, "Chromium's DevTools socket did not close");
    try {
      await withDeadline(this.#child.status, 10_000, "Chromium did not exit");
    } catch {
      this.#child.kill("SIGKILL");
      await this.#child.status;
    }
    await this.#drained.catch(() => {});
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** One tab, driven through its flat CDP session. */
export class Page {
  readonly browser: Browser;
  readonly sessionId: string;

  constructor(browser: Browser, sessionId: string) {
    this.browser = browser;
    this.sessionId = sessionId;
  }

  /** Sends a command to this tab. */
  // deno-lint-ignore no-explicit-any
  send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** Resolves with the next event `method` of this tab that satisfies `accept`. */
  nextEvent(
    method: string,
    ms = 15_000,
    accept: (event: CdpEvent) => boolean = () => true,
  ): Promise<CdpEvent> {
    let stop = () => {};
    const seen = new Promise<CdpEvent>((resolve) => {
      stop = this.browser.on((event) => {
        if (event.sessionId === this.sessionId && event.method === method && accept(event)) resolve(event);
      });
    });
    return withDeadline(seen, ms, `No ${method} event`).finally(stop);
  }

  /** Evaluates `expression` in the page and returns its (JSON-able) value; page exceptions throw. */
  // deno-lint-ignore no-explicit-any
  async evaluate<T = any>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    if (exceptionDetails) {
      throw new Error(`In page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    }
    return result.value as T;
  }

  /** Polls `expression` until it is truthy, failing after `ms`; returns its last value. */
  // deno-lint-ignore no-explicit-any
  async waitFor<T = any>(expression: string, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    // A navigation under way (after a click) ends the page an evaluation ran in: ask the next one.
    const navigated = (error: unknown) =>
      /Inspected target navigated or closed|Cannot find context with specified id/.test(String(error));
    for (;;) {
      try {
        const value = await this.evaluate<T>(expression);
        if (value) return value;
      } catch (error) {
        if (!navigated(error)) throw error;
      }
      if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for: ${expression}`);
      // Wait one frame in the page between polls: paced by the browser, not a fixed sleep.
      await this.evaluate("new Promise((resolve) => requestAnimationFrame(() => resolve(0)))").catch(
        (error) => {
          if (!navigated(error)) throw error;
        },
      );
    }
  }

  /** Navigates (or reloads, without a URL) and waits for the load event. */
  async load(url?: string): Promise<void> {
    const loaded = this.nextEvent("Page.loadEventFired");
    if (url === undefined) await this.send("Page.reload", { ignoreCache: false });
    else {
      const { errorText } = await this.send("Page.navigate", { url });
      if (errorText) throw new Error(`Cannot load ${url}: ${errorText}`);
    }
    await loaded;
  }

  /** Types `text` key by key into the focused element, as a keyboard would. */
  async type(text: string): Promise<void> {
    for (const char of text) {
      await this.send("Input.dispatchKeyEvent", { type: "keyDown", key: char, text: char });
      await this.send("Input.dispatchKeyEvent", { type: "keyUp", key: char });
    }
  }

  /** Presses a named key such as "Escape" or "/". */
  async press(key: string, code: string, keyCode: number, text?: string): Promise<void> {
    const base = { key, code, windowsVirtualKeyCode: keyCode, nativeVirtualKeyCode: keyCode };
    await this.send("Input.dispatchKeyEvent", { type: "keyDown", ...base, ...(text ? { text } : {}) });
    await this.send("Input.dispatchKeyEvent", { type: "keyUp", ...base });
  }

  /** Clicks the middle of the first element matching `selector`, with a real mouse event. */
  async click(selector: string): Promise<void> {
    const box = await this.evaluate<{ x: number; y: number } | null>(`(() => {
      const element = document.querySelector(${JSON.stringify(selector)});
      if (!element) return null;
      element.scrollIntoView({ block: "center" });
      const rect = element.getBoundingClientRect();
      return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
    })()`);
    if (box === null) throw new Error(`No element matches ${selector}`);
    for (const type of ["mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", {
        type,
        x: box.x,
        y: box.y,
        button: "left",
        clickCount: 1,
      });
    }
  }

  /** Saves a PNG of the viewport to `path`. */
  async screenshot(path: string | URL): Promise<void> {
    const { data } = await this.send("Page.captureScreenshot", { format: "png" });
    await Deno.writeFile(path, Uint8Array.from(atob(data), (char) => char.charCodeAt(0)));
  }
}
