// CodeMirror 6 set-up: YAML, Kuma diagnostics pushed from the worker, hover and completion
// answered by the worker.
import { autocompletion, completionKeymap, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import {
  bracketMatching,
  defaultHighlightStyle,
  getIndentUnit,
  indentOnInput,
  indentString,
  syntaxHighlighting,
  syntaxTree,
} from "@codemirror/language";
import { type Diagnostic as CmDiagnostic, lintGutter, lintKeymap, setDiagnostics } from "@codemirror/lint";
import { countColumn, EditorState, type Extension } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  hoverTooltip,
  keymap,
  lineNumbers,
  type ViewUpdate,
} from "@codemirror/view";
import type { EngineClient } from "./client";
import { fromOffset, toSpan } from "./positions";
import type { Completion, Diagnostic, KumaVersion } from "./types";

export interface EditorHooks {
  client: EngineClient;
  kumaVersion(): KumaVersion;
  onChange(path: string): void;
}

const COMPLETION_KINDS: Record<Completion["kind"], string> = { field: "property", value: "enum" };

function completionSource(hooks: EditorHooks) {
  return async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    const word = ctx.matchBefore(/[\w.\-/]*/);
    if (!word) return null;
    if (word.from === word.to && !ctx.explicit) {
      // Without a typed prefix, offer completions only where a key or a value starts.
      const before = ctx.state.sliceDoc(ctx.state.doc.lineAt(ctx.pos).from, ctx.pos);
      if (!/(:\s|^\s*-?\s*)$/.test(before)) return null;
    }
    const { line, character } = fromOffset(ctx.state.doc, ctx.pos);
    let items: Completion[];
    try {
      items = await hooks.client.call({
        op: "complete",
        text: ctx.state.doc.toString(),
        line,
        character,
        kumaVersion: hooks.kumaVersion(),
      });
    } catch {
      return null;
    }
    if (ctx.aborted || items.length === 0) return null;
    return {
      from: word.from,
      options: items.map((item) => ({
        label: item.label,
        type: COMPLETION_KINDS[item.kind] ?? "text",
        detail: item.detail,
        info: item.documentation ? () => renderMarkdown(item.documentation ?? "") : undefined,
        apply: item.insertText || item.label,
      })),
      validFor: /^[\w.\-/]*$/,
    };
  };
}

/**
 * The small Markdown subset the core writes (paragraphs, **bold**, `code`) as DOM nodes.
 * Built from text nodes only, so nothing in the text can become HTML.
 */
export function renderMarkdown(markdown: string): HTMLElement {
  const root = document.createElement("div");
  root.className = "kuma-doc";
  for (const paragraph of markdown.split(/\n{2,}/)) {
    const p = document.createElement("p");
    for (const part of paragraph.split(/(\*\*[^*]+\*\*|`[^`]+`)/)) {
      if (!part) continue;
      if (part.startsWith("**") && part.endsWith("**") && part.length > 4) {
        const b = document.createElement("strong");
        b.textContent = part.slice(2, -2);
        p.append(b);
      } else if (part.startsWith("`") && part.endsWith("`") && part.length > 2) {
        const c = document.createElement("code");
        c.textContent = part.slice(1, -1);
        p.append(c);
      } else {
        p.append(part);
      }
    }
    root.append(p);
  }
  return root;
}

function hoverSource(hooks: EditorHooks) {
  return hoverTooltip(async (view, pos) => {
    const { line, character } = fromOffset(view.state.doc, pos);
    let text: string | null;
    try {
      text = await hooks.client.call({
        op: "hover",
        text: view.state.doc.toString(),
        line,
        character,
        kumaVersion: hooks.kumaVersion(),
      });
    } catch {
      return null;
    }
    if (!text) return null;
    return {
      pos,
      above: true,
      create: () => {
        const dom = renderMarkdown(text);
        dom.classList.add("kuma-hover");
        return { dom };
      },
    };
  });
}

// A block key with nothing after it but maybe a comment: `spec:`, `- name:  # the port's name`.
// Group 1 is what precedes the key (indentation and list dashes); a plain key has no ": " or " #".
const KEY_WITHOUT_VALUE =
  /^(\s*(?:-\s+)*)(?:[^\s#'"{}[\],&*!|>%@`-](?:[^\s:]|:(?=\S)|\s+(?=[^\s#:]))*|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*:(?:\s+#.*)?\s*$/;

/**
 * Enter at the end of a line that is a key without a value opens its value one level deeper than
 * the key, as VS Code does for YAML (CodeMirror's YAML indentation keeps the key's column there).
 * Anything else, JSON (flow collections) included, is left to insertNewlineAndIndent.
 */
function indentAfterKey(view: EditorView): boolean {
  const { state } = view;
  const cursor = state.selection.main;
  if (state.selection.ranges.length !== 1 || !cursor.empty) return false;
  const line = state.doc.lineAt(cursor.head);
  if (state.sliceDoc(cursor.head, line.to).trim()) return false;
  const key = KEY_WITHOUT_VALUE.exec(state.sliceDoc(line.from, cursor.head));
  if (!key) return false;
  type Node = ReturnType<ReturnType<typeof syntaxTree>["resolveInner"]>;
  for (let n: Node | null = syntaxTree(state).resolveInner(cursor.head, -1); n; n = n.parent) {
    if (n.name === "FlowMapping" || n.name === "FlowSequence") return false;
  }
  const indent = indentString(state, countColumn(key[1] ?? "", state.tabSize) + getIndentUnit(state));
  view.dispatch(state.update(state.replaceSelection(state.lineBreak + indent), { scrollIntoView: true, userEvent: "input" }));
  return true;
}

/** Everything every file's state shares. */
export function baseExtensions(hooks: EditorHooks, path: string): Extension {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    drawSelection(),
    history(),
    indentOnInput(),
    bracketMatching(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    yaml(),
    lintGutter(),
    autocompletion({ override: [completionSource(hooks)], activateOnTypingDelay: 50 }),
    hoverSource(hooks),
    // Tab is left to the browser so keyboard users can move past the editor.
    keymap.of([{ key: "Enter", run: indentAfterKey }, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
    EditorState.tabSize.of(2),
    // Long lines wrap instead of scrolling sideways (a phone shows ~40 columns).
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ "aria-label": `YAML editor: ${path}` }),
    EditorView.updateListener.of((update: ViewUpdate) => {
      if (update.docChanged) hooks.onChange(path);
    }),
  ];
}

export function createState(hooks: EditorHooks, path: string, text: string): EditorState {
  return EditorState.create({ doc: text, extensions: baseExtensions(hooks, path) });
}

/** Engine diagnostics as CodeMirror diagnostics for `state`'s document. */
export function toCmDiagnostics(
  state: EditorState,
  diagnostics: Diagnostic[],
  onFix: (view: EditorView, d: Diagnostic) => void,
): CmDiagnostic[] {
  return diagnostics.map((d) => {
    const { from, to } = toSpan(state.doc, d.range);
    const where = d.field ? `${d.field}: ` : "";
    return {
      from,
      to,
      severity: d.severity,
      source: d.code,
      message: d.hint ? `${where}${d.message}\nhint: ${d.hint}` : `${where}${d.message}`,
      actions: d.fix ? [{ name: d.fix.title, apply: (view: EditorView) => onFix(view, d) }] : undefined,
    };
  });
}

export { setDiagnostics };
