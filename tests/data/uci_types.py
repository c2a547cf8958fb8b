#!/usr/bin/env python3
"""The OpenWrt init script's UCI types against picoflow's own parser.

    uci_types.py INIT_SCRIPT PCAP [QEMU] PICOFLOW

Reads the 'option:type:default' arguments of uci_load_validate in the init
script, evaluates each type as procd's validate_data does (the subset the
script uses: or, and, uinteger, range, regex, bool, string, list and string
literals), and runs picoflow -T with each value of a table of boundary
values: a value is taken by the binary unless its message quotes it. Prints
every value on which the two disagree; exit 1 if any does.
"""
import re
import subprocess
import sys
import warnings

warnings.simplefilter("ignore")	# '[' inside a bracket: fine in ERE


def split_top(s, sep):
    """Split at sep outside parentheses and quotes, as procd's parser."""
    out, depth, quote, esc, cur = [], 0, None, False, ""
    for c in s:
        if esc:
            cur, esc = cur + c, False
            continue
        if c == "\\":
            cur, esc = cur + c, True
            continue
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            out.append(cur)
            cur = ""
            continue
        cur += c
    return out + [cur]


def parse(e):
    e = e.strip()
    if e[0] in "\"'":
        return ("str", e[1:-1])
    if re.fullmatch(r"-?[0-9.]+", e):
        return ("num", float(e))
    m = re.fullmatch(r"(\w+)(?:\((.*)\))?", e, re.S)
    args = split_top(m.group(2), ",") if m.group(2) is not None else []
    return ("fn", m.group(1), [parse(a) for a in args])


def ev(n, v):
    if n[0] == "str":
        return v == n[1]
    f, a = n[1], n[2]
    if f == "or":
        return any(ev(x, v) for x in a)
    if f == "and":
        return all(ev(x, v) for x in a)
    if f == "uinteger":
        return re.fullmatch(r"[0-9]+", v) is not None
    if f == "range":
        try:
            x = float(v)
        except ValueError:
            return False
        return a[0][1] <= x <= a[1][1]
    if f == "regex":	# procd anchors it: ^...$
        return re.fullmatch(a[0][1], v) is not None
    if f == "string":
        return True
    if f == "list":
        return ev(a[0], v)
    if f == "bool":
        return v in ("0", "1", "on", "off", "true", "false", "yes", "no")
    raise SystemExit("uci_types.py: no evaluator for " + f)


def types_of(script):
    text = open(script).read()
    body = text[text.index("uci_load_validate"):]
    body = body[:body.index("\n}")]
    out = {}
    for m in re.finditer(r"^\s*'(\w+):(.*)' *\\?$", body, re.M):
        parts = split_top(m.group(2), ":")
        out[m.group(1)] = parse(parts[0])
    return out


FLAG = {"sample": "-s", "max_flows": "-m", "memory": "-M",
        "source_id": "-S", "mtu": "--mtu",
        "template_packets": "--template-packets",
        "template_secs": "--template-secs", "pace": "--pace",
        "snaplen": "--snaplen", "lookup_rate": "--lookup-rate",
        "collector": "-n", "netflow_version": "-v",
        "timeout_tcp_fin": "-t tcp.fin=", "timeout_active": "-t active="}
R = ["0", "1", "00080", "-1", "1.5", "1e3", "x", "15", "16", ""]
VALUES = {
    "sample": R + ["1000000", "1000001"],
    "max_flows": R + ["16777216", "16777217"],
    "memory": ["16383", "16384", "15k", "16k", "016k", "4194303k",
               "4194304k", "1M", "0M", "4095M", "4096M", "1G", "3G", "4G",
               "1T", "2m", "4294967295", "16K", "k", "1.5M", "1e6"],
    "source_id": R + ["4294967295", "4294967296"],
    "mtu": R + ["263", "264", "9000", "9001"],
    "template_packets": R + ["1000000", "1000001"],
    "template_secs": R + ["86400", "86401"],
    "pace": R + ["10000000", "10000001"],
    "snaplen": R + ["63", "64", "65535", "65536"],
    "lookup_rate": R + ["1000000", "1000001"],
    "netflow_version": ["5", "9", "10", "7", "x"],
    "timeout_tcp_fin": R + ["604800", "604801"],
    "timeout_active": R + ["604800", "604801"],
    "collector": ["192.0.2.1:2055", "h:1", "h:0", "h:65535", "h:65536",
                  "h:02055", ":2055", "h:", "h", "a:b:1",
                  "[2001:db8::1]:2055", "[]:1", "[::1]:65536", "[::1]2055",
                  "h:x"],
}
# Where they differ on purpose: UCI takes timeouts in plain seconds (the
# binary also takes "5m"), and caps -M at what a 32-bit router's binary
# takes (4G less a byte), where a 64-bit one goes to 1T.
ON_PURPOSE = {("memory", v) for v in ("4G", "1T", "4194304k", "4096M")}


def main():
    script, pcap = sys.argv[1], sys.argv[2]
    runner = sys.argv[3:]
    types = types_of(script)
    nbad = nvals = 0
    for opt, values in VALUES.items():
        flag = FLAG[opt]
        for v in values:
            if v == "":
                continue	# UCI: an empty option is an unset one
            nvals += 1
            cmd = runner + ["-T", "-r", pcap]
            if flag.endswith("="):
                words = flag.split()
                cmd += words[:-1] + [words[-1] + v]
            else:
                cmd += [flag, v]
            if opt != "collector":
                cmd += ["-n", "127.0.0.1:9"]
            r = subprocess.run(cmd, capture_output=True, text=True)
            # a value the parser refuses is quoted after its flag
            took = re.search(r"^picoflow: %s[^:']*: '" % re.escape(
                flag.split()[0]), r.stderr, re.M) is None
            uci = ev(types[opt], v)
            if took == uci or (opt, v) in ON_PURPOSE:
                continue
            nbad += 1
            print("%s '%s': UCI %s it, picoflow %s it: %s" % (
                opt, v, "takes" if uci else "refuses",
                "takes" if took else "refuses",
                (r.stderr.strip().splitlines() or [""])[0]))
    print("UCI types against picoflow: %d values, %d disagree" % (nvals, nbad))
    return 1 if nbad else 0


if __name__ == "__main__":
    sys.exit(main())
