// Page side of the worker protocol: promise per request.
import type { Envelope, Reply, Request, ResponseMap } from "./protocol";

export class EngineClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  /** Uses `existing` (started early by index.html) or starts the worker at `workerUrl`. */
  constructor(workerUrl: URL, existing?: Worker) {
    this.worker = existing ?? new Worker(workerUrl, { type: "module", name: "kuma-mzs" });
    this.worker.onmessage = (event: MessageEvent<Reply>) => {
      const reply = event.data;
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(reply.error));
    };
    this.worker.onerror = (event) => {
      const error = new Error(`engine worker failed: ${event.message}`);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
  }

  call<R extends Request>(request: R): Promise<ResponseMap[R["op"]]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const envelope: Envelope = { id, request };
      this.worker.postMessage(envelope);
    });
  }
}
