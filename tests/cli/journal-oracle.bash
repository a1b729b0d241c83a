# SPDX-License-Identifier: GPL-2.0
# Oracles for the journal repair tests (tests/cli/journal-repair.bats and the
# VM tier's tests/vm/journal-repair.bats), computed independently of the tool
# in python3.  They need $BASE (the K the writer used) and $region (the
# journal region's offset) for sb_facts.

# oracle WHAT ARGS...: computed here, independently of the tool (python3):
#   sb CACHE K REGION: the cache superblock as the kernel reads it: keys,
#     whether the stored csum is the CRC-64/WE (bit at a time) of
#     [8, 208 + 8 * keys), d[0] - K - REGION, the stride of d[0..keys-1] (or
#     "irregular"), whether d[keys..255] are all zero;
#   changed A B START:LEN...: how many bytes differ outside the ranges;
#   digest FILE: sha256 of the content (a zero block and a hole are the same).
# Only the data extents of the sparse images are read: the 1 GiB cache
# images hold a few pages.
oracle() {
	python3 - "$@" <<'PY'
import hashlib, os, struct, sys
M = (1 << 64) - 1
def crc64(data):
    crc = M
    for b in data:
        crc ^= b << 56
        for _ in range(8):
            crc = ((crc << 1) ^ 0x42F0E1EBA9EA3693) & M if crc >> 63 else (crc << 1) & M
    return crc ^ M
def extents(f):
    fd, end, pos, out = f.fileno(), os.fstat(f.fileno()).st_size, 0, []
    while pos < end:
        try:
            pos = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:
            break
        stop = os.lseek(fd, pos, os.SEEK_HOLE)
        out.append([pos - pos % 4096, stop])
        pos = stop
    return out
def blocks(files):
    """(offset, [4 KiB of each file]) over the union of their data extents"""
    merged = []
    for lo, hi in sorted(sum((extents(f) for f in files), [])):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    for lo, hi in merged:
        for at in range(lo, hi, 4096):
            got = []
            for f in files:
                f.seek(at)
                got.append(f.read(4096).ljust(4096, b'\0'))
            yield at, got
what, args = sys.argv[1], sys.argv[2:]
if what == 'sb':
    with open(args[0], 'rb') as f:
        f.seek(4096)
        sb = f.read(4096)
    keys = struct.unpack_from('<H', sb, 206)[0]
    d = struct.unpack_from('<256Q', sb, 208)
    strides = {d[i + 1] - d[i] for i in range(keys - 1)}
    print('keys=%d csum_ok=%d d0_offset=%d stride=%s tail_zero=%d' % (
        keys, struct.unpack_from('<Q', sb, 0)[0] == crc64(sb[8:208 + 8 * keys]),
        d[0] - int(args[1], 0) - int(args[2]),
        strides.pop() if len(strides) == 1 else 'irregular',
        all(x == 0 for x in d[keys:])))
elif what == 'changed':
    a, b = open(args[0], 'rb'), open(args[1], 'rb')
    ranges = [tuple(map(int, r.split(':'))) for r in args[2:]]
    n = abs(os.fstat(a.fileno()).st_size - os.fstat(b.fileno()).st_size)
    for at, (x, y) in blocks([a, b]):
        if x != y:
            n += sum(1 for i in range(4096) if x[i] != y[i] and
                     not any(s <= at + i < s + l for s, l in ranges))
    print(n)
elif what == 'digest':
    h = hashlib.sha256()
    with open(args[0], 'rb') as f:
        for at, (x,) in blocks([f]):
            if x.strip(b'\0'):
                h.update(at.to_bytes(8, 'little') + x)
        h.update(os.fstat(f.fileno()).st_size.to_bytes(8, 'little'))
    print(h.hexdigest())
PY
}

sb_facts() { oracle sb "$1" "$BASE" "$region"; }
changed_outside() { oracle changed "$@"; }
# replaces helpers' digest, which reads all of a 1 GiB cache image
digest() { oracle digest "$1"; }
