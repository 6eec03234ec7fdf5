// An independent TUF producer for testing our client: builds a consistent-snapshot
// repository in OUT with tuf-js's own model package (@tufjs/models) and node:crypto keys,
// an ECDSA P-256 root key and Ed25519 keys for the other roles. One target: TARGET.
// usage: node make-repo.cjs OUT TARGET CONTENT [EXTRA [LAYOUT [OUT2]]]   (EXTRA: that many
// more target entries, metadata only, for benchmarks). LAYOUT:
//   flat      every target in targets.json (the default)
//   hashbins  targets delegates to 16 bins by path_hash_prefixes, and TARGET's bin
//             delegates on to a role whose name needs quoting ("../odd role?#") holding it
//   archive   as tuxtape-backend archive --offline-targets --bins 256 lays it out: targets
//             delegates "*/*" (terminating) to "online", which delegates each kernel release
//             by a "RELEASE/*" pattern to the bin with the fewest releases (then the fewest
//             targets, looking from bin-XX, XX the first two hex digits of the release's
//             SHA-256, on); the snapshot pins online and the bins by version alone
// RELEASES (environment, default 50): how many kernel releases the EXTRA targets spread over.
// CONSISTENT_SNAPSHOT=false (environment): a root without consistent snapshots, every file
// but the root under its plain name (snapshot.json, targets.json, targets/TARGET).
// OUT2 (archive layout): the metadata two later publishes add, to copy over OUT's: version 2
// adds a target to another release's bin, version 3 one to TARGET's (OUT2/metadata/*, and
// OUT2/timestamp.vN.json to serve as timestamp.json).
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const nm = path.join(process.env.TUFJS_DIR, 'node_modules');
const { Metadata, MetadataKind, Signature } = require(path.join(nm, '@tufjs', 'models'));
const { canonicalize } = require(path.join(nm, '@tufjs', 'canonical-json'));

const [out, target, content, extraArg, layout = 'flat', out2] = process.argv.slice(2);
const extra = Number(extraArg || 0);
const releases = Number(process.env.RELEASES || 50); // the EXTRA targets' kernel releases
const consistent = process.env.CONSISTENT_SNAPSHOT !== 'false';
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
const delegatedKey = newKey('ed25519');
const data = Buffer.from(content);
const sha256 = crypto.createHash('sha256').update(data).digest('hex');
const base = { spec_version: '1.0.31', version: 1, expires };

function write(kind, name, signed, role, dir = out) {
	const md = Metadata.fromJSON(kind, { signed: { _type: kind, ...base, ...signed }, signatures: [] });
	md.sign(role === 'delegated' ? delegatedKey.signer : keys[role].signer);
	// as the archive writes them: all but the root without indentation
	const bytes = JSON.stringify(md.toJSON(), null, kind !== 'root' && layout === 'archive' ? 0 : 2);
	if (!consistent && kind !== MetadataKind.Root)
		name = name.replace(/^\d+\./, '');
	fs.mkdirSync(path.dirname(path.join(dir, 'metadata', name)), { recursive: true });
	fs.writeFileSync(path.join(dir, 'metadata', name), bytes);
	return bytes;
}
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const pin = (bytes, version) => ({ version, length: Buffer.byteLength(bytes), hashes: { sha256: sha(bytes) } });
const delegationKeys = { [delegatedKey.keyid]: delegatedKey.json };
const role = (name, extra) => ({ name, keyids: [delegatedKey.keyid], threshold: 1, terminating: false, ...extra });

fs.mkdirSync(path.join(out, 'metadata'), { recursive: true });
fs.mkdirSync(path.join(out, 'targets', path.dirname(target)), { recursive: true });
fs.writeFileSync(path.join(out, 'targets', path.dirname(target),
	`${consistent ? `${sha256}.` : ''}${path.basename(target)}`), data);
write(MetadataKind.Root, '1.root.json', {
	consistent_snapshot: consistent,
	keys: Object.fromEntries(Object.values(keys).map((k) => [k.keyid, k.json])),
	roles: Object.fromEntries(Object.entries(keys).map(([r, k]) => [r, { keyids: [k.keyid], threshold: 1 }])),
}, 'root');
const targets = { [target]: { length: data.length, hashes: { sha256 } } };
for (let i = 0; i < extra; i++)
	targets[`6.1.0-${i % releases}-amd64/livepatch_${i}.ko`] = { length: 100000 + i,
		hashes: { sha256: crypto.createHash('sha256').update(String(i)).digest('hex') },
		custom: { kernel_release: `6.1.0-${i % releases}-amd64`, cves: [`CVE-2025-${10000 + i}`],
			patch_id: `lp-${i}`, patch_version: 1, channel: 'stable' } };
