/* The per-character and per-token loop of the theme matcher, compiled.
 *
 * discourse.themes.matcher turns each chunk of text into tokens and looks every token up
 * in the anchor tables of the dictionary's patterns. With NumPy that is a dozen passes
 * over arrays the size of the text (token bytes, edges, keys, bitmap probes, a sorted
 * search); here it is one pass over the characters and one over the tokens, with the
 * GIL released. The results are the same arrays the NumPy path computes (matcher.py,
 * _token_bytes, the edge detection of Matcher._scan_chunk and Matcher._anchor_hits; the
 * test tests/test_themes_scan_ext.py compares them), so counts do not depend on which
 * path ran. The extension is optional: when it is not built, the NumPy path runs.
 *
 * scan(S, table16, table_full, keys, ids, bits, slots, pre_lengths, pre3_bitmap,
 *      suf_lengths)
 *   S            str, the chunk
 *   table16      65,536 bytes: the token byte of every BMP code point (0: not a token char)
 *   table_full   0x110000 bytes, the same for every code point, or None; when S holds an
 *                astral character and it is None, scan returns None (the caller builds
 *                the table and calls again)
 *   keys, ids    the anchors' uint64 hashes and their int64 ids
 *   bits, slots  an open-addressing table of 1 << bits int32 slots (less than half full):
 *                the index into keys of a hash, at its slot hash >> (64 - bits) or the
 *                next ones, -1 where a slot is empty
 *   pre_lengths  bytes: the prefix lengths to probe, sorted
 *   pre3_bitmap  65,536 bytes or None: the tokens whose first 3 chars may start a prefix
 *   suf_lengths  bytes: the suffix lengths to probe, sorted
 * returns (starts, ends, tok, anchor, units, kind): the first four as bytes holding
 * int64 arrays (token start and end offsets in S; the token index and anchor id of every
 * hit, in the NumPy path's order), units the code units of S (kind 1: one byte per
 * character, kind 2: two, kind 4: None) as bytes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint64_t M1 = 0x9E3779B97F4A7C15ULL;
static const uint64_t M2 = 0xC2B2AE3D27D4EB4FULL;
static const uint64_t M3 = 0xFF51AFD7ED558CCDULL;
#define PRE_SALT (1ULL << 32)
#define SUF_SALT (2ULL << 32)


typedef struct {
    int64_t *tok, *id;
    Py_ssize_t n;
} hits;

typedef struct {
    /* inputs */
    int kind;
    const void *data;
    Py_ssize_t n;
    const uint8_t *t16, *tfull;
    const uint64_t *keys;
    const int64_t *ids;
    Py_ssize_t n_keys;
    int bits;
    const int32_t *slots;
    const uint8_t *pre;
    Py_ssize_t n_pre;
    const uint8_t *pre3;
    const uint8_t *suf;
    Py_ssize_t n_suf;
    /* outputs */
    int64_t *starts, *ends, *tok, *anchor;
    Py_ssize_t nt, nh;
    /* the anchor hits: whole tokens, then each prefix and each suffix length (the order
       of the NumPy path) */
    hits lists[1 + 2 * 9];
} job;

/* One pass over the characters: every token's start, end, first (up to) 8 token bytes
 * (the first in the lowest byte) and last 8 (the last in the lowest byte). Tight loops
 * over the runs of non-token and of token characters (a few instructions a character). */
/* the bytes of v in reverse order (compilers make this one instruction) */
static inline uint64_t bswap(uint64_t v) {
    v = ((v & 0x00FF00FF00FF00FFULL) << 8) | ((v >> 8) & 0x00FF00FF00FF00FFULL);
    v = ((v & 0x0000FFFF0000FFFFULL) << 16) | ((v >> 16) & 0x0000FFFF0000FFFFULL);
    return (v << 32) | (v >> 32);
}

static const uint64_t LIVE[9] = {0ULL, 0xFFULL, 0xFFFFULL, 0xFFFFFFULL, 0xFFFFFFFFULL, 0xFFFFFFFFFFULL,
                                 0xFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFULL, ~0ULL};
