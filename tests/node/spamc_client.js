// spamc_client.js - drive the npm `spamc` client (node-spamc) against a
// spamd server and print what it hands its caller, as JSON lines.
//
//   node spamc_client.js PORT METHOD [FILE]...
//
// METHOD is one of the client's calls: ping (no files), check, symbols,
// report, reportIfSpam, process, headers. The calls run one after the other,
// one per FILE (read as UTF-8, as a Node program would have a message); every
// time the client calls back, one line is printed:
//   {"call": N, "file": FILE, "error": MESSAGE or null, "result": OBJECT}
// A client that calls back twice for one request (an error, then the close)
// shows as two lines with the same N. The module comes from NODE_PATH
// (scripts/install-deps.sh installs it under /opt/sift-test/node).
'use strict';

const fs = require('fs');
const Spamc = require('spamc');

const [port, method, ...files] = process.argv.slice(2);
if (!port || !method) {
    process.stderr.write('usage: spamc_client.js PORT METHOD [FILE]...\n');
    process.exit(64);
}
const client = new Spamc('127.0.0.1', Number(port), 30);
if (typeof client[method] !== 'function') {
    process.stderr.write(`spamc_client.js: no method ${method}\n`);
    process.exit(64);
}

const calls = method === 'ping' ? [null] : files;

function run(n) {
    if (n >= calls.length) return;
    const file = calls[n];
    let answered = false;
    const done = (err, result) => {
        process.stdout.write(JSON.stringify({
            call: n,
            file: file,
            error: err ? String(err.message || err) : null,
            result: result === undefined ? null : result,
        }) + '\n');
        if (!answered) {
            answered = true;
            run(n + 1);
        }
    };
    if (file === null) {
        client[method](done);
    } else {
        client[method](fs.readFileSync(file, 'utf8'), done);
    }
}

run(0);
