// A small LSP client over stdio for the tests: Content-Length framing, requests with ids,
// and a wait for the next publishDiagnostics of a URI that satisfies a predicate.
import { spawn } from "node:child_process";

export function startServer(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], ...options });
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const pending = new Map();
  const notifications = [];
  const waiters = [];
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));

  function dispatch(message) {
    if (message.id !== undefined && pending.has(message.id) && message.method === undefined) {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result);
      return;
    }
    if (message.id !== undefined && message.method) {
      // A request from the server (workspace/configuration, client/registerCapability, ...):
      // answer as a client without those features would.
      const result = message.method === "workspace/configuration" ? message.params.items.map(() => null) : null;
      send({ jsonrpc: "2.0", id: message.id, result });
      return;
    }
    notifications.push(message);
    for (const w of [...waiters]) {
      if (w.match(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(message);
      }
    }
  }

  child.stdout.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const header = buffer.toString("ascii", 0, headerEnd);
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (buffer.length < headerEnd + 4 + length) return;
      const body = buffer.toString("utf8", headerEnd + 4, headerEnd + 4 + length);
      buffer = buffer.subarray(headerEnd + 4 + length);
      dispatch(JSON.parse(body));
    }
  });

  function send(message) {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin.write(body);
  }

  return {
    child,
    stderr: () => stderr,
    request(method, params) {
      const id = nextId++;
      send({ jsonrpc: "2.0", id, method, params });
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    notify(method, params) {
      send({ jsonrpc: "2.0", method, params });
    },
    /** The next publishDiagnostics for `uri` whose diagnostics satisfy `accept` (default: any). */
    diagnostics(uri, accept = () => true, timeoutMs = 10_000) {
      const match = (m) => m.method === "textDocument/publishDiagnostics" && m.params.uri === uri && accept(m.params.diagnostics);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching diagnostics for ${uri} in ${timeoutMs} ms; stderr: ${stderr}`)),
          timeoutMs,
        );
        waiters.push({ match, resolve: (m) => resolve(m.params.diagnostics), timer });
      });
    },
    async close() {
      try {
        await Promise.race([this.request("shutdown", null), new Promise((r) => setTimeout(r, 2000))]);
        this.notify("exit", null);
      } catch {
        // already gone
      }
      await new Promise((r) => {
        if (child.exitCode !== null) return r();
        const t = setTimeout(() => {
          child.kill();
          r();
        }, 2000);
        child.on("exit", () => {
          clearTimeout(t);
          r();
        });
      });
    },
  };
}
