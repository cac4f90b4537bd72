// monaco-yaml's worker, imported from a file of the project so that Vite pre-bundles the package
// (its dependencies include CommonJS) instead of serving it as it is (monaco-yaml's README, FAQ
// "Why doesn't it work with Vite?").
import 'monaco-yaml/yaml.worker.js';
