/* The per-character and per-token loop of the theme matcher, compiled.
 *
 * discourse.themes.matcher turns each chunk of text into tokens, looks every token up in
 * the anchor tables of the dictionary's patterns, and keeps the (pattern, token) pairs
 * whose required words are near. With NumPy that is a dozen passes over arrays the size
 * of the text; here it is a pass over the characters (their token bytes), one over the
 * token bytes 8 at a time (the boundaries) and one over the tokens, with the GIL released. The results are the arrays the NumPy path computes (matcher.py:
 * _token_bytes, the edge detection of Matcher._scan_chunk, Matcher._anchor_hits and
 * Matcher._candidate_keys; tests/test_themes_scan_ext.py compares them), so counts do not
 * depend on which path ran. The extension is optional: where it is not built, or its API
 * number is not the one matcher.py expects, the NumPy path runs.
 *
 * The tables are validated and copied once (anchors(), routes(): capsules), so that the
 * loops can trust them; the memory a call works in comes from a Scratch capsule that the
 * caller keeps per thread (Python frees it with the thread) and that keeps its arrays
 * from one chunk to the next: fresh memory on every chunk costs more in page faults than
 * the loop itself. Arrays grown past TRIM_VALUES (a very long document) are freed at the
 * end of the call.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define API 2 /* matcher.py uses the extension only when _scan.API is this number */

static const uint64_t M1 = 0x9E3779B97F4A7C15ULL;
static const uint64_t M2 = 0xC2B2AE3D27D4EB4FULL;
static const uint64_t M3 = 0xFF51AFD7ED558CCDULL;
#define PRE_SALT (1ULL << 32)
#define SUF_SALT (2ULL << 32)
#define MAX_LENGTHS 9 /* prefix (suffix) lengths probed, each 1..8 */
#define N_LISTS (1 + 2 * MAX_LENGTHS)
#define TRIM_VALUES ((Py_ssize_t)1 << 22) /* 32 MB per array */

static const uint64_t LIVE[9] = {0ULL, 0xFFULL, 0xFFFFULL, 0xFFFFFFULL, 0xFFFFFFFFULL, 0xFFFFFFFFFFULL,
                                 0xFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFULL, ~0ULL};

/* the bytes of v in reverse order (compilers make this one instruction) */
static inline uint64_t bswap(uint64_t v) {
    v = ((v & 0x00FF00FF00FF00FFULL) << 8) | ((v >> 8) & 0x00FF00FF00FF00FFULL);
    v = ((v & 0x0000FFFF0000FFFFULL) << 16) | ((v >> 16) & 0x0000FFFF0000FFFFULL);
    return (v << 32) | (v >> 32);
}

/* the index of the lowest set bit of v (v != 0) */
static inline int ctz64(uint64_t v) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(v);
#else
    static const int debruijn[64] = {0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,
                                     62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
                                     63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
                                     46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};
    return debruijn[((v & (~v + 1)) * 0x03F79D71B4CB0A89ULL) >> 58];
#endif
}

/* 8 bytes from p as a little-endian number (any alignment, any byte order) */
static inline uint64_t load_le(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = bswap(v);
#endif
    return v;
}

/* --- scratch memory -------------------------------------------------------------------- */

enum {
    S_STARTS, S_ENDS, S_HEADS, S_TAILS, S_TOK, S_ANCHOR, S_HERE, S_KEYS, S_SORT, S_BYTES,
    S_LISTS, /* N_LISTS pairs (token, anchor id) follow */
    N_SCRATCH = S_LISTS + 2 * N_LISTS
};

typedef struct {
    void *p[N_SCRATCH];
    Py_ssize_t cap[N_SCRATCH]; /* in 8-byte values */
} scratch_t;

#define SCRATCH_NAME "discourse.themes._scan.Scratch"

static void scratch_free(PyObject *capsule) {
    scratch_t *s = (scratch_t *)PyCapsule_GetPointer(capsule, SCRATCH_NAME);
    int i;
    if (!s) return;
    for (i = 0; i < N_SCRATCH; i++) free(s->p[i]);
    free(s);
}

