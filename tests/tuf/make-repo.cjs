// An independent TUF producer for testing our client: builds a consistent-snapshot
// repository in OUT with tuf-js's own model package (@tufjs/models) and node:crypto keys,
// an ECDSA P-256 root key and Ed25519 keys for the other roles. One target: TARGET.
// usage: node make-repo.cjs OUT TARGET CONTENT [EXTRA]   (EXTRA: that many more target
// entries, metadata only, for benchmarks)
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const nm = path.join(process.env.TUFJS_DIR, 'node_modules');
const { Metadata, MetadataKind, Signature } = require(path.join(nm, '@tufjs', 'models'));
const { canonicalize } = require(path.join(nm, '@tufjs', 'canonical-json'));

const [out, target, content, extraArg] = process.argv.slice(2);
const extra = Number(extraArg || 0);
const expires = new Date(Date.now() + 7 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');

function newKey(type) {
	const { publicKey, privateKey } = type === 'ecdsa'
		? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
		: crypto.generateKeyPairSync('ed25519');
	const pub = type === 'ecdsa'
		? publicKey.export({ type: 'spki', format: 'pem' })
		: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
	const json = type === 'ecdsa'
		? { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: { public: pub } }
		: { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: pub } };
	const keyid = crypto.createHash('sha256').update(canonicalize(json)).digest('hex');
	const signer = (data) => new Signature({ keyID: keyid,
		sig: crypto.sign(type === 'ecdsa' ? 'sha256' : null, data, privateKey).toString('hex') });
	return { keyid, json, signer };
}

const keys = { root: newKey('ecdsa'), targets: newKey('ed25519'), snapshot: newKey('ed25519'),
	timestamp: newKey('ed25519') };
const data = Buffer.from(content);
const sha256 = crypto.createHash('sha256').update(data).digest('hex');
const base = { spec_version: '1.0.31', version: 1, expires };

function write(kind, name, signed, role) {
	const md = Metadata.fromJSON(kind, { signed: { _type: kind, ...base, ...signed }, signatures: [] });
	md.sign(keys[role].signer);
	const bytes = JSON.stringify(md.toJSON(), null, 2);
	fs.writeFileSync(path.join(out, 'metadata', name), bytes);
	return bytes;
}

fs.mkdirSync(path.join(out, 'metadata'), { recursive: true });
fs.mkdirSync(path.join(out, 'targets', path.dirname(target)), { recursive: true });
fs.writeFileSync(path.join(out, 'targets', path.dirname(target), `${sha256}.${path.basename(target)}`), data);
write(MetadataKind.Root, '1.root.json', {
	consistent_snapshot: true,
	keys: Object.fromEntries(Object.values(keys).map((k) => [k.keyid, k.json])),
	roles: Object.fromEntries(Object.entries(keys).map(([r, k]) => [r, { keyids: [k.keyid], threshold: 1 }])),
}, 'root');
const targets = { [target]: { length: data.length, hashes: { sha256 } } };
for (let i = 0; i < extra; i++)
	targets[`6.1.0-${i % 50}-amd64/livepatch_${i}.ko`] = { length: 100000 + i,
		hashes: { sha256: crypto.createHash('sha256').update(String(i)).digest('hex') },
		custom: { kernel_release: `6.1.0-${i % 50}-amd64`, cves: [`CVE-2025-${10000 + i}`],
			patch_id: `lp-${i}`, patch_version: 1, channel: 'stable' } };
write(MetadataKind.Targets, '1.targets.json', { targets }, 'targets');
const snap = write(MetadataKind.Snapshot, '1.snapshot.json', { meta: { 'targets.json': { version: 1 } } }, 'snapshot');
write(MetadataKind.Timestamp, 'timestamp.json', { meta: { 'snapshot.json': { version: 1,
	length: Buffer.byteLength(snap), hashes: { sha256: crypto.createHash('sha256').update(snap).digest('hex') } } } },
	'timestamp');
console.log('made', out);
