// The independent TUF client (tuf-js) against an archive: refresh, then download TARGET.
// usage: node verify-tufjs.cjs ROOT.json METADATA_URL TARGETS_URL TARGET OUTDIR
// Exit 0 when tuf-js accepts everything; prints the error otherwise.
'use strict';
const fs = require('fs');
const path = require('path');
const { Updater } = require(path.join(process.env.TUFJS_DIR, 'node_modules', 'tuf-js'));

async function main() {
	const [rootFile, metadataBaseUrl, targetBaseUrl, target, out] = process.argv.slice(2);
	const metadataDir = path.join(out, 'metadata');
	const targetDir = path.join(out, 'targets');
	fs.mkdirSync(metadataDir, { recursive: true });
	fs.mkdirSync(targetDir, { recursive: true });
	fs.copyFileSync(rootFile, path.join(metadataDir, 'root.json'));
	const updater = new Updater({ metadataDir, metadataBaseUrl, targetDir, targetBaseUrl });
	await updater.refresh();
	const info = await updater.getTargetInfo(target);
	if (!info)
		throw new Error(`no target ${target}`);
	const saved = await updater.downloadTarget(info);
	console.log(`OK ${target} -> ${saved} (${info.length} bytes, custom ${JSON.stringify(info.custom)})`);
}

main().catch((e) => {
	console.log(`FAIL ${e.name}: ${e.message}`);
	process.exit(1);
});
