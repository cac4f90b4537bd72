// Monaco + kuma-mzs: live markers from validate(), hover and completion from the same core,
// and the JSON Schemas handed to monaco-yaml. Built with Vite (`npm run dev`, see vite.config.js).
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import { configureMonacoYaml } from 'monaco-yaml';
import YamlWorker from 'monaco-yaml/yaml.worker?worker';
import init, { validate, hover, complete, schema } from 'kuma-mzs';
import { templateDiagnostic } from 'kuma-mzs/templates';
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

// Monaco runs its language services in web workers: monaco-yaml's in its own, the rest in
// Monaco's editor worker.
globalThis.MonacoEnvironment = {
  getWorker(_moduleId, label) {
    return label === 'yaml' ? new YamlWorker() : new EditorWorker();
  },
};

configureMonacoYaml(monaco, { enableSchemaRequest: false, schemas: monacoSchemas(schema()) });

// The WebAssembly modules load asynchronously; everything that calls kuma-mzs waits for them.
init().then(() => {
  const model = monaco.editor.createModel(SAMPLE, 'yaml', monaco.Uri.parse('file:///mzs.yaml'));
  const editor = monaco.editor.create(document.getElementById('editor'), { model, automaticLayout: true });
  globalThis.editor = editor;
  globalThis.monaco = monaco;

  let timer;
  function check() {
    monaco.editor.setModelMarkers(model, 'kuma-mzs', markers(model.getValue()));
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
});

/** The markers of `text`, as the language server reports them. */
function markers(text) {
  const result = validate(text, { unknownResources: 'quiet' });
  if (!result.holdsKuma) return [];
  const all = result.diagnostics.concat(...result.documents.map((d) => d.diagnostics));
  const template = text.includes('{{') ? templateDiagnostic(text, all, 'info') : null;
  return template ? toMarkers({ diagnostics: [template], documents: [] }) : toMarkers(result);
}
