#!/usr/bin/env python3
"""Check what the /dev/bpf backend relies on against golang.org/x/sys/unix.

The Go package ships ioctl numbers (zerrors_<os>_<arch>.go) and struct
layouts (ztypes_<os>_<arch>.go) generated on real FreeBSD, NetBSD, OpenBSD
and macOS systems.  On a BSD the backend takes everything from its own
<net/bpf.h>; what we write by hand, and check here, is:

  1. the struct bpf_hdr layouts test_bpf_walk exercises the walker with
     (test_bpf_walk --tables): field offsets and sizes, and BPF_ALIGNMENT,
     for every BSD os/arch the Go package knows;
  2. the DLT_* table per OS that the link-type translation is tested with,
     and that no DLT the translation passes through (104 and up) lands on
     a link type the decoder accepts while meaning something else;
  3. the ioctls capture_bpf.c calls: each exists on every os/arch, and its
     encoded direction and argument size match the C type the backend
     passes (IOCTL_ARGS below; keep it in step with capture_bpf.c);
  4. tests/bsd-shim/net/bpf.h (FreeBSD/amd64): every number in it, and the
     struct sizes and bpf_hdr layout the backend derives from it (the
     output of tests/bsd-shim/dump.c, when given and the host is LP64).

usage: bsd_constants.py GO_UNIX_DIR TABLES_FILE CAPTURE_BPF_C SHIM_H [DUMP]
Prints one ok/FAIL line per check; exits 1 if any failed.
"""
import glob
import os
import re
import sys

OSES = ("freebsd", "netbsd", "openbsd", "darwin")
BITS32 = {"386", "arm", "mips", "mipsle"}

# ioctl -> (direction the backend needs, C type of the argument it passes).
# Direction as encoded in BSD ioctl numbers: IOC_VOID 0x20000000, IOC_OUT
# (kernel writes) 0x40000000, IOC_IN (kernel reads) 0x80000000.
IOCTL_ARGS = {
    "BIOCSBLEN": ("inout", "u_int"),
    "BIOCGBLEN": ("out", "u_int"),
    "BIOCSETIF": ("in", "struct ifreq"),
    "BIOCGDLT": ("out", "u_int"),
    "BIOCPROMISC": ("void", None),
    "BIOCIMMEDIATE": ("in", "u_int"),
    "BIOCSETF": ("in", "struct bpf_program"),
    "BIOCGSTATS": ("out", "struct bpf_stat"),
}
# C type -> Go Sizeof constant (None: no Go table has it; size unchecked)
C_SIZES = {
    "u_int": 4,
    "struct bpf_program": "SizeofBpfProgram",
    "struct bpf_stat": "SizeofBpfStat",
    "struct ifreq": None,
}
DIRS = {0x20000000: "void", 0x40000000: "out", 0x80000000: "in",
        0xc0000000: "inout"}

# File link types the decoder accepts from 104 up, by libpcap name.
DECODER_LT = {108: "LOOP", 113: "LINUX_SLL", 228: "IPV4", 229: "IPV6",
              276: "LINUX_SLL2"}

failed = 0


def ok(cond, what, detail=""):
    global failed
    if cond:
        print("ok: " + what)
    else:
        failed += 1
        print("FAIL: " + what + (" (" + detail + ")" if detail else ""))


def consts(path):
    out = {}
    pat = re.compile(r"^\s+([A-Za-z]\w*)\s*=\s*(0x[0-9a-fA-F]+|\d+)\s*$")
    with open(path) as f:
        for line in f:
            m = pat.match(line)
            if m:
                out.setdefault(m.group(1), int(m.group(2), 0))
    return out


def structs(path):
    out, cur = {}, None
    with open(path) as f:
        for line in f:
            m = re.match(r"^type (\w+) struct \{", line)
            if m:
                cur = out.setdefault(m.group(1), [])
                continue
            if cur is not None and line.startswith("}"):
                cur = None
                continue
            if cur is not None:
                m = re.match(r"^\s+(\w+)\s+(\S+)", line)
                if m:
                    cur.append((m.group(1), m.group(2)))
    return out


class Arch:
    """Go's sizes and alignments, which cgo -godefs makes equal C's."""

    def __init__(self, arch, types):
        self.word = 4 if arch in BITS32 else 8
        self.types = types

    def size_align(self, t):
        m = re.match(r"^\[(\d+)\](.+)$", t)
        if m:
            s, a = self.size_align(m.group(2))
            return int(m.group(1)) * s, a
        if t.startswith("*") or t in ("int", "uint", "uintptr"):
            return self.word, self.word
        m = re.match(r"^u?int(8|16|32|64)$", t)
        if m or t == "byte":
            s = 1 if t == "byte" else int(m.group(1)) // 8
            return s, min(s, self.word)
        fields = self.layout(t)
        size = max((o + s for o, s, _ in fields.values()), default=0)
        align = max((a for _, _, a in fields.values()), default=1)
        return (size + align - 1) // align * align, align

    def layout(self, name):
        """{field: (offset, size, align)} of Go struct name."""
        off, out = 0, {}
        for fname, ftype in self.types[name]:
            s, a = self.size_align(ftype)
            off = (off + a - 1) // a * a
            out[fname] = (off, s, a)
            off += s
        return out

    def bpf_hdr(self):
        hdr = self.layout("BpfHdr")
        ts_type = dict(self.types["BpfHdr"])["Tstamp"]
        ts = self.layout(ts_type)
        base = hdr["Tstamp"][0]
        return ts_type, {
            "sec": "%d/%d" % (base + ts["Sec"][0], ts["Sec"][1]),
            "usec": "%d/%d" % (base + ts["Usec"][0], ts["Usec"][1]),
            "caplen": str(hdr["Caplen"][0]),
            "datalen": str(hdr["Datalen"][0]),
            "hdrlen": str(hdr["Hdrlen"][0]),
        }


def keyvals(s):
    return dict(kv.split("=", 1) for kv in s.split())


def check_layouts(go, tables, pairs):
    seen = set()
    for line in tables:
        if not line.startswith("layout "):
            continue
        _, name, rest = line.split(" ", 2)
        want = keyvals(rest)
        seen.add(name)
        osn, arch = name.split("/")
        zt = os.path.join(go, "ztypes_%s_%s.go" % (osn, arch))
        ze = os.path.join(go, "zerrors_%s_%s.go" % (osn, arch))
        if not (os.path.exists(zt) and os.path.exists(ze)):
            ok(False, name + ": layout", "no Go tables for it")
            continue
        a = Arch(arch, structs(zt))
        c = consts(ze)
        ts_type, got = a.bpf_hdr()
        got["align"] = str(c.get("BPF_ALIGNMENT"))
        size, _ = a.size_align("BpfHdr")
        sizeof = consts(zt).get("SizeofBpfHdr")
        diff = ["%s %s != %s" % (k, want.get(k), v)
                for k, v in sorted(got.items()) if want.get(k) != v]
        ok(not diff and size == sizeof,
           "%s: bpf_hdr (bh_tstamp %s) and BPF_ALIGNMENT %s" %
           (name, ts_type, got["align"]),
           "; ".join(diff) + ("" if size == sizeof else
                              "; computed size %d, Go says %s" %
                              (size, sizeof)))
    missing = sorted("%s/%s" % p for p in pairs if "%s/%s" % p not in seen)
    ok(not missing, "every BSD os/arch in x/sys/unix has a walker layout",
       "no layout for " + ", ".join(missing))


def check_dlts(go, tables, pairs):
    names = ("NULL", "EN10MB", "PPP", "RAW", "LOOP", "PPP_BSDOS")
    for line in tables:
        if not line.startswith("dlt "):
            continue
        _, osn, rest = line.split(" ", 2)
        want = keyvals(rest)
        for o, arch in pairs:
            if o != osn:
                continue
            c = consts(os.path.join(go, "zerrors_%s_%s.go" % (o, arch)))
            diff = ["DLT_%s %s != %s" % (n, want[n], c.get("DLT_" + n))
                    for n in names if int(want[n]) != c.get("DLT_" + n)]
            ok(not diff, "%s/%s: DLT_%s" % (o, arch, ", DLT_".join(names)),
               "; ".join(diff))
    for o, arch in pairs:
        c = consts(os.path.join(go, "zerrors_%s_%s.go" % (o, arch)))
        mapped = {c.get("DLT_" + n) for n in names[:5]}
        bad = ["DLT_%s = %d" % (k[4:], v) for k, v in sorted(c.items())
               if k.startswith("DLT_") and v in DECODER_LT and
               v not in mapped and k[4:] != DECODER_LT[v] and
               not k.startswith("DLT_MATCHING")]
        ok(not bad, "%s/%s: no DLT passed through to a link type the "
           "decoder reads differently" % (o, arch), ", ".join(bad))


def ioctl_fields(v):
    return DIRS.get(v & 0xe0000000), (v >> 16) & 0x1fff, (v >> 8) & 0xff