#define TOKEN_LOOP(GET)                                                                             \
    for (i = 0;;) {                                                                                 \
        Py_ssize_t start, stop;                                                                     \
        uint64_t b, head = 0, reg = 0;                                                              \
        while (i < n && !(GET)) i++;                                                                \
        if (i >= n) break;                                                                          \
        start = i;                                                                                  \
        stop = n - i < 8 ? n : i + 8;                                                               \
        for (; i < stop && (b = (GET)); i++) head |= b << (8 * (i - start));                        \
        reg = bswap(head); /* the first 8, the 8th in the lowest byte */                \
        if (i == stop)                                                                              \
            for (; i < n && (b = (GET)); i++) reg = (reg << 8) | b;                                 \
        starts[nt] = start;                                                                         \
        ends[nt] = i;                                                                               \
        heads[nt] = head;                                                                           \
        tails[nt++] = i - start <= 8 ? bswap_len(head, i - start) : reg;                            \
    }

/* the first len (<= 8) bytes of v in reverse order: the last character in the lowest byte */
static inline uint64_t bswap_len(uint64_t v, Py_ssize_t len) {
    return len ? bswap(v) >> (8 * (8 - len)) : 0;
}

/* the anchor id of hash h, or -1: open addressing from the slot of h's top bits */
static inline int64_t lookup(const job *j, uint64_t h) {
    uint32_t mask = (1U << j->bits) - 1U, at = (uint32_t)(h >> (64 - j->bits));
    int32_t k;
    while ((k = j->slots[at]) >= 0) {
        if (j->keys[k] == h) return j->ids[k];
        at = (at + 1U) & mask;
    }
    return -1;
}

static inline void push(job *j, int list, int64_t t, uint64_t h) {
    int64_t a = lookup(j, h);
    if (a >= 0) {
        hits *l = &j->lists[list];
        l->tok[l->n] = t;
        l->id[l->n++] = a;
    }
}

/* Scratch arrays of 8-byte values, kept per thread from one call to the next and grown
 * when needed: fresh memory on every chunk costs more in page faults than the loop
 * itself (the arrays of a 200,000-character chunk take about 4 MB). At most one
 * chunk's worth stays allocated per thread that has called scan. */
#define N_SCRATCH (9 + 2 * (1 + 2 * 9)) /* the last three: candidates() */
static _Thread_local struct {
    void *p;
    Py_ssize_t cap;
} scratch_arrays[N_SCRATCH];

static void *scratch(int which, Py_ssize_t n) {
    if (scratch_arrays[which].cap < n) {
        void *p = realloc(scratch_arrays[which].p, (size_t)n * 8);
        if (!p) return NULL;
        scratch_arrays[which].p = p;
        scratch_arrays[which].cap = n;
    }
    return scratch_arrays[which].p;
}

/* 0 on success, -1 when out of memory; runs without the GIL */
static int run(job *j) {
    Py_ssize_t i, n = j->n, cap = n / 2 + 2, l, x, nt = 0, t, k;
    int n_lists = 1 + (int)j->n_pre + (int)j->n_suf;
    uint64_t *heads, *tails;
    int64_t *starts, *ends;
    starts = j->starts = (int64_t *)scratch(0, cap);
    ends = j->ends = (int64_t *)scratch(1, cap);
    heads = (uint64_t *)scratch(2, cap);
    tails = (uint64_t *)scratch(3, cap);
    if (!starts || !ends || !heads || !tails) return -1;
    if (j->kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *d = (const Py_UCS1 *)j->data;
        const uint8_t *t16 = j->t16;
        TOKEN_LOOP(t16[d[i]])
    } else if (j->kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *d = (const Py_UCS2 *)j->data;
        const uint8_t *t16 = j->t16;
        TOKEN_LOOP(t16[d[i]])
    } else {
        const Py_UCS4 *d = (const Py_UCS4 *)j->data;
        const uint8_t *t16 = j->t16, *tfull = j->tfull;
        TOKEN_LOOP(d[i] < 0x10000 ? t16[d[i]] : tfull[d[i]])
    }
    j->nt = nt;
    if (!j->n_keys) return 0;
    for (l = 0; l < n_lists; l++) {
        j->lists[l].tok = (int64_t *)scratch(4 + 2 * l, cap);
        j->lists[l].id = (int64_t *)scratch(5 + 2 * l, cap);
        if (!j->lists[l].tok || !j->lists[l].id) return -1;
    }
    /* the bitmap probes of every token's whole-token, prefix and suffix hashes */
    for (t = 0; t < nt; t++) {
        uint64_t hd = heads[t], len = (uint64_t)(ends[t] - starts[t]);
        push(j, 0, t, hd * M1 + len * M2);
        if (j->n_pre && (!j->pre3 || j->pre3[((hd & LIVE[3]) * M3) >> 48]))
            for (k = 0; k < j->n_pre; k++) push(j, 1 + (int)k, t, (hd & LIVE[j->pre[k]]) * M1 + (PRE_SALT + j->pre[k]) * M2);
        for (k = 0; k < j->n_suf; k++)
            push(j, 1 + (int)j->n_pre + (int)k, t, (tails[t] & LIVE[j->suf[k]]) * M1 + (SUF_SALT + j->suf[k]) * M2);
    }
    if (!j->n_keys) return 0;
    /* the lists one after the other */
    x = 0;
    for (l = 0; l < n_lists; l++) x += j->lists[l].n;
    j->tok = (int64_t *)scratch(4 + 2 * (1 + 2 * 9), x ? x : 1);
    j->anchor = (int64_t *)scratch(5 + 2 * (1 + 2 * 9), x ? x : 1);
    if (!j->tok || !j->anchor) return -1;
    for (l = 0; l < n_lists; l++) {
        memcpy(j->tok + j->nh, j->lists[l].tok, (size_t)j->lists[l].n * sizeof(int64_t));
        memcpy(j->anchor + j->nh, j->lists[l].id, (size_t)j->lists[l].n * sizeof(int64_t));
        j->nh += j->lists[l].n;
    }
    return 0;
}

