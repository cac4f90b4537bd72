// Monaco + kuma-mzs: live markers from validate(), hover and completion from the same core,
// and the JSON Schemas handed to monaco-yaml for its own structural checks.
// Build with any bundler that handles `new URL(..., import.meta.url)` (Vite: `npm run dev`).
import * as monaco from 'monaco-editor';
import { configureMonacoYaml } from 'monaco-yaml';
import init, { validate, hover, complete, schema } from 'kuma-mzs';
import { toMarkers, toMonacoRange, toEditorPosition, monacoSchemas } from './markers.js';

const SAMPLE = `type: MeshMultiZoneService
name: backend
mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        app: backend
  ports:
  - port: 80
    appProtocol: htpp
`;

await init();

// Optional: monaco-yaml validates against the same schemas (structure only; kuma-mzs adds Kuma's
// rules), each document against its own kind's schema (picked by `type` or `kind`).
configureMonacoYaml(monaco, { enableSchemaRequest: false, schemas: monacoSchemas(schema()) });

const model = monaco.editor.createModel(SAMPLE, 'yaml', monaco.Uri.parse('file:///mzs.yaml'));
monaco.editor.create(document.getElementById('editor'), { model, automaticLayout: true });

let timer;
function check() {
  monaco.editor.setModelMarkers(model, 'kuma-mzs', toMarkers(validate(model.getValue())));
}
model.onDidChangeContent(() => {
  clearTimeout(timer);
  timer = setTimeout(check, 150);
});
check();

monaco.languages.registerHoverProvider('yaml', {
  provideHover(m, position) {
    const h = hover(m.getValue(), toEditorPosition(position));
    return h && { contents: [{ value: h.contents }], range: toMonacoRange(h.range) };
  },
});

monaco.languages.registerCompletionItemProvider('yaml', {
  triggerCharacters: [':', ' '],
  provideCompletionItems(m, position) {
    // What is typed of the key or value: Monaco's own word stops at the `.` and `/` of a label
    // key (`kuma.io/zo`), which would leave `kuma.io/kuma.io/zone` behind.
    const before = m.getLineContent(position.lineNumber).slice(0, position.column - 1);
    const typed = /[\w.\-/]*$/.exec(before)[0];
    const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: position.column - typed.length, endColumn: position.column };
    const suggestions = complete(m.getValue(), toEditorPosition(position)).map((item) => ({
      label: item.label,
      kind: item.kind === 'field' ? monaco.languages.CompletionItemKind.Property : monaco.languages.CompletionItemKind.EnumMember,
      detail: item.detail,
      documentation: item.documentation && { value: item.documentation },
      insertText: item.insertText,
      range,
    }));
    return { suggestions };
  },
});
