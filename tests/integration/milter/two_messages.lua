-- Several messages on one connection: ham, GTUBE, ham.
dofile(dir .. "/common.lua")
local conn = open()
local r = send(conn, "first", HAM, "two-1@example.org")
check(r == SMFIR_ACCEPT, "first: reply " .. string.char(r))
r = send(conn, "second", gtube .. "\r\n", "two-2@example.org")
check(r == SMFIR_REPLYCODE, "second: reply " .. string.char(r))
check(mt.eom_check(conn, MT_SMTPREPLY, "554", "5.7.1", "Spam message rejected"),
      "second: not 554 5.7.1 Spam message rejected")
r = send(conn, "third", HAM, "two-3@example.org")
check(r == SMFIR_ACCEPT, "third: reply " .. string.char(r))
check(not mt.eom_check(conn, MT_HDRADD, "X-Spam"), "third: X-Spam added")
mt.disconnect(conn)
mt.echo("ok two")
