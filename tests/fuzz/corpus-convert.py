#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# corpus-convert.py OUTDIR NAME NAMESPACE [CACHE]: one state, made by
# tests/fuzz/make-corpus, in the input format of every fuzz target
# (tests/fuzz/fuzz.h): the flat namespace (nvm), superblock pages (csb),
# the layout with and without the cache superblock (journal, render), every
# jset the magic scan finds (jset), and superblock pages with sysfs states
# (show).
# corpus-convert.py --device OUTDIR NAME DEVICE: a cache or backing device
# alone (csb, show).
import os
import struct
import sys
import uuid

PAGE = 4096
DATA_AT = 16 << 20
JSET_MAGIC = 0x245235c1a3625032


def extent(b, lo, hi):
    """End of the last non-zero page of b[lo:hi], relative to lo."""
    end = 0
    for at in range(lo, min(hi, len(b)), PAGE):
        if any(b[at:at + PAGE]):
            end = at + PAGE - lo
    return end


def put(outdir, target, name, data):
    with open(os.path.join(outdir, target, name), "wb") as f:
        f.write(data)


# fuzz-show's flags (tests/fuzz/fuzz-show.c)
SF_REGISTERED, SF_STATE, SF_RUNNING, SF_LINKS = 1, 2, 4, 8
SF_SET_DIR, SF_SB_SET_DIR, SF_PROBE = 16, 32, 64


def show(outdir, name, page):
    """A device's superblock page with the sysfs states the kernel makes."""
    cset = str(uuid.UUID(bytes=bytes(page[56:72]))) if len(page) >= 72 else ""
    setlink = "../../../../fs/bcache/" + cset
    states = [
        (0, ["", "", "", "", ""]),
        (SF_PROBE, ["", "", "", "", ""]),
        # a registered cache device of a running set
        (SF_REGISTERED | SF_LINKS | SF_SET_DIR, ["", "", "", "", setlink]),
        # a registered backing device, running, attached
        (SF_REGISTERED | SF_STATE | SF_RUNNING | SF_LINKS | SF_SB_SET_DIR,
         ["clean\n", "1\n", "../../../../block/bcache0", setlink, ""]),
        (SF_REGISTERED | SF_STATE | SF_RUNNING, ["no cache\n", "0\n", "", "", ""]),
    ]
    for k, (flags, fields) in enumerate(states):
        b = bytes([flags])
        for f in fields:
            f = f.encode()
            b += bytes([len(f)]) + f
        put(outdir, "show", "%s-%d" % (name, k), b + page)


def device(outdir, name, path):
    page = open(path, "rb").read(2 * PAGE)[PAGE:]
    put(outdir, "csb", name, page)
    show(outdir, name, page)


def main():
    if sys.argv[1] == "--device":
        device(*sys.argv[2:5])
        return
    outdir, name, ns_path = sys.argv[1:4]
    cache_path = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
    ns = open(ns_path, "rb").read(DATA_AT + (1 << 20))
    meta = ns[:extent(ns, 0, DATA_AT)]
    data = ns[DATA_AT:DATA_AT + extent(ns, DATA_AT, DATA_AT + (1 << 20))]
    put(outdir, "nvm", name, meta)
    put(outdir, "csb", name + "-nvm", ns[PAGE:2 * PAGE])
    if name in ("state0", "state1"):
        show(outdir, name + "-nvm", ns[PAGE:2 * PAGE])
    # the layout: flags, meta_len, [cache sb page], meta, data; the flags'
    # high bits pick the commands of fuzz-render, varied by the name
    pick = (sum(name.encode()) * 37) & 0xfe
    put(outdir, "journal", name, bytes([0]) + struct.pack("<I", len(meta)) + meta + data)
    put(outdir, "render", name, bytes([pick]) + struct.pack("<I", len(meta)) + meta + data)
    if cache_path:
        csb = open(cache_path, "rb").read(2 * PAGE)[PAGE:]
        put(outdir, "csb", name + "-cache", csb)
        if name.endswith(("0", "1")):
            show(outdir, name + "-cache", csb)
        lay = struct.pack("<I", len(meta)) + csb + meta + data
        put(outdir, "journal", name + "-cache", bytes([1]) + lay)
        put(outdir, "render", name + "-cache", bytes([pick | 1]) + lay)
        # every jset of the region (magic at word 1, of the cache set uuid)
        set_uuid = csb[56:72]           # cache_sb_disk.set_uuid
        magic = struct.unpack("<Q", set_uuid[:8])[0] ^ JSET_MAGIC
        k = 0
        for at in range(0, len(data) - 16, 8):
            if struct.unpack("<Q", data[at + 8:at + 16])[0] != magic:
                continue
            keys = struct.unpack("<I", data[at + 28:at + 32])[0]  # jset.keys
            size = 240 + 8 * keys
            if size > 32768:
                continue
            put(outdir, "jset", "%s-%d" % (name, k), bytes([k & 1]) + data[at:at + size])
            k += 1


main()