def check_ioctls(go, src, pairs):
    with open(src) as f:
        code = f.read()
    calls = re.findall(
        r"ioctl\([^,]+,\s*(BIOC\w+),\s*(?:\(void \*\))?&?(\w+)\)", code)
    used = sorted({name for name, _ in calls})
    ok(used and set(used) <= set(IOCTL_ARGS),
       "capture_bpf.c uses %s, all described here" % " ".join(used),
       "add %s to IOCTL_ARGS" % " ".join(set(used) - set(IOCTL_ARGS)))
    # The C type of each argument, from its declaration in capture_bpf.c.
    bad = []
    for name, arg in sorted(set(calls)):
        if arg == "NULL":
            ctype = None
        else:
            m = re.search(r"^\s*(u_int|struct \w+)\s+[^;(]*\b%s\b[^;]*;"
                          % re.escape(arg), code, re.M)
            ctype = m.group(1) if m else "?"
        if name in IOCTL_ARGS and IOCTL_ARGS[name][1] != ctype:
            bad.append("%s gets %s %s, IOCTL_ARGS says %s" %
                       (name, ctype, arg, IOCTL_ARGS[name][1]))
    ok(not bad, "capture_bpf.c passes each ioctl the type described here",
       "; ".join(bad))
    for o, arch in pairs:
        c = consts(os.path.join(go, "zerrors_%s_%s.go" % (o, arch)))
        t = consts(os.path.join(go, "ztypes_%s_%s.go" % (o, arch)))
        bad = []
        for name in used:
            if name not in c:
                bad.append(name + " missing")
                continue
            d, size, group = ioctl_fields(c[name])
            wdir, ctype = IOCTL_ARGS[name]
            want = C_SIZES.get(ctype, 0) if ctype else 0
            if isinstance(want, str):
                want = t.get(want)
            if group != ord("B") or d != wdir or \
                    (want is not None and size != want):
                bad.append("%s=%#x: %s %d bytes, backend passes %s %s" %
                           (name, c[name], d, size, wdir, ctype))
        ok(not bad, "%s/%s: %d ioctls exist, direction and argument size "
           "match" % (o, arch, len(used)), "; ".join(bad))


def check_shim(go, shim, dump):
    c = consts(os.path.join(go, "zerrors_freebsd_amd64.go"))
    t = consts(os.path.join(go, "ztypes_freebsd_amd64.go"))
    defs = {}
    with open(shim) as f:
        for line in f:
            m = re.match(r"#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)U?L?\b",
                         line)
            if m:
                defs[m.group(1)] = int(m.group(2), 0)
    bad = ["%s %#x != %s" % (k, v, "absent" if c.get(k) is None else
                            "%#x" % c[k])
           for k, v in sorted(defs.items()) if c.get(k) != v]
    ok(defs and not bad, "shim net/bpf.h: %d numbers equal FreeBSD/amd64's"
       % len(defs), "; ".join(bad))
    if dump is None:
        print("note: no shim dump given; its struct sizes are not checked")
        return
    with open(dump) as f:
        lines = f.read().splitlines()
    sizes = keyvals([ln for ln in lines if ln.startswith("sizeof ")][0][7:])
    a = Arch("amd64", structs(os.path.join(go, "ztypes_freebsd_amd64.go")))
    want = {"bpf_hdr": t["SizeofBpfHdr"], "bpf_stat": t["SizeofBpfStat"],
            "bpf_program": t["SizeofBpfProgram"],
            "bpf_insn": t["SizeofBpfInsn"],
            "timeval": a.size_align("Timeval")[0], "u_int": 4}
    bad = ["%s %s != %s" % (k, sizes.get(k), v) for k, v in want.items()
           if sizes.get(k) != str(v)]
    ok(not bad, "shim structs have FreeBSD/amd64's sizes", "; ".join(bad))
    _, got = a.bpf_hdr()
    got["align"] = str(c["BPF_ALIGNMENT"])
    derived = keyvals([ln for ln in lines
                       if ln.startswith("layout shim ")][0][12:])
    ok(derived == got, "layout capture_bpf.c derives from the shim is "
       "FreeBSD/amd64's", "%s != %s" % (derived, got))


def main(argv):
    if len(argv) not in (5, 6):
        sys.stderr.write(__doc__)
        return 2
    go, tables_file, src, shim = argv[1:5]
    dump = argv[5] if len(argv) == 6 else None
    pairs = []
    for p in sorted(glob.glob(os.path.join(go, "ztypes_*_*.go"))):
        m = re.match(r"ztypes_([a-z]+)_(\w+)\.go$", os.path.basename(p))
        if m and m.group(1) in OSES and os.path.exists(
                os.path.join(go, "zerrors_%s_%s.go" % m.groups())):
            pairs.append(m.groups())
    ok(len(pairs) >= 4, "x/sys/unix has tables for %d BSD os/arch pairs"
       % len(pairs))
    with open(tables_file) as f:
        tables = f.read().splitlines()
    check_layouts(go, tables, pairs)
    check_dlts(go, tables, pairs)
    check_ioctls(go, src, pairs)
    check_shim(go, shim, dump)
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
