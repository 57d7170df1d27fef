#!/usr/bin/env python3
"""Production rehearsal for the PowerShell stand-in (scenario "rehearsal").

No PowerShell, Lync server or SQL Server exists on the test machine. This answers a
production script from the lab's SQLite databases instead: it decodes the script the
executor passed with -EncodedCommand, walks its steps in order (the BEGIN marker literals),
and for each step

  * rows-N (a SqlClient read): runs the script's own query text against the lab database the
    script's Initial Catalog names (mapped in rehearsal.json next to this file), and writes
    each row as the script would: one JSON array per row, as a JSON string;
  * rooms / categories / addins: lists them from the lab's mgc database in the shapes
    Get-CsPersistentChatRoom / -Category / -Addin print (Managers and Members as SIP URIs);
  * the other probes (pool, state, services, database, endpoints, policies, message test):
    plays back the documented shapes, as the bash stand-in does;
  * guards and module import: nothing (they pass).

What this proves: our scripts' structure, our query text, our parsing of the output, the
gating and the comparison. What it cannot: how Microsoft's cmdlets, SqlClient and a real SQL
Server behave (types, collations, time-outs, permissions).
"""

import base64
import json
import os
import re
import sqlite3
import sys

here = os.path.dirname(os.path.abspath(__file__))


def main():
    args = sys.argv[1:]
    enc = ""
    for i, a in enumerate(args):
        if a == "-EncodedCommand" and i + 1 < len(args):
            enc = args[i + 1]
    script = base64.b64decode(enc).decode("utf-16-le")
    mark = re.search(r"@@pcm-[0-9a-f]{16}", script).group(0)
    with open(os.path.join(here, "rehearsal.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    dbs = {k.lower(): v for k, v in cfg["databases"].items()}
    out = sys.stdout

    def say(line):
        out.write(mark + " " + line + "\n")

    # The steps, in order: the BEGIN literal, then the body up to the next BEGIN.
    begins = list(re.finditer(re.escape(mark) + r" BEGIN (\S+) (\S+) (\S+)'", script))
    for n, m in enumerate(begins):
        pos, key, kind = m.group(1), m.group(2), m.group(3)
        body = script[m.end(): begins[n + 1].start() if n + 1 < len(begins) else len(script)]
        say(f"BEGIN {pos} {key} {kind}")
        if key.startswith("rows-"):
            for call in re.finditer(r"Read-PcmRows -Label '((?:[^']|'')*)' -Instance '(?:[^']|'')*' -Database '((?:[^']|'')*)' -Query '((?:[^']|'')*)'", body):
                label = call.group(1).replace("''", "'")
                catalog = call.group(2).replace("''", "'")
                sql = call.group(3).replace("''", "'")
                path = dbs.get(catalog.lower())
                if path is None:
                    say("ERROR " + json.dumps({"step": key, "category": "OpenError", "fqid": "SqlException",
                                               "exception": "System.Data.SqlClient.SqlException",
                                               "message": f"Cannot open database \"{catalog}\" requested by the login. The login failed.",
                                               "target": ""}))
                    break
                con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                cur = con.execute(sql)
                names = ["#table", label] + [d[0] for d in cur.description]
                say(f"JSON {key} " + json.dumps(json.dumps(names)))
                for row in cur:
                    say(f"JSON {key} " + json.dumps(json.dumps(list(row), ensure_ascii=False), ensure_ascii=False))
                con.close()
        elif key in ("rooms", "categories", "addins"):
            mgc = sqlite3.connect(f"file:{dbs[cfg['mgc'].lower()]}?mode=ro", uri=True)
            pool = cfg["pool"]
            if key == "categories":
                for (name,) in mgc.execute("SELECT nodeName FROM tblNode WHERE nodeType = 1 AND nodeID <> parentID"):
                    say(f"JSON {key} " + json.dumps({"Identity": f"{pool}\\{name}", "Name": name}))
            elif key == "addins":
                for name, url in mgc.execute("SELECT siopName, siopUrl FROM tblSiopWhiteList"):
                    say(f"JSON {key} " + json.dumps({"Identity": f"{pool}\\{name}", "Name": name, "Url": url}))
            else:
                def holders(node, role):
                    return " ".join(r[0] for r in mgc.execute(
                        "SELECT p.prinUri FROM tblPrincipalRole r JOIN tblRoleType t ON t.rtypeID = r.prinRoleTypeID "
                        "JOIN tblPrincipal p ON p.prinID = r.prinRolePrinID WHERE r.prinRoleNodeID = ? AND t.rtypeDesc = ? "
                        "ORDER BY p.prinUri", (node, role)))
                for node, name, cat, disabled in mgc.execute(
                        "SELECT n.nodeID, n.nodeName, c.nodeName, n.disabled FROM tblNode n JOIN tblNode c ON c.nodeID = n.parentID "
                        "WHERE n.nodeType = 0 ORDER BY n.nodeID").fetchall():
                    say(f"JSON {key} " + json.dumps({
                        "Identity": f"{pool}\\{name}", "Name": name, "Category": cat,
                        "Disabled": "True" if disabled else "False", "Privacy": "Closed", "Type": "Normal",
                        "Invitations": "Inherit", "Managers": holders(node, "Manager"),
                        "Members": holders(node, "Member")}, ensure_ascii=False))
            mgc.close()
        elif key == "pool":
            say(f"JSON {key} " + json.dumps({"Identity": f"PersistentChatServer:{cfg['pool']}", "PoolFqdn": cfg["pool"]}))
        elif key == "state":
            say(f"JSON {key} " + json.dumps({"Identity": f"service:PersistentChatServer:{cfg['pool']}", "PoolState": "Normal"}))
        elif key.startswith("services-"):
            for svc in ("RTCCHAT", "RTCCOMPLIANCE", "REPLICA"):
                say(f"JSON {key} " + json.dumps({"Name": svc, "DisplayName": f"Lync Server {svc}", "Status": "Running"}))
        elif key == "database":
            say(f"JSON {key} " + json.dumps({"SqlServerFqdn": "pchatsql.contoso.lab", "DatabaseName": "mgc", "Succeed": True}))
        elif key == "endpoints":
            say(f"JSON {key} " + json.dumps({"Identity": "sip:ocschat@contoso.lab", "SipAddress": "sip:ocschat@contoso.lab"}))
        elif key == "policies":
            say(f"JSON {key} " + json.dumps({"Identity": "Global", "EnablePersistentChat": "True"}))
        elif key == "message-test":
            say(f"JSON {key} " + json.dumps({"TargetFqdn": "lyncpool.contoso.lab", "Result": "Success", "Latency": "00:00:01",
                                             "Error": "", "Diagnosis": ""}))
        say(f"END {pos} {key}")
    say("DONE")
    out.flush()


if __name__ == "__main__":
    main()
