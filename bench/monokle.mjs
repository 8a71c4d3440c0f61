// monokle.mjs - lints the manifests named in a list file with @monokle/validation
// (Pod Security Standards and practices plugins), in one process, the way its
// README drives it. Prints the findings count and the time spent in-process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const tools = process.argv[3];
const { parseAllDocuments } = require(`${tools}/node_modules/yaml`);
const monokle = await import(`${tools}/node_modules/@monokle/validation/lib/node.js`);

const t0 = process.hrtime.bigint();
const files = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const resources = [];
for (const [i, path] of files.entries()) {
	const text = readFileSync(path, 'utf8');
	for (const [k, doc] of parseAllDocuments(text).entries()) {
		const content = doc.toJS();
		if (!content || !content.apiVersion || !content.kind) continue;
		const [s, e] = doc.range;
		resources.push({
			id: `${i}-${k}`, fileId: String(i), filePath: path, fileOffset: s,
			name: content.metadata?.name ?? '', apiVersion: content.apiVersion,
			kind: content.kind, namespace: content.metadata?.namespace,
			content, text: text.slice(s, e),
		});
	}
}
const validator = new monokle.MonokleValidator({
	loader: new monokle.DefaultPluginLoader(),
	parser: new monokle.ResourceParser(),
	schemaLoader: new monokle.SchemaLoader(),
	suppressors: [],
	fixer: new monokle.DisabledFixer(),
});
await validator.preload({ plugins: { 'pod-security-standards': true, practices: true } });
const t1 = process.hrtime.bigint();
const res = await validator.validate({ resources });
const t2 = process.hrtime.bigint();
let n = 0;
for (const run of res.runs) n += run.results.length;
console.log(`${resources.length} resources ${n} findings parse+load ${Number(t1 - t0) / 1e6} ms validate ${Number(t2 - t1) / 1e6} ms`);
