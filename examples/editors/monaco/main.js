// Monaco + kuma-mzs: live markers from validate(), hover, completion and quick fixes from the
// same core that the language server runs, so the page answers as VS Code and Neovim do.
// monaco-yaml adds YAML editing (formatting, outline, folding) with its own schema features off:
// kuma-mzs answers those, and both at once show every error, hover and enum value twice
// (README.md, "Why monaco-yaml's schema features are off").
// Built with Vite (`npm run dev`, `npm run build`; vite.config.js says why it is set up as it is).
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import { configureMonacoYaml } from 'monaco-yaml';
import YamlWorker from './yaml.worker.js?worker';
import init, { validate, hover, complete } from 'kuma-mzs';
import { templateDiagnostic } from 'kuma-mzs/templates';
import { toMarkers, toMonacoRange, toEditorPosition } from './markers.js';

// The Kuma release your control plane runs: '3.0' (the default), '2.14' ... '2.9' (rules differ).
const KUMA_VERSION = '3.0';

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

// Monaco runs language services in web workers: monaco-yaml's in its own, the rest in Monaco's
// editor worker. Without this, Monaco logs "You must define a function
// MonacoEnvironment.getWorkerUrl or MonacoEnvironment.getWorker" and monaco-yaml does nothing.
globalThis.MonacoEnvironment = {
  getWorker(_moduleId, label) {
    return label === 'yaml' ? new YamlWorker() : new EditorWorker();
  },
};

configureMonacoYaml(monaco, {
  enableSchemaRequest: false,
  validate: false,
  hover: false,
  completion: false,
});

/**
 * What the language server reports for `text`: nothing for YAML that holds no Kuma resource (a
 * Deployment, a values file), one info at the first action of a Go (Helm) template instead of
 * its YAML errors, else every diagnostic. Returns the diagnostics in kuma-mzs's shape.
 */
function diagnose(text) {
  const result = validate(text, { kumaVersion: KUMA_VERSION, unknownResources: 'quiet' });
  if (!result.holdsKuma) return [];
  const all = result.diagnostics.concat(...result.documents.map((d) => d.diagnostics));
  const template = text.includes('{{') ? templateDiagnostic(text, all, 'info') : null;
  return template ? [template] : all;
}

function start() {
  const model = monaco.editor.createModel(SAMPLE, 'yaml', monaco.Uri.parse('file:///mzs.yaml'));
  const editor = monaco.editor.create(document.getElementById('editor'), { model, automaticLayout: true });
  globalThis.kumaMzsExample = { monaco, editor }; // for the browser console and tests

  // Markers, debounced while typing. The fixes of the last check answer the quick-fix menu.
  let timer;
  let fixes = [];
  function check() {
    const diagnostics = diagnose(model.getValue());
    const markers = toMarkers({ diagnostics, documents: [] });
    fixes = diagnostics.flatMap((d, i) => (d.fix ? [{ marker: markers[i], fix: d.fix }] : []));
    monaco.editor.setModelMarkers(model, 'kuma-mzs', markers);
  }
  model.onDidChangeContent(() => {
    clearTimeout(timer);
    timer = setTimeout(check, 150);
  });
  check();

  monaco.languages.registerCodeActionProvider('yaml', {
    provideCodeActions(m, _range, context) {
      const actions = context.markers.flatMap((marker) =>
        fixes
          .filter(({ marker: f }) => f.message === marker.message && f.startLineNumber === marker.startLineNumber && f.startColumn === marker.startColumn)
          .map(({ fix }) => ({
            title: fix.title,
            kind: 'quickfix',
            diagnostics: [marker],
            isPreferred: true,
            edit: { edits: [{ resource: m.uri, versionId: m.getVersionId(), textEdit: { range: toMonacoRange(fix.range), text: fix.replacement } }] },
          })),
      );
      return { actions, dispose() {} };
    },
  });

  monaco.languages.registerHoverProvider('yaml', {
    provideHover(m, position) {
      const h = hover(m.getValue(), toEditorPosition(position), { kumaVersion: KUMA_VERSION });
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
      const suggestions = complete(m.getValue(), toEditorPosition(position), { kumaVersion: KUMA_VERSION }).map((item) => ({
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
}

// The WebAssembly modules load asynchronously; the editor starts once they are there. (No
// top-level `await`: Vite's default build target does not allow it.)
init().then(start, (error) => {
  document.getElementById('editor').textContent = `kuma-mzs failed to load: ${error}`;
  throw error;
});
