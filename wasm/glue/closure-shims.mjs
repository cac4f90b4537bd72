// Build step of wasm/build.sh (not shipped): drop wasm-bindgen's closure `invoke` shims from a
// module and its name section.
//
//   node closure-shims.mjs <module.wasm> <glue.js>...
//
// js-sys links a descriptor for every closure type it knows, and each descriptor takes its
// `invoke` shim's address, so the shims (43 in the main module, about 4.4 KB raw) sit in the
// function table although nothing calls them: a shim is only reached through a JS closure that
// the glue creates, and our glue creates none (checked below: the step refuses glue that mentions
// closures). wasm-bindgen cannot renumber the table (addresses are constants in code and data),
// so the slots stay and point at the first shim, whose body becomes `unreachable`; wasm-opt then
// removes the 42 others as dead code (about 300 B gzip; BENCHMARKS.md, "Room for the HostnameGenerator
// KDS names"). The name section, which only this step reads, is removed, as
// `wasm-bindgen --remove-name-section` did before.
import { readFileSync, writeFileSync } from 'node:fs';

const fail = (message) => {
  console.error(`closure-shims.mjs: ${message}`);
  process.exit(1);
};

const [file, ...glue] = process.argv.slice(2);
if (!file || glue.length === 0) fail('usage: closure-shims.mjs <module.wasm> <glue.js>...');
for (const js of glue) {
  if (/closure/i.test(readFileSync(js, 'utf8'))) {
    fail(`${js} creates JS closures: their shims are called, so the module is left as it is`);
  }
}

const bytes = readFileSync(file);
let pos = 0;
const leb = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return result;
  }
};
const encode = (value) => {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
};
const name = () => {
  const length = leb();
  pos += length;
  return bytes.toString('utf8', pos - length, pos);
};

if (bytes.readUInt32LE(0) !== 0x6d736100 || bytes.readUInt32LE(4) !== 1) fail(`${file} is not a wasm module`);
pos = 8;
const sections = [];
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  sections.push({ id, start: pos, end: pos + size });
  pos += size;
}

// Imported functions come first in the function index space.
let imported = 0;
for (const section of sections.filter((s) => s.id === 2)) {
  pos = section.start;
  for (let count = leb(); count > 0; count--) {
    name();
    name();
    const kind = bytes[pos++];
    if (kind === 0) {
      imported++;
      leb();
    } else if (kind === 1 || kind === 2) {
      if (kind === 1) pos++;
      const flags = leb();
      leb();
      if (flags & 1) leb();
    } else if (kind === 3) {
      pos += 2;
    } else {
      fail(`import kind ${kind} not handled`);
    }
  }
}

// The shims, by the names wasm-bindgen kept.
// js-sys's JSPI task waker is the same case: its vtable's functions sit in the table, but the only
// code that makes such a waker (spawning a task, `__wbindgen_jspi_spawn_poll`) is gone.
const SHIM =
  /^(wasm_bindgen(\[[0-9a-f]+\])?::convert::closures::_::invoke|js_sys(\[[0-9a-f]+\])?::futures::jspi::task_waker::raw_)/;
const shims = new Set();
const names = sections.find((s) => {
  if (s.id !== 0) return false;
  pos = s.start;
  return name() === 'name';
});
if (!names) fail(`${file} has no name section (run wasm-bindgen without --remove-name-section)`);
pos = names.start;
name();
while (pos < names.end) {
  const kind = bytes[pos++];
  const end = leb() + pos;
  if (kind === 1) {
    for (let count = leb(); count > 0; count--) {
      const index = leb();
      if (SHIM.test(name())) shims.add(index);
    }
  }
  pos = end;
}
if (shims.size === 0) fail('no closure shims found (wasm-bindgen changed?)');
const stub = Math.min(...shims);

// The table: every shim slot points at the stub.
const element = sections.find((s) => s.id === 9);
if (!element) fail('no element section');
const newElement = [];
pos = element.start;
const segments = leb();
newElement.push(...encode(segments));
let replaced = 0;
for (let n = 0; n < segments; n++) {
  const flags = bytes[pos++];
  if (flags !== 0) fail(`element segment kind ${flags} not handled`);
  const offset = pos;
  while (bytes[pos] !== 0x0b) pos++;
  pos++;
  newElement.push(0, ...bytes.subarray(offset, pos));
  const count = leb();
  newElement.push(...encode(count));
  for (let i = 0; i < count; i++) {
    const index = leb();
    if (shims.has(index)) replaced++;
    newElement.push(...encode(shims.has(index) ? stub : index));
  }
}
if (replaced !== shims.size) fail(`${shims.size} shims but ${replaced} table slots`);

// The stub's body: no locals, `unreachable`, `end`.
const code = sections.find((s) => s.id === 10);
pos = code.start;
const newCode = [];
const bodies = leb();
newCode.push(...encode(bodies));
for (let n = 0; n < bodies; n++) {
  const size = leb();
  if (n + imported === stub) {
    newCode.push(3, 0, 0x00, 0x0b);
  } else {
    newCode.push(...encode(size), ...bytes.subarray(pos, pos + size));
  }
  pos += size;
}

const out = [bytes.subarray(0, 8)];
for (const section of sections) {
  if (section === names) continue;
  let content = bytes.subarray(section.start, section.end);
  if (section === element) content = Buffer.from(newElement);
  if (section === code) content = Buffer.from(newCode);
  out.push(Buffer.from([section.id, ...encode(content.length)]), content);
}
writeFileSync(file, Buffer.concat(out));
console.log(`closure-shims.mjs: ${replaced} closure shims of ${file.split('/').pop()} point at one stub`);