static PyObject *int64_bytes(const int64_t *p, Py_ssize_t n) {
    return PyBytes_FromStringAndSize((const char *)p, n * (Py_ssize_t)sizeof(int64_t));
}

static int get_buffer(PyObject *o, Py_buffer *view, Py_ssize_t min_len, const char *what) {
    if (PyObject_GetBuffer(o, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->len < min_len) {
        PyErr_Format(PyExc_ValueError, "_scan.scan: %s has %zd bytes, needs %zd", what, view->len, min_len);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *scan(PyObject *self, PyObject *args) {
    PyObject *S, *o16, *ofull, *okeys, *oids, *oslots, *opre, *opre3, *osuf;
    int bits, rc;
    Py_ssize_t i;
    Py_buffer b16 = {0}, bfull = {0}, bkeys = {0}, bids = {0}, bslots = {0}, bpre = {0}, bpre3 = {0}, bsuf = {0};
    job j;
    PyObject *result = NULL, *units = NULL;
    memset(&j, 0, sizeof j);
    if (!PyArg_ParseTuple(args, "UOOOOiOOOO:scan", &S, &o16, &ofull, &okeys, &oids, &bits, &oslots, &opre, &opre3,
                          &osuf))
        return NULL;
    if (bits < 1 || bits > 30) {
        PyErr_SetString(PyExc_ValueError, "_scan.scan: bits must be 1 to 30");
        return NULL;
    }
    j.kind = PyUnicode_KIND(S);
    j.data = PyUnicode_DATA(S);
    j.n = PyUnicode_GET_LENGTH(S);
    if (j.kind == PyUnicode_4BYTE_KIND && ofull == Py_None) Py_RETURN_NONE;
    if (get_buffer(o16, &b16, 0x10000, "table16") < 0) goto done;
    if (ofull != Py_None && get_buffer(ofull, &bfull, 0x110000, "table_full") < 0) goto done;
    if (get_buffer(okeys, &bkeys, 0, "keys") < 0 || get_buffer(oids, &bids, 0, "ids") < 0) goto done;
    if (bids.len != bkeys.len) {
        PyErr_SetString(PyExc_ValueError, "_scan.scan: keys and ids differ in length");
        goto done;
    }
    if (get_buffer(oslots, &bslots, ((Py_ssize_t)1 << bits) * 4, "slots") < 0) goto done;
    if (get_buffer(opre, &bpre, 0, "pre_lengths") < 0 || get_buffer(osuf, &bsuf, 0, "suf_lengths") < 0) goto done;
    if (opre3 != Py_None && get_buffer(opre3, &bpre3, 0x10000, "pre3_bitmap") < 0) goto done;
    if (bpre.len > 9 || bsuf.len > 9) {
        PyErr_SetString(PyExc_ValueError, "_scan.scan: at most 9 prefix and 9 suffix lengths");
        goto done;
    }
    for (i = 0; i < bpre.len + bsuf.len; i++)
        if ((i < bpre.len ? ((const uint8_t *)bpre.buf)[i] : ((const uint8_t *)bsuf.buf)[i - bpre.len]) > 8) {
            PyErr_SetString(PyExc_ValueError, "_scan.scan: prefix and suffix lengths are 8 at most");
            goto done;
        }
    j.t16 = (const uint8_t *)b16.buf;
    j.tfull = ofull != Py_None ? (const uint8_t *)bfull.buf : NULL;
    j.keys = (const uint64_t *)bkeys.buf;
    j.ids = (const int64_t *)bids.buf;
    j.n_keys = bkeys.len / (Py_ssize_t)sizeof(uint64_t);
    j.bits = bits;
    j.slots = (const int32_t *)bslots.buf;
    j.pre = (const uint8_t *)bpre.buf;
    j.n_pre = bpre.len;
    j.pre3 = opre3 != Py_None ? (const uint8_t *)bpre3.buf : NULL;
    j.suf = (const uint8_t *)bsuf.buf;
    j.n_suf = bsuf.len;
    Py_BEGIN_ALLOW_THREADS
    rc = run(&j);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        PyErr_NoMemory();
        goto done;
    }
    if (j.kind == PyUnicode_4BYTE_KIND) {
        units = Py_None;
        Py_INCREF(units);
    } else {
        units = PyBytes_FromStringAndSize((const char *)j.data, j.n * j.kind);
        if (!units) goto done;
    }
    {
        PyObject *a = int64_bytes(j.starts, j.nt), *b = int64_bytes(j.ends, j.nt), *c = int64_bytes(j.tok, j.nh),
                 *d = int64_bytes(j.anchor, j.nh);
        if (a && b && c && d) result = Py_BuildValue("(NNNNOi)", a, b, c, d, units, j.kind);
        else {
            Py_XDECREF(a);
            Py_XDECREF(b);
            Py_XDECREF(c);
            Py_XDECREF(d);
        }
    }
done:
    Py_XDECREF(units);
    if (b16.obj) PyBuffer_Release(&b16);
    if (bfull.obj) PyBuffer_Release(&bfull);
    if (bkeys.obj) PyBuffer_Release(&bkeys);
    if (bids.obj) PyBuffer_Release(&bids);
    if (bslots.obj) PyBuffer_Release(&bslots);
    if (bpre.obj) PyBuffer_Release(&bpre);
    if (bpre3.obj) PyBuffer_Release(&bpre3);
    if (bsuf.obj) PyBuffer_Release(&bsuf);
    return result;
}

/* candidates(tok, anchor, nt, first_ptr, first_routes, route_offset, route_bits,
 *            route_lead, route_level, route_probe, anchor_bits, reach)
 * The first filter of Matcher._candidates, compiled: for every anchor hit (token
 * tok[i], anchor anchor[i]) and every route the anchor leads into, the token where a
 * match would start (t = tok - route_offset, kept when >= 0), kept when the route's lead
 * words are at t and the groups of its required words occur within 2 ** route_level
 * tokens from t (64-bit masks of groups, anchor_bits per anchor). Returns the sorted,
 * distinct keys route_probe * nt + t as bytes of int64. All arrays are int64 but the
 * masks (uint64). */
/* Sort n keys (0 <= key <= max) in place, least significant 11 bits first, with tmp
 * (n values) as the other buffer; then keep one of each. Returns the count kept. */
static Py_ssize_t sort_unique(int64_t *keys, int64_t *tmp, Py_ssize_t n, int64_t max) {
    Py_ssize_t count[2048], i, w;
    int shift;
    int64_t *src = keys, *dst = tmp, *x;
    for (shift = 0; shift == 0 || (max >> shift) > 0; shift += 11) {
        Py_ssize_t sum = 0;
        memset(count, 0, sizeof count);
        for (i = 0; i < n; i++) count[(src[i] >> shift) & 2047]++;
        for (i = 0; i < 2048; i++) {
            Py_ssize_t c = count[i];
            count[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++) dst[count[(src[i] >> shift) & 2047]++] = src[i];
        x = src;
        src = dst;
        dst = x;
    }
    if (src != keys) memcpy(keys, src, (size_t)n * sizeof(int64_t));
    for (w = i = 0; i < n; i++)
        if (!w || keys[i] != keys[w - 1]) keys[w++] = keys[i];
    return w;
}

static PyObject *candidates(PyObject *self, PyObject *args) {
    PyObject *o[11];
    Py_buffer v[11];
    Py_ssize_t nt, reach, n_hits, n_anchors, n_routes, i, out = 0, cap = 0, n_probes_max = 1;
    const char *names[11] = {"tok", "anchor", "first_ptr", "first_routes", "route_offset", "route_bits",
                             "route_lead", "route_level", "route_probe", "anchor_bits", ""};
    int got = 0, bad = 0;
    int64_t *keys = NULL;
    uint64_t *here = NULL;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOnOOOOOOOOn:candidates", &o[0], &o[1], &nt, &o[2], &o[3], &o[4], &o[5], &o[6], &o[7],
                          &o[8], &o[9], &reach))
        return NULL;
    for (got = 0; got < 10; got++)
        if (get_buffer(o[got], &v[got], 0, names[got]) < 0) goto done;
    n_hits = v[0].len / 8;
    n_anchors = v[9].len / 8;
    n_routes = v[4].len / 8;
    if (v[1].len / 8 != n_hits || v[2].len / 8 != n_anchors + 1 || v[5].len / 8 != n_routes ||
        v[6].len / 8 != n_routes || v[7].len / 8 != n_routes || v[8].len / 8 != n_routes || nt < 1 || reach < 1) {
        PyErr_SetString(PyExc_ValueError, "_scan.candidates: inconsistent table sizes");
        goto done;
    }
    {
        const int64_t *tok = v[0].buf, *anchor = v[1].buf, *ptr = v[2].buf, *routes = v[3].buf, *offset = v[4].buf;
        const uint64_t *need = v[5].buf, *lead = v[6].buf, *abits = v[9].buf;
        const int64_t *level = v[7].buf, *probe = v[8].buf;
        Py_ssize_t n_flat = v[3].len / 8;
        for (i = 0; i < n_hits && !bad; i++)
            if (tok[i] < 0 || tok[i] >= nt || anchor[i] < 0 || anchor[i] >= n_anchors || ptr[anchor[i]] < 0 ||
                ptr[anchor[i] + 1] > n_flat)
                bad = 1;
        for (i = 0; i < n_routes && !bad; i++) {
            if (level[i] < 0 || level[i] > 40 || ((Py_ssize_t)1 << level[i]) > reach || offset[i] < 0 || probe[i] < 0)
                bad = 1;
            else if (probe[i] + 1 > n_probes_max)
                n_probes_max = probe[i] + 1;
        }
        for (i = 0; i < n_flat && !bad; i++)
            if (routes[i] < 0 || routes[i] >= n_routes) bad = 1;
        if (bad) {
            PyErr_SetString(PyExc_ValueError, "_scan.candidates: an index is out of range");
            goto done;
        }
        Py_BEGIN_ALLOW_THREADS
        here = (uint64_t *)scratch(N_SCRATCH - 3, nt + reach);
        if (here) {
            memset(here, 0, (size_t)(nt + reach) * sizeof(uint64_t));
            for (i = 0; i < n_hits; i++) here[tok[i]] |= abits[anchor[i]];
            for (i = 0; i < n_hits && !bad; i++) {
                int64_t r, a = anchor[i];
                for (r = ptr[a]; r < ptr[a + 1]; r++) {
                    int64_t route = routes[r], t = tok[i] - offset[route];
                    if (t < 0) continue;
                    if (lead[route] && (here[t] & lead[route]) != lead[route]) continue;
                    if (need[route]) {
                        uint64_t acc = 0;
                        int64_t p, w = (int64_t)1 << level[route];
                        for (p = t; p < t + w; p++) acc |= here[p];
                        if ((acc & need[route]) != need[route]) continue;
                    }
                    if (out == cap) {
                        Py_ssize_t c2 = cap ? cap * 2 : 4096;
                        int64_t *k2 = (int64_t *)scratch(N_SCRATCH - 2, c2);
                        if (!k2) {
                            bad = 1;
                            break;
                        }
                        keys = k2;
                        cap = c2;
                    }
                    keys[out++] = probe[route] * nt + t;
                }
            }
            if (!bad && out > 1) {
                int64_t *tmp = (int64_t *)scratch(N_SCRATCH - 1, out);
                if (tmp)
                    out = sort_unique(keys, tmp, out, (int64_t)n_probes_max * nt);
                else
                    bad = 1;
            }
        } else
            bad = 1;
        Py_END_ALLOW_THREADS
        if (bad) {
            PyErr_NoMemory();
            goto done;
        }
        result = int64_bytes(keys, out);
    }
done:
    for (i = 0; i < got; i++) PyBuffer_Release(&v[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS, "Tokens of a chunk and their anchor hits (see the module source)."},
    {"candidates", candidates, METH_VARARGS, "The (probe, token) keys worth a check (see the module source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan", "Compiled inner loop of the theme matcher.", -1,
                                    methods};

PyMODINIT_FUNC PyInit__scan(void) { return PyModule_Create(&module); }