/* n 8-byte values of array `which` (kept, grown when needed); NULL when out of memory */
static void *grab(scratch_t *s, int which, Py_ssize_t n) {
    if (n < 1) n = 1;
    if (s->cap[which] < n) {
        void *p;
        if ((size_t)n > SIZE_MAX / 8) return NULL;
        p = realloc(s->p[which], (size_t)n * 8);
        if (!p) return NULL;
        s->p[which] = p;
        s->cap[which] = n;
    }
    return s->p[which];
}

static void trim(scratch_t *s) {
    int i;
    for (i = 0; i < N_SCRATCH; i++)
        if (s->cap[i] > TRIM_VALUES) {
            free(s->p[i]);
            s->p[i] = NULL;
            s->cap[i] = 0;
        }
}

static PyObject *new_scratch(PyObject *self, PyObject *noargs) {
    scratch_t *s = (scratch_t *)calloc(1, sizeof(scratch_t));
    PyObject *capsule;
    if (!s) return PyErr_NoMemory();
    capsule = PyCapsule_New(s, SCRATCH_NAME, scratch_free);
    if (!capsule) free(s);
    return capsule;
}

/* --- helpers ---------------------------------------------------------------------------- */

/* a C-contiguous buffer of exactly `len` bytes (or any length when len < 0) */
static int get_buffer(const char *fn, PyObject *o, Py_buffer *view, Py_ssize_t len, Py_ssize_t item,
                      const char *what) {
    if (PyObject_GetBuffer(o, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if ((len >= 0 && view->len != len) || view->len % item) {
        PyErr_Format(PyExc_ValueError, "_scan.%s: %s has %zd bytes, %s %zd", fn, what, view->len,
                     len >= 0 ? "needs" : "not a multiple of", len >= 0 ? len : item);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* a copy of a buffer's bytes in C memory owned by the caller (NULL when empty) */
static void *copy_of(const Py_buffer *view) {
    void *p;
    if (!view->len) return NULL;
    p = malloc((size_t)view->len);
    if (p) memcpy(p, view->buf, (size_t)view->len);
    return p;
}

static PyObject *int64_bytes(const int64_t *p, Py_ssize_t n) {
    return PyBytes_FromStringAndSize((const char *)p, n * (Py_ssize_t)sizeof(int64_t));
}

/* --- the anchor tables ------------------------------------------------------------------ */

typedef struct {
    uint8_t t16[0x10000];        /* token byte of every BMP code point (0: not a token character) */
    uint64_t *keys;              /* the anchors' hashes */
    int64_t *ids;                /* their ids */
    Py_ssize_t n_keys;
    int bits;                    /* slots: 1 << bits int32, the index into keys or -1 */
    int32_t *slots;
    uint64_t *homes;             /* 1 << bits bits: the slots some key hashes to (checked first) */
    uint8_t pre[MAX_LENGTHS], suf[MAX_LENGTHS];
    Py_ssize_t n_pre, n_suf;
    uint8_t *pre3;               /* 65,536 flags or NULL */
} anchors_t;

#define ANCHORS_NAME "discourse.themes._scan.Anchors"

static void anchors_clear(anchors_t *a) {
    free(a->keys);
    free(a->ids);
    free(a->slots);
    free(a->homes);
    free(a->pre3);
    free(a);
}

static void anchors_free(PyObject *capsule) {
    anchors_t *a = (anchors_t *)PyCapsule_GetPointer(capsule, ANCHORS_NAME);
    if (a) anchors_clear(a);
}

static int lengths(const Py_buffer *v, uint8_t *out, Py_ssize_t *n, const char *what) {
    Py_ssize_t i;
    if (v->len > MAX_LENGTHS) {
        PyErr_Format(PyExc_ValueError, "_scan.anchors: at most %d %s lengths", MAX_LENGTHS, what);
        return -1;
    }
    for (i = 0; i < v->len; i++) {
        out[i] = ((const uint8_t *)v->buf)[i];
        if (out[i] < 1 || out[i] > 8) {
            PyErr_Format(PyExc_ValueError, "_scan.anchors: %s lengths are 1 to 8", what);
            return -1;
        }
    }
    *n = v->len;
    return 0;
}

static PyObject *anchors(PyObject *self, PyObject *args) {
    PyObject *o16, *okeys, *oids, *oslots, *opre, *opre3, *osuf, *capsule = NULL;
    int bits;
    Py_buffer v16 = {0}, vkeys = {0}, vids = {0}, vslots = {0}, vpre = {0}, vpre3 = {0}, vsuf = {0};
    anchors_t *a = NULL;
    Py_ssize_t i, empty = 0;
    if (!PyArg_ParseTuple(args, "OOOiOOOO:anchors", &o16, &okeys, &oids, &bits, &oslots, &opre, &opre3, &osuf))
        return NULL;
    if (bits < 1 || bits > 30) {
        PyErr_SetString(PyExc_ValueError, "_scan.anchors: bits must be 1 to 30");
        return NULL;
    }
    if (get_buffer("anchors", o16, &v16, 0x10000, 1, "table16") < 0 || get_buffer("anchors", okeys, &vkeys, -1, 8, "keys") < 0 ||
        get_buffer("anchors", oids, &vids, vkeys.len, 8, "ids") < 0 ||
        get_buffer("anchors", oslots, &vslots, ((Py_ssize_t)1 << bits) * 4, 4, "slots") < 0 ||
        get_buffer("anchors", opre, &vpre, -1, 1, "pre_lengths") < 0 || get_buffer("anchors", osuf, &vsuf, -1, 1, "suf_lengths") < 0 ||
        (opre3 != Py_None && get_buffer("anchors", opre3, &vpre3, 0x10000, 1, "pre3_bitmap") < 0))
        goto done;
    a = (anchors_t *)calloc(1, sizeof(anchors_t));
    if (!a) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(a->t16, v16.buf, 0x10000);
    a->n_keys = vkeys.len / 8;
    a->bits = bits;
    if (lengths(&vpre, a->pre, &a->n_pre, "prefix") < 0 || lengths(&vsuf, a->suf, &a->n_suf, "suffix") < 0) goto done;
    a->keys = (uint64_t *)copy_of(&vkeys);
    a->ids = (int64_t *)copy_of(&vids);
    a->slots = (int32_t *)copy_of(&vslots);
    a->pre3 = opre3 != Py_None ? (uint8_t *)copy_of(&vpre3) : NULL;
    if ((a->n_keys && (!a->keys || !a->ids)) || !a->slots || (opre3 != Py_None && !a->pre3)) {
        PyErr_NoMemory();
        goto done;
    }
    /* every slot empty (-1) or an index into keys, and one empty at least: lookups end */
    for (i = 0; i < ((Py_ssize_t)1 << bits); i++) {
        if (a->slots[i] < -1 || a->slots[i] >= a->n_keys) {
            PyErr_SetString(PyExc_ValueError, "_scan.anchors: a slot is not -1 or an index into keys");
            goto done;
        }
        empty += a->slots[i] == -1;
    }
    if (!empty) {
        PyErr_SetString(PyExc_ValueError, "_scan.anchors: the slot table is full");
        goto done;
    }
    a->homes = (uint64_t *)calloc((((size_t)1 << bits) + 63) / 64, sizeof(uint64_t));
    if (!a->homes) {
        PyErr_NoMemory();
        goto done;
    }
    for (i = 0; i < a->n_keys; i++) {
        uint64_t home = a->keys[i] >> (64 - bits);
        a->homes[home >> 6] |= 1ULL << (home & 63);
    }
    capsule = PyCapsule_New(a, ANCHORS_NAME, anchors_free);
    if (capsule) a = NULL;
done:
    if (a) anchors_clear(a);
    if (v16.obj) PyBuffer_Release(&v16);
    if (vkeys.obj) PyBuffer_Release(&vkeys);
    if (vids.obj) PyBuffer_Release(&vids);
    if (vslots.obj) PyBuffer_Release(&vslots);
    if (vpre.obj) PyBuffer_Release(&vpre);
    if (vpre3.obj) PyBuffer_Release(&vpre3);
    if (vsuf.obj) PyBuffer_Release(&vsuf);
    return capsule;
}

/* --- scan ------------------------------------------------------------------------------- */

typedef struct {
    int64_t *tok, *id;
    Py_ssize_t n;
} hits_t;

/* the anchor id of hash h, or -1: open addressing from the slot of h's top bits (the
 * table has an empty slot, checked by anchors(), so the loop ends) */
static inline int64_t lookup(const anchors_t *a, uint64_t h) {
    uint32_t mask = (1U << a->bits) - 1U, at = (uint32_t)(h >> (64 - a->bits));
    int32_t k;
    if (!((a->homes[at >> 6] >> (at & 63)) & 1U)) return -1; /* no key has this slot: most tokens */
    while ((k = a->slots[at]) >= 0) {
        if (a->keys[k] == h) return a->ids[k];
        at = (at + 1U) & mask;
    }
    return -1;
}

static inline void push(const anchors_t *a, hits_t *l, int64_t t, uint64_t h) {
    int64_t id = lookup(a, h);
    if (id >= 0) {
        l->tok[l->n] = t;
        l->id[l->n++] = id;
    }
}

typedef struct {
    const anchors_t *a;
    scratch_t *s;
    int kind;
    const void *data;
    Py_ssize_t n;
    const uint8_t *tfull;
    /* outputs, in scratch memory */
    int64_t *starts, *ends, *tok, *anchor;
    Py_ssize_t nt, nh;
} job_t;

/* 0 on success, -1 when out of memory; runs without the GIL */
static int run(job_t *j) {
    const anchors_t *a = j->a;
    scratch_t *s = j->s;
    Py_ssize_t i, n = j->n, cap = n / 2 + 2, nt = 0, t, k;
    int l, n_lists = 1 + (int)a->n_pre + (int)a->n_suf;
    hits_t lists[N_LISTS];
    uint64_t *heads, *tails;
    int64_t *starts, *ends;
    const uint8_t *t16 = a->t16;
    starts = j->starts = (int64_t *)grab(s, S_STARTS, cap);
    ends = j->ends = (int64_t *)grab(s, S_ENDS, cap);
    heads = (uint64_t *)grab(s, S_HEADS, cap);
    tails = (uint64_t *)grab(s, S_TAILS, cap);
    if (!starts || !ends || !heads || !tails) return -1;
    {
        /* the token byte of every character, with 8 zero bytes before and after; then the
           token boundaries 8 characters at a time: a bit per byte that is not 0, and the
           places where it changes from the previous byte (a token starts where the byte
           is not 0, ends where it is), found with ctz64. Far fewer mispredicted branches
           than a test per character (a token ends every 6 characters or so). */
        uint8_t *b = (uint8_t *)grab(s, S_BYTES, (n + 16 + 7) / 8);
        const uint64_t LOW7 = 0x7F7F7F7F7F7F7F7FULL, HIGH = 0x8080808080808080ULL;
        uint64_t carry = 0; /* bit 63: the previous word's last byte was not 0 */
        Py_ssize_t w;
        if (!b) return -1;
        memset(b, 0, 8);
        memset(b + 8 + n, 0, 8);
        if (j->kind == PyUnicode_1BYTE_KIND) {
            const Py_UCS1 *d = (const Py_UCS1 *)j->data;
            for (i = 0; i < n; i++) b[8 + i] = t16[d[i]];
        } else if (j->kind == PyUnicode_2BYTE_KIND) {
            const Py_UCS2 *d = (const Py_UCS2 *)j->data;
            for (i = 0; i < n; i++) b[8 + i] = t16[d[i]];
        } else {
            const Py_UCS4 *d = (const Py_UCS4 *)j->data;
            const uint8_t *tfull = j->tfull;
            for (i = 0; i < n; i++) b[8 + i] = d[i] < 0x10000 ? t16[d[i]] : tfull[d[i]];
        }
        for (w = 0; w <= n; w += 8) {
            uint64_t v = load_le(b + 8 + w);
            uint64_t nz = (v | ((v & LOW7) + LOW7)) & HIGH; /* bit 7 of a byte: it is not 0 */
            uint64_t change = nz ^ ((nz << 8) | (carry >> 56));
            carry = nz;
            while (change) {
                int bit = ctz64(change);
                Py_ssize_t at = w + (bit >> 3);
                change &= change - 1;
                if ((nz >> bit) & 1U)
                    starts[nt] = at;
                else
                    ends[nt++] = at;
            }
        }
        /* the first (up to) 8 token bytes of each token, the first in the lowest byte, and
           the last (up to) 8, the last in the lowest byte */
        for (t = 0; t < nt; t++) {
            Py_ssize_t len = ends[t] - starts[t];
            uint64_t live = LIVE[len < 8 ? len : 8];
            heads[t] = load_le(b + 8 + starts[t]) & live;
            tails[t] = bswap(load_le(b + ends[t])) & live;
        }
    }
    j->nt = nt;
    j->nh = 0;
    if (!a->n_keys || !nt) return 0;
    /* every token's whole-token, prefix and suffix hashes looked up, one list per kind
       and length (a list holds one hit per token at most) */
    for (l = 0; l < n_lists; l++) {
        lists[l].n = 0;
        lists[l].tok = (int64_t *)grab(s, S_LISTS + 2 * l, nt);
        lists[l].id = (int64_t *)grab(s, S_LISTS + 2 * l + 1, nt);
        if (!lists[l].tok || !lists[l].id) return -1;
    }
    for (t = 0; t < nt; t++) {
        uint64_t hd = heads[t], len = (uint64_t)(ends[t] - starts[t]);
        push(a, &lists[0], t, hd * M1 + len * M2);
        if (a->n_pre && (!a->pre3 || a->pre3[((hd & LIVE[3]) * M3) >> 48]))
            for (k = 0; k < a->n_pre; k++)
                push(a, &lists[1 + k], t, (hd & LIVE[a->pre[k]]) * M1 + (PRE_SALT + a->pre[k]) * M2);
        for (k = 0; k < a->n_suf; k++)
            push(a, &lists[1 + a->n_pre + k], t, (tails[t] & LIVE[a->suf[k]]) * M1 + (SUF_SALT + a->suf[k]) * M2);
    }
    /* the lists one after the other: the NumPy path's order */
    for (l = 0; l < n_lists; l++) j->nh += lists[l].n;
    j->tok = (int64_t *)grab(s, S_TOK, j->nh);
    j->anchor = (int64_t *)grab(s, S_ANCHOR, j->nh);
    if (!j->tok || !j->anchor) return -1;
    for (i = 0, l = 0; l < n_lists; l++) {
        memcpy(j->tok + i, lists[l].tok, (size_t)lists[l].n * sizeof(int64_t));
        memcpy(j->anchor + i, lists[l].id, (size_t)lists[l].n * sizeof(int64_t));
        i += lists[l].n;
    }
    return 0;
}

PyDoc_STRVAR(scan_doc,
"scan(scratch, anchors, S, table_full)\n--\n\n"
"The tokens of the chunk S and their anchor hits: (starts, ends, tok, anchor, units,\n"
"kind). starts, ends, tok and anchor are bytes of int64: the tokens' character offsets,\n"
"and the token index and anchor id of every hit (whole tokens, then each prefix length,\n"
"then each suffix length, each in token order). units are S's code units as bytes (1 or\n"
"2 per character, by kind) or None for a string with an astral character (kind 4),\n"
"which needs table_full (0x110000 token bytes); without it scan returns None.");

static PyObject *scan(PyObject *self, PyObject *args) {
    PyObject *oscratch, *oanchors, *S, *ofull, *result = NULL, *units = NULL;
    Py_buffer vfull = {0};
    job_t j;
    int rc;
    memset(&j, 0, sizeof j);
    if (!PyArg_ParseTuple(args, "OOUO:scan", &oscratch, &oanchors, &S, &ofull)) return NULL;
    j.s = (scratch_t *)PyCapsule_GetPointer(oscratch, SCRATCH_NAME);
    if (!j.s) return NULL;
    j.a = (const anchors_t *)PyCapsule_GetPointer(oanchors, ANCHORS_NAME);
    if (!j.a) return NULL;
    j.kind = PyUnicode_KIND(S);
    j.data = PyUnicode_DATA(S);
    j.n = PyUnicode_GET_LENGTH(S);
    if (j.kind == PyUnicode_4BYTE_KIND) {
        if (ofull == Py_None) Py_RETURN_NONE;
        if (get_buffer("scan", ofull, &vfull, 0x110000, 1, "table_full") < 0) return NULL;
        j.tfull = (const uint8_t *)vfull.buf;
    }
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
        if (a && b && c && d)
            result = Py_BuildValue("(NNNNOi)", a, b, c, d, units, j.kind);
        else {
            Py_XDECREF(a);
            Py_XDECREF(b);
            Py_XDECREF(c);
            Py_XDECREF(d);
        }
    }
done:
    Py_XDECREF(units);
    if (vfull.obj) PyBuffer_Release(&vfull);
    trim(j.s);
    return result;
}

/* --- the route filter ------------------------------------------------------------------- */

typedef struct {
    Py_ssize_t n_anchors, n_routes, n_probes, reach;
    int64_t *ptr, *flat;           /* anchor -> its routes (CSR) */
    int64_t *offset, *level, *probe;
    uint64_t *need, *lead, *abits;
} routes_t;

#define ROUTES_NAME "discourse.themes._scan.Routes"

static void routes_clear(routes_t *r) {
    free(r->ptr);
    free(r->flat);
    free(r->offset);
    free(r->level);
    free(r->probe);
    free(r->need);
    free(r->lead);
    free(r->abits);
    free(r);
}

static void routes_free(PyObject *capsule) {
    routes_t *r = (routes_t *)PyCapsule_GetPointer(capsule, ROUTES_NAME);
    if (r) routes_clear(r);
}

static PyObject *routes(PyObject *self, PyObject *args) {
    PyObject *o[8], *capsule = NULL;
    Py_buffer v[8];
    Py_ssize_t reach, i, n_flat;
    int got = 0, bad = 0;
    const char *names[8] = {"first_ptr", "first_routes", "route_offset", "route_bits",
                            "route_lead", "route_level", "route_probe", "anchor_bits"};
    routes_t *r = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOOOOn:routes", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7], &reach))
        return NULL;
    for (got = 0; got < 8; got++)
        if (get_buffer("routes", o[got], &v[got], -1, 8, names[got]) < 0) goto done;
    r = (routes_t *)calloc(1, sizeof(routes_t));
    if (!r) {
        PyErr_NoMemory();
        goto done;
    }
    r->n_anchors = v[7].len / 8;
    r->n_routes = v[2].len / 8;
    r->reach = reach;
    n_flat = v[1].len / 8;
    if (v[0].len / 8 != r->n_anchors + 1 || v[3].len / 8 != r->n_routes || v[4].len / 8 != r->n_routes ||
        v[5].len / 8 != r->n_routes || v[6].len / 8 != r->n_routes || reach < 1 || reach > ((Py_ssize_t)1 << 30)) {
        PyErr_SetString(PyExc_ValueError, "_scan.routes: inconsistent table sizes");
        goto done;
    }
    r->ptr = (int64_t *)copy_of(&v[0]);
    r->flat = (int64_t *)copy_of(&v[1]);
    r->offset = (int64_t *)copy_of(&v[2]);
    r->need = (uint64_t *)copy_of(&v[3]);
    r->lead = (uint64_t *)copy_of(&v[4]);
    r->level = (int64_t *)copy_of(&v[5]);
    r->probe = (int64_t *)copy_of(&v[6]);
    r->abits = (uint64_t *)copy_of(&v[7]);
    if (!r->ptr || (n_flat && !r->flat) || (r->n_routes && (!r->offset || !r->need || !r->lead || !r->level || !r->probe)) ||
        (r->n_anchors && !r->abits)) {
        PyErr_NoMemory();
        goto done;
    }
    r->n_probes = 1;
    if (r->ptr[0] != 0 || r->ptr[r->n_anchors] > n_flat) bad = 1;
    for (i = 0; i < r->n_anchors && !bad; i++)
        if (r->ptr[i + 1] < r->ptr[i]) bad = 1;
    for (i = 0; i < n_flat && !bad; i++)
        if (r->flat[i] < 0 || r->flat[i] >= r->n_routes) bad = 1;
    for (i = 0; i < r->n_routes && !bad; i++) {
        if (r->level[i] < 0 || r->level[i] > 30 || ((Py_ssize_t)1 << r->level[i]) > reach || r->offset[i] < 0 ||
            r->probe[i] < 0 || r->probe[i] >= ((int64_t)1 << 31))
            bad = 1;
        else if (r->probe[i] + 1 > r->n_probes)
            r->n_probes = r->probe[i] + 1;
    }
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "_scan.routes: an index or level is out of range");
        goto done;
    }
    capsule = PyCapsule_New(r, ROUTES_NAME, routes_free);
    if (capsule) r = NULL;
done:
    if (r) routes_clear(r);
    for (i = 0; i < got; i++) PyBuffer_Release(&v[i]);
    return capsule;
}

/* Sort n keys (0 <= key <= max) in place, least significant 11 bits first, with tmp
 * (n values) as the other buffer; then keep one of each. Returns the count kept. */
static Py_ssize_t sort_unique(int64_t *keys, int64_t *tmp, Py_ssize_t n, int64_t max) {
    Py_ssize_t count[2048], i, w;
    int shift;
    int64_t *src = keys, *dst = tmp, *x;
    for (shift = 0; shift < 63 && (shift == 0 || (max >> shift) > 0); shift += 11) {
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

PyDoc_STRVAR(candidates_doc,
"candidates(scratch, routes, tok, anchor, nt)\n--\n\n"
"The first filter of Matcher._candidates: for every anchor hit (token tok[i], anchor\n"
"anchor[i], int64 arrays) and every route the anchor leads into, the token where a match\n"
"would start (t = tok - offset, kept when >= 0), kept when the route's lead words are at t\n"
"and the groups of its required words occur within 2 ** level tokens from t. Returns the\n"
"sorted, distinct keys probe * nt + t as bytes of int64.");

static PyObject *candidates(PyObject *self, PyObject *args) {
    PyObject *oscratch, *oroutes, *otok, *oanchor, *result = NULL;
    Py_buffer vtok = {0}, vanchor = {0};
    Py_ssize_t nt, n_hits, i, out = 0, cap = 0;
    scratch_t *s;
    const routes_t *r;
    int64_t *keys = NULL;
    int bad = 0;
    if (!PyArg_ParseTuple(args, "OOOOn:candidates", &oscratch, &oroutes, &otok, &oanchor, &nt)) return NULL;
    s = (scratch_t *)PyCapsule_GetPointer(oscratch, SCRATCH_NAME);
    if (!s) return NULL;
    r = (const routes_t *)PyCapsule_GetPointer(oroutes, ROUTES_NAME);
    if (!r) return NULL;
    if (get_buffer("candidates", otok, &vtok, -1, 8, "tok") < 0) return NULL;
    if (get_buffer("candidates", oanchor, &vanchor, vtok.len, 8, "anchor") < 0) goto done;
    n_hits = vtok.len / 8;
    /* keys probe * nt + t stay below 2^62: no overflow */
    if (nt < 1 || nt > (((int64_t)1 << 62) / r->n_probes)) {
        PyErr_SetString(PyExc_ValueError, "_scan.candidates: nt out of range");
        goto done;
    }
    {
        const int64_t *tok = vtok.buf, *anchor = vanchor.buf;
        for (i = 0; i < n_hits && !bad; i++)
            if (tok[i] < 0 || tok[i] >= nt || anchor[i] < 0 || anchor[i] >= r->n_anchors) bad = 1;
        if (bad) {
            PyErr_SetString(PyExc_ValueError, "_scan.candidates: a token or anchor id is out of range");
            goto done;
        }
        Py_BEGIN_ALLOW_THREADS
        {
            uint64_t *here = (uint64_t *)grab(s, S_HERE, nt + r->reach);
            if (!here) bad = 1;
            else {
                /* the groups of required words each token holds */
                memset(here, 0, (size_t)(nt + r->reach) * sizeof(uint64_t));
                for (i = 0; i < n_hits; i++) here[tok[i]] |= r->abits[anchor[i]];
            }
            for (i = 0; i < n_hits && !bad; i++) {
                int64_t k, a = anchor[i];
                for (k = r->ptr[a]; k < r->ptr[a + 1]; k++) {
                    int64_t route = r->flat[k], t = tok[i] - r->offset[route];
                    uint64_t lead = r->lead[route], need = r->need[route];
                    if (t < 0) continue;
                    if (lead && (here[t] & lead) != lead) continue;
                    if (need) { /* t + 2 ** level <= nt - 1 + reach: inside here */
                        uint64_t acc = 0;
                        int64_t p, w = (int64_t)1 << r->level[route];
                        for (p = t; p < t + w; p++) acc |= here[p];
                        if ((acc & need) != need) continue;
                    }
                    if (out == cap) {
                        cap = cap ? cap * 2 : 4096;
                        keys = (int64_t *)grab(s, S_KEYS, cap);
                        if (!keys) {
                            bad = 1;
                            break;
                        }
                    }
                    keys[out++] = r->probe[route] * nt + t;
                }
            }
            if (!bad && out > 1) {
                int64_t *tmp = (int64_t *)grab(s, S_SORT, out);
                if (tmp)
                    out = sort_unique(keys, tmp, out, (int64_t)r->n_probes * nt);
                else
                    bad = 1;
            }
        }
        Py_END_ALLOW_THREADS
        if (bad) {
            PyErr_NoMemory();
            goto done;
        }
        result = int64_bytes(keys, out);
    }
done:
    if (vtok.obj) PyBuffer_Release(&vtok);
    if (vanchor.obj) PyBuffer_Release(&vanchor);
    trim(s);
    return result;
}

/* --- module ----------------------------------------------------------------------------- */

PyDoc_STRVAR(new_scratch_doc,
"new_scratch()\n--\n\n"
"Working memory for scan and candidates, reused from one call to the next. One per\n"
"thread: two threads must not use one at the same time. Freed with the object.");

PyDoc_STRVAR(anchors_doc,
"anchors(table16, keys, ids, bits, slots, pre_lengths, pre3_bitmap, suf_lengths)\n--\n\n"
"The anchor tables, checked and copied: table16 (65,536 token bytes of the BMP), keys\n"
"(uint64 hashes) and ids (int64), slots (1 << bits int32: linear probing from a hash's\n"
"top bits; -1 empty, else an index into keys; one empty slot at least), pre_lengths and\n"
"suf_lengths (bytes of lengths 1 to 8, sorted), pre3_bitmap (65,536 flags) or None.");

PyDoc_STRVAR(routes_doc,
"routes(first_ptr, first_routes, route_offset, route_bits, route_lead, route_level,\n"
"       route_probe, anchor_bits, reach)\n--\n\n"
"The route tables of Matcher._build_tables, checked and copied (int64 arrays; the\n"
"masks uint64; 2 ** route_level <= reach).");

static PyMethodDef methods[] = {
    {"new_scratch", new_scratch, METH_NOARGS, new_scratch_doc},
    {"anchors", anchors, METH_VARARGS, anchors_doc},
    {"routes", routes, METH_VARARGS, routes_doc},
    {"scan", scan, METH_VARARGS, scan_doc},
    {"candidates", candidates, METH_VARARGS, candidates_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan", "Compiled inner loop of the theme matcher.", -1,
                                    methods};

PyMODINIT_FUNC PyInit__scan(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "API", API) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
