// Engine positions (1-based line, 0-based UTF-16 character) to CodeMirror offsets and back.
// CodeMirror offsets count UTF-16 code units, so the character maps over unchanged.
import type { Text } from "@codemirror/state";
import type { Position, Range } from "./types";

export function toOffset(doc: Text, position: Pick<Position, "line" | "character">): number {
  if (position.line < 1) return 0;
  if (position.line > doc.lines) return doc.length;
  const line = doc.line(position.line);
  return Math.min(line.from + Math.max(0, position.character), line.to);
}

/** A range as CodeMirror offsets, widened to at least one character so it is visible. */
export function toSpan(doc: Text, range: Range): { from: number; to: number } {
  const from = toOffset(doc, range.start);
  let to = Math.max(from, toOffset(doc, range.end));
  if (to === from) {
    const line = doc.lineAt(from);
    if (from < line.to) to = from + 1;
    else if (from > line.from) return { from: from - 1, to: from };
  }
  return { from, to };
}

export function fromOffset(doc: Text, offset: number): { line: number; character: number } {
  const line = doc.lineAt(offset);
  return { line: line.number, character: offset - line.from };
}
