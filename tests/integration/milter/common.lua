-- common.lua - what the miltertest scripts of test_milter.py share. They
-- run with -D port=<the proxy worker's port> -D dir=<this directory>
-- -D gtube=<the GTUBE line>; a failed check raises an error, which makes
-- miltertest exit non-zero.

function check(cond, what)
    if not cond then
        error(what, 2)
    end
end

-- A connection, its SMTP client at ip (default: an outside address).
function open(ip)
    local conn = mt.connect("inet:" .. port .. "@127.0.0.1", 10, 0.2)
    check(conn ~= nil, "cannot connect to the proxy worker")
    check(mt.conninfo(conn, "client.example.org", ip or "192.0.2.10") == nil, "conninfo")
    return conn
end

-- One message from MAIL to end of message; the reply to the end.
function send(conn, subject, body, mid, extra)
    check(mt.mailfrom(conn, "<alice@example.org>") == nil, "mailfrom")
    check(mt.rcptto(conn, "<bob@example.net>") == nil, "rcptto")
    check(mt.header(conn, "From", "Alice <alice@example.org>") == nil, "header From")
    check(mt.header(conn, "Subject", subject) == nil, "header Subject")
    check(mt.header(conn, "Message-ID", "<" .. mid .. ">") == nil, "header Message-ID")
    for _, h in ipairs(extra or {}) do
        check(mt.header(conn, h[1], h[2]) == nil, "header " .. h[1])
    end
    check(mt.eoh(conn) == nil, "eoh")
    check(mt.bodystring(conn, body) == nil, "body")
    check(mt.eom(conn) == nil, "eom")
    return mt.getreply(conn)
end

-- The first instance of a header the filter added, or nil.
function added(conn, name)
    return mt.getheader(conn, name, 0)
end

HAM = "The minutes of the meeting are below.\r\nAlice\r\n"
