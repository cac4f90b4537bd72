/**
 * Loads the editor module (preview, explain, hover, complete; it holds validate and the small
 * functions too, which use it when the main module is not loaded) from `module_or_path`, or from beside the
 * package's web entry when omitted. `init()` without arguments loads it too; in Node it is read
 * from the package files on first use.
 */
export function initEditor(module_or_path?: { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;
/** Instantiates the editor module from its bytes or a compiled `WebAssembly.Module`. */
export function initEditorSync(module: { module: SyncInitInput }): void;