const meta = {};
function snapshotAndTimestamp(version, dir) {
	const snap = write(MetadataKind.Snapshot, `${version}.snapshot.json`, { version, meta }, 'snapshot', dir);
	write(MetadataKind.Timestamp, 'timestamp.json', { version, meta: { 'snapshot.json': pin(snap, version) } },
		'timestamp', dir);
}
function delegated(name, signed, version = 1, dir = out) {
	// the client asks for the quoted name; a static server decodes it back to this file
	const bytes = write(MetadataKind.Targets, `${version}.${name}.json`, { ...signed, version }, 'delegated', dir);
	meta[`${name}.json`] = layout === 'archive' ? { version } : pin(bytes, version);
}
let binOf;
if (layout === 'flat') {
	meta['targets.json'] = pin(write(MetadataKind.Targets, '1.targets.json', { targets }, 'targets'), 1);
} else if (layout === 'hashbins') {
	const bins = {};
	for (let i = 0; i < 16; i++)
		bins[i.toString(16)] = {};
	for (const [p, t] of Object.entries(targets))
		if (p !== target)
			bins[sha(p)[0]][p] = t;
	const odd = '../odd role?#';
	meta['targets.json'] = pin(write(MetadataKind.Targets, '1.targets.json', { targets: {}, delegations: {
		keys: delegationKeys,
		roles: Object.keys(bins).map((h) => role(`bin-${h}`, { path_hash_prefixes: [h] })) } }, 'targets'), 1);
	for (const [h, t] of Object.entries(bins))
		delegated(`bin-${h}`, h === sha(target)[0]
			? { targets: t, delegations: { keys: delegationKeys, roles: [role(odd, { paths: [target] })] } }
			: { targets: t });
	delegated(odd, { targets: { [target]: targets[target] } });
} else if (layout === 'archive') {
	const bins = {}, patterns = {}, where = {};
	const names = [...Array(256).keys()].map((i) => `bin-${i.toString(16).padStart(2, '0')}`);
	const load = names.map(() => ({ releases: 0, targets: 0 }));
	binOf = (p) => {
		const release = p.split('/')[0];
		if (where[release] === undefined) {
			const start = parseInt(sha(release).slice(0, 2), 16);
			let best = start;
			for (let j = 1; j < 256; j++) {
				const i = (start + j) % 256;
				if (load[i].releases < load[best].releases || (load[i].releases === load[best].releases &&
					load[i].targets < load[best].targets))
					best = i;
			}
			where[release] = best;
			load[best].releases++;
			patterns[names[best]].push(`${release}/*`);
		}
		return names[where[release]];
	};
	for (const b of names) {
		bins[b] = {};
		patterns[b] = [];
	}
	for (const [p, t] of Object.entries(targets)) {
		bins[binOf(p)][p] = t;
		load[where[p.split('/')[0]]].targets++;
	}
	meta['targets.json'] = pin(write(MetadataKind.Targets, '1.targets.json', { targets: {}, delegations: {
		keys: delegationKeys, roles: [role('online', { terminating: true, paths: ['*/*'] })] } }, 'targets'), 1);
	delegated('online', { targets: {}, delegations: { keys: delegationKeys,
		roles: Object.keys(bins).map((b) => role(b, { terminating: true, paths: patterns[b] })) } });
	for (const [b, t] of Object.entries(bins))
		delegated(b, { targets: t });
	if (out2) {
		// version 2: one more target for a release in another bin; version 3: one more
		// for TARGET's release, as publishes add them
		const own = binOf(target);
		const other = Object.keys(targets).find((p) => binOf(p) !== own);
		fs.mkdirSync(path.join(out2, 'metadata'), { recursive: true });
		[[other, 2], [target, 3]].forEach(([p, v]) => {
			const b = binOf(p);
			bins[b][`${path.dirname(p)}/published-later-${v}.ko`] = { length: 4, hashes: { sha256: sha('late') } };
			delegated(b, { targets: bins[b] }, v, out2);
			snapshotAndTimestamp(v, out2);
			fs.renameSync(path.join(out2, 'metadata', 'timestamp.json'),
				path.join(out2, `timestamp.v${v}.json`));
		});
		for (const b of [binOf(other), own]) // OUT holds version 1
			meta[`${b}.json`] = { version: 1 };
	}
} else {
	throw new Error(`unknown layout ${layout}`);
}
snapshotAndTimestamp(1, out);
console.log('made', out);
