// A static file server on 127.0.0.1 for the TUF tests: serves ROOT on a random port, prints
// the port, logs each request path to stderr, and exits after TIMEOUT seconds at the latest.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const root = path.resolve(process.argv[2]);
const timeout = Number(process.argv[3] || 120);

const server = http.createServer((req, res) => {
	const url = decodeURIComponent(req.url.split('?')[0]);
	const file = path.resolve(root, '.' + url);
	process.stderr.write(`GET ${url}\n`);
	if (!file.startsWith(root + path.sep)) {
		res.writeHead(403);
		return res.end();
	}
	fs.readFile(file, (err, data) => {
		if (err) {
			res.writeHead(404);
			return res.end();
		}
		res.writeHead(200, { 'Content-Length': data.length });
		res.end(data);
	});
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
setTimeout(() => process.exit(0), timeout * 1000).unref();
