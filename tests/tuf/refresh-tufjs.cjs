// tuf-js refresh only (for the bench): node refresh-tufjs.cjs METADATA_DIR METADATA_URL
'use strict';
const path = require('path');
const { Updater } = require(path.join(process.env.TUFJS_DIR, 'node_modules', 'tuf-js'));
const [metadataDir, metadataBaseUrl] = process.argv.slice(2);
new Updater({ metadataDir, metadataBaseUrl, targetDir: metadataDir, targetBaseUrl: metadataBaseUrl })
	.refresh().then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });
