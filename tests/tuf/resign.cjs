// Test tool: edits a TUF metadata file and signs it again with keys from an archive's key
// directory, to build attacks a well-behaved archive never produces (rollbacks, forged roots,
// fast-forwarded timestamps). Canonical JSON as TUF signs it (sorted keys, only '"' and '\'
// escaped) is written here independently of the C code under test.
// usage: node resign.cjs FILE OUT 'JS expression editing s (the signed object)' KEYFILE...
'use strict';
const fs = require('fs');
const crypto = require('crypto');

function canonical(v) {
	if (v === null || typeof v === 'boolean') return JSON.stringify(v);
	if (typeof v === 'number') {
		if (!Number.isInteger(v)) throw new Error('real number');
		return String(v);
	}
	if (typeof v === 'string') return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
	if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
	return '{' + Object.keys(v).sort().map((k) => canonical(k) + ':' + canonical(v[k])).join(',') + '}';
}

const [file, out, edit, ...keyfiles] = process.argv.slice(2);
const env = JSON.parse(fs.readFileSync(file, 'utf8'));
const s = env.signed;
eval(edit); // the test's own edit of s
const msg = Buffer.from(canonical(s), 'utf8');
env.signatures = keyfiles.map((f) => {
	const k = JSON.parse(fs.readFileSync(f, 'utf8'));
	const sk = Buffer.from(k.private, 'hex');
	const key = crypto.createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519',
		d: sk.subarray(0, 32).toString('base64url'), x: sk.subarray(32).toString('base64url') },
		format: 'jwk' });
	return { keyid: k.keyid, sig: crypto.sign(null, msg, key).toString('hex') };
});
fs.writeFileSync(out, JSON.stringify(env, null, 1));
