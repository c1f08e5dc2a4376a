// haraka_rspamd.js - run Haraka's rspamd plugin (npm haraka-plugin-rspamd)
// on one SMTP transaction, without Haraka: the plugin is loaded as Haraka
// loads a plugin package (its exports on a plugin object, Haraka's return
// codes as globals, its config read with haraka-config from the package's
// config/ with HARAKA_DIR/config/ over it), and its data_post hook runs
// against a connection and transaction that hold what the plugin reads.
// The plugin's own code builds the request, posts the message to rspamd's
// /checkv2 (here siftd) and acts on the reply.
//
//   node haraka_rspamd.js SESSION.json
//
// SESSION.json: {"haraka_dir": DIR, "message": FILE, "remote_ip": "192.0.2.7",
//   "remote_host": "mx.example.org", "is_private": false, "helo": "...",
//   "mail_from": "a@b", "rcpt_to": ["c@d"], "auth_user": null, "uuid": "..."}
//
// Prints one JSON object when the hook calls next():
//   {"hooks": [[hook, method]], "request_headers": {...}, "next": {"code":
//    "DENY"|"CONT"|..., "msg": ...}, "added": [[name, value]], "removed":
//    [name], "results": [what the plugin recorded], "log": [lines]}
// The modules come from NODE_PATH (scripts/install-deps.sh installs them
// under /opt/sift-test/node).
'use strict';

const fs = require('fs');
const path = require('path');
const { Readable } = require('stream');

const constants = require('haraka-constants');
const hconfig = require('haraka-config');

const session = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
constants.import(global); // DENY, DENYSOFT, OK... as Haraka's plugin sandbox has them

const log = [];
const logger = (level) => (plugin, msg) => {
    log.push(`${level}: ${typeof msg === 'string' ? msg : JSON.stringify(msg)}`);
};

// the plugin object: the package's exports on it, as Haraka does
const pkg = path.dirname(require.resolve('haraka-plugin-rspamd/package.json'));
const plugin = Object.assign({}, require('haraka-plugin-rspamd'));
plugin.name = 'rspamd';
plugin.timeout = 30;
plugin.config = hconfig.module_config(pkg, session.haraka_dir);
plugin.hooks = [];
plugin.register_hook = (hook, method) => plugin.hooks.push([hook, method]);
for (const level of ['logdebug', 'loginfo', 'lognotice', 'logwarn', 'logerror']) {
    plugin[level] = logger(level);
}

class Results {
    constructor() {
        this.added = [];
    }
    add(who, obj) {
        this.added.push(obj);
    }
    get(name) {
        return undefined; // no spf, no fcrdns here
    }
}

// the message as Haraka's message stream sends it: CRLF line ends
const text = fs.readFileSync(session.message, 'utf8').replace(/\r?\n/g, '\r\n');
const headers = [];
for (const line of text.split('\r\n\r\n')[0].split(/\r\n(?![ \t])/)) {
    const i = line.indexOf(':');
    headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
}
const added = [];
const removed = [];

const transaction = {
    uuid: session.uuid,
    mail_from: { address: session.mail_from },
    rcpt_to: session.rcpt_to.map((a) => ({ address: a })),
    results: new Results(),
    message_stream: Readable.from([Buffer.from(text)]),
    header: {
        get: (name) => {
            const h = headers.find(([n]) => n.toLowerCase() === name.toLowerCase());
            return h ? h[1] : '';
        },
    },
    add_header: (name, value) => {
        headers.push([name, value]);
        added.push([name, value]);
    },
    remove_header: (name) => {
        removed.push(name);
        for (let i = headers.length - 1; i >= 0; i--) {
            if (headers[i][0].toLowerCase() === name.toLowerCase()) headers.splice(i, 1);
        }
    },
};

const connection = {
    remote: {
        ip: session.remote_ip,
        host: session.remote_host,
        is_local: false,
        is_private: !!session.is_private,
    },
    hello: { host: session.helo },
    notes: { auth_user: session.auth_user || undefined },
    relaying: false,
    tls: { enabled: false },
    results: new Results(),
    transaction,
    logdebug: logger('debug'),
    loginfo: logger('info'),
    logerror: logger('error'),
};

plugin.register();
const request_headers = plugin.get_options(connection).headers;

const timer = setTimeout(() => {
    process.stderr.write('haraka_rspamd.js: the hook did not call next()\n');
    process.exit(1);
}, 60000);

plugin.rspamd_data_post((code, msg) => {
    clearTimeout(timer);
    process.stdout.write(JSON.stringify({
        hooks: plugin.hooks,
        request_headers,
        next: {
            code: code === undefined ? 'CONT' : constants.translate(code),
            msg: msg === undefined ? null : String(msg),
        },
        added,
        removed,
        results: transaction.results.added,
        log,
    }) + '\n');
    process.exit(0); // (haraka-config watches the config files)
}, connection);
