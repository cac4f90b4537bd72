// Web Worker: owns the wasm engine so parsing and preview never block typing.
import * as engine from "./engine";
import type { AnalyzeResult, Envelope, Reply, Request } from "./protocol";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Envelope>) => void) | null;
  postMessage(message: Reply): void;
};

async function handle(request: Request): Promise<unknown> {
  await engine.load();
  switch (request.op) {
    case "version":
      return engine.version();
    case "releases":
      return engine.releases();
    case "kumaVersion":
      return engine.kumaVersion(request.spelling);
    case "analyze": {
      const started = performance.now();
      const validations: AnalyzeResult["validations"] = {};
      for (const file of request.files) {
        validations[file.path] = engine.validate(file.text, request.options.kumaVersion);
      }
      const preview = engine.preview(request.files, request.options);
      const result: AnalyzeResult = { validations, preview, engineMs: performance.now() - started };
      return result;
    }
    case "explain":
      await engine.loadEditor();
      return engine.explain(request.files, request.options);
    case "hover":
      await engine.loadEditor();
      return engine.hover(request.text, request.line, request.character, request.kumaVersion);
    case "complete":
      await engine.loadEditor();
      return engine.complete(request.text, request.line, request.character, request.kumaVersion);
  }
}

// Start fetching and compiling the wasm at once, before the page's first request arrives.
void engine.load().catch(() => undefined);

scope.onmessage = (event) => {
  const { id, request } = event.data;
  handle(request).then(
    (value) => scope.postMessage({ id, ok: true, value }),
    (error: unknown) =>
      scope.postMessage({ id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
};
